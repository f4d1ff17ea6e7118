"""Search: what a question's context says about the words in it (denials, the story
around the ask, diacritics typed), fee phrasings, and curated entries over portal records."""

from __future__ import annotations

from datetime import date

import pytest

import knowledge.query
import knowledge.search
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.entry import Entry, Kind, Origin, Section
from knowledge.facets import FacetDetector
from knowledge.normalize import words
from knowledge.search import SearchIndex


def entry(entry_id: str, title: str, *aliases: str, origin: Origin = Origin.CURATED,
          kind: Kind = Kind.PROCEDURE) -> Entry:
    return Entry(
        id=entry_id, kind=kind, title=title, field="Chung", verified=date(2026, 11, 1),
        origin=origin, aliases=aliases,
        sections={Section.STEPS: f"Nộp hồ sơ {title.lower()} tại UBND cấp xã."},
    )


def first(index: SearchIndex, question: str) -> str:
    return index.search(question).candidates[0].entry.id


def test_words_after_a_denial_do_not_count_for_the_entry_they_deny() -> None:
    index = SearchIndex.build([
        entry("tiep-cong-dan", "Tiếp công dân tại UBND cấp xã", "lịch tiếp công dân"),
        entry("khieu-nai", "Giải quyết khiếu nại lần đầu", "giải quyết khiếu nại"),
    ])
    assert first(index, "tiếp công dân không phải giải quyết khiếu nại") == "tiep-cong-dan"
    assert first(index, "giải quyết khiếu nại không phải tiếp công dân") == "khieu-nai"


def test_a_denial_an_entry_names_itself_still_counts() -> None:
    index = SearchIndex.build([
        entry("phai", "Cấp giấy phép nhập khẩu trường hợp phải đánh giá rủi ro"),
        entry("khong-phai", "Cấp giấy phép nhập khẩu trường hợp không phải đánh giá rủi ro"),
    ])
    assert first(index, "giấy phép nhập khẩu không phải đánh giá rủi ro") == "khong-phai"
    assert first(index, "giấy phép nhập khẩu phải đánh giá rủi ro") == "phai"


@pytest.mark.parametrize("typed", [
    "đã chứng thực hợp đồng, giờ muốn sang tên đất",
    "da chung thuc hop dong, gio muon sang ten dat",
])
def test_a_clause_telling_what_was_done_counts_less_than_the_ask(
    typed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = [
        entry("chung-thuc", "Chứng thực hợp đồng, giao dịch", "chứng thực hợp đồng"),
        entry("bien-dong", "Đăng ký biến động quyền sử dụng đất", "sang tên sổ đỏ"),
    ]
    assert first(SearchIndex.build(kb), typed) == "bien-dong"
    # In one clause, the same words are the ask.
    assert first(SearchIndex.build(kb), "đã chứng thực hợp đồng giao dịch chưa") == "chung-thuc"
    monkeypatch.setattr(knowledge.query, "CONTEXT_WEIGHT", 1.0)
    assert first(SearchIndex.build(kb), typed) == "chung-thuc"


def test_a_clause_telling_the_situation_counts_less_than_the_ask() -> None:
    kb = [entry("tro-cap", "Trợ cấp xã hội hằng tháng", "trợ cấp hằng tháng"),
          entry("mai-tang", "Hỗ trợ chi phí mai táng", "tiền mai táng")]
    index = SearchIndex.build(kb)
    assert first(index, "bà tôi đang nhận trợ cấp hằng tháng, có hỗ trợ mai táng không") \
        == "mai-tang"
    # Without the word, or without diacritics ("dang" may be "đăng"), it is not the story.
    assert first(index, "bà tôi nhận trợ cấp hằng tháng, có hỗ trợ mai táng không") == "tro-cap"
    assert first(index, "ba toi dang nhan tro cap hang thang, co ho tro mai tang khong") \
        == "tro-cap"


def test_what_a_paper_is_for_counts_less_than_the_paper() -> None:
    kb = [
        entry("lai-khai-tu", "Đăng ký lại khai tử", "mất giấy chứng tử"),
        entry("thua-ke", "Chứng thực văn bản thỏa thuận phân chia di sản thừa kế"),
    ]
    index = SearchIndex.build(kb)
    assert first(index, "mất giấy chứng tử để chia di sản thừa kế") == "lai-khai-tu"
    # Without the purpose word, or asked before it ("làm gì để …"), they are the ask.
    assert first(index, "mất giấy chứng tử, chia di sản thừa kế") == "thua-ke"
    assert first(index, "mất giấy chứng tử làm gì để chia di sản thừa kế") == "thua-ke"


def test_a_word_typed_with_diacritics_is_corrected_only_by_a_swap() -> None:
    index = SearchIndex.build([entry("khai-sinh", "Đăng ký khai sinh"),
                               entry("phan", "Phân loại hồ sơ", "phan hoa")])
    assert "phao" in index.search("xin phép bắn pháo hoa").normalized.split()
    assert "giay" in index.search("giyấ khai sinh").normalized.split()


@pytest.mark.parametrize("question", [
    "làm giấy khai sinh phí thế nào", "đăng ký kết hôn có thu tiền không ạ",
    "chứng thực mất tiền không", "xin giấy độc thân có tốn đồng nào không",
    "khai tử phí ra sao",
])
def test_fee_phrasings_ask_for_the_fee(question: str) -> None:
    assert FacetDetector().detect(words(question)).section is Section.FEE


def test_funeral_costs_are_not_a_fee_question() -> None:
    assert FacetDetector().detect(words("hỗ trợ chi phí mai táng")).section is None


@pytest.mark.parametrize(("question", "expected"), [
    ("thủ tục ly hôn thuận tình", "chuyen-co-quan/ly-hon"),
    ("vợ chồng muốn ly hôn đơn phương thì nộp đơn ở đâu", "chuyen-co-quan/ly-hon"),
    ("ghi chú ly hôn ở nước ngoài", "ho-tich/ghi-so-ly-hon-nuoc-ngoai"),
])
def test_divorce_is_redirected_to_the_court(question: str, expected: str) -> None:
    index = SearchIndex.build(load_knowledge_base([bundled_entries_path()]).entries)
    found = index.search(question).answer
    assert found is not None and found.id == expected


def test_a_curated_redirect_wins_over_a_portal_record_of_the_same_matter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb = [
        entry("chuyen-co-quan/can-cuoc", "Cấp, đổi, cấp lại thẻ căn cước", "đổi căn cước",
              kind=Kind.REDIRECT),
        entry("tthc/1-014063", "Cấp đổi thẻ căn cước cho công dân Việt Nam",
              origin=Origin.IMPORTED),
    ]
    question = "thủ tục cấp đổi thẻ căn cước"
    assert first(SearchIndex.build(kb), question) == "chuyen-co-quan/can-cuoc"
    # The question also says the redirect's alias whole; with neither the lead nor that,
    # the portal record's closer title wins.
    monkeypatch.setattr(knowledge.search, "CURATED_LEAD", 0.0)
    monkeypatch.setattr(knowledge.search, "WHOLE_NAME_WEIGHT", 0.0)
    assert first(SearchIndex.build(kb), question) == "tthc/1-014063"
