"""Search behaviour on small knowledge bases built in the tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import tomli_w

from knowledge.base import bundled_entries_path, load_knowledge_base, merged
from knowledge.cache import load_indexed
from knowledge.decision import FEATURES, DecisionError, load_decision
from knowledge.entry import Entry, Kind, Origin, Section
from knowledge.recent import RecentSearches
from knowledge.search import TIED, Intent, SearchIndex, SearchResult
from knowledge.synonyms import LexiconError, load_lexicon
from tests.factories import entry_text, write_entry


def entry(
    entry_id: str,
    title: str,
    *aliases: str,
    body: str = "",
    origin: Origin = Origin.CURATED,
    code: str | None = None,
) -> Entry:
    sections = {Section.STEPS: body or f"Nộp hồ sơ {title.lower()} tại UBND cấp xã."}
    return Entry(
        id=entry_id, kind=Kind.PROCEDURE, title=title, field="Hộ tịch",
        verified=date(2026, 11, 1), origin=origin, code=code, aliases=aliases,
        sections=sections,
    )


KB = (
    entry("ho-tich/dang-ky-khai-sinh", "Đăng ký khai sinh", "làm giấy khai sinh",
          body="Giấy tờ: tờ khai, giấy chứng sinh. Miễn lệ phí.", code="1.001193"),
    entry("ho-tich/dang-ky-khai-tu", "Đăng ký khai tử", "giấy chứng tử"),
    entry("ho-tich/dang-ky-ket-hon", "Đăng ký kết hôn", "giấy đăng ký kết hôn"),
    entry("ho-tich/xac-nhan-tinh-trang-hon-nhan", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    entry("dat-dai/cap-gcn-lan-dau", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu"),
    entry("chung-thuc/ban-sao-tu-ban-chinh", "Chứng thực bản sao từ bản chính"),
    entry("bao-tro-xa-hoi/tro-cap-hang-thang", "Trợ cấp xã hội hằng tháng"),
    entry("bao-tro-xa-hoi/ho-tro-mai-tang", "Trợ cấp mai táng cho đối tượng bảo trợ xã hội"),
    entry("xay-dung/giay-phep-xay-dung", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
)


def build(entries: Sequence[Entry], **options: object) -> SearchIndex:
    """An index of `entries` without the bundled examples (knowledge.examples): they teach
    the wording of the bundled entries, and these tests give entries their own."""
    return SearchIndex.build(entries, examples={}, **options)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build(KB)


def answer_id(index: SearchIndex, question: str) -> str | None:
    found = index.search(question).answer
    return found.id if found else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("ks cần giấy tờ gì", "ho-tich/dang-ky-khai-sinh"),
        ("dang ky kh", "ho-tich/dang-ky-ket-hon"),
        ("xin giấy độc thân", "ho-tich/xac-nhan-tinh-trang-hon-nhan"),
        ("xác nhận tthn", "ho-tich/xac-nhan-tinh-trang-hon-nhan"),
        ("làm sổ đỏ", "dat-dai/cap-gcn-lan-dau"),
        ("sao y giấy tờ", "chung-thuc/ban-sao-tu-ban-chinh"),
        ("xin phép xây nhà", "xay-dung/giay-phep-xay-dung"),
    ],
)
def test_abbreviations_and_everyday_names_are_expanded(
    index: SearchIndex, question: str, expected: str | None
) -> None:
    assert answer_id(index, question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("dang ky kahi sinh", "ho-tich/dang-ky-khai-sinh"),
        ("Thủ tục ăđng ký kết hôn", "ho-tich/dang-ky-ket-hon"),
        ("khai tử cần giyấ tờ gì", "ho-tich/dang-ky-khai-tu"),
        ("khai sihn", "ho-tich/dang-ky-khai-sinh"),
    ],
)
def test_swapped_letters_are_corrected(index: SearchIndex, question: str, expected: str) -> None:
    assert answer_id(index, question) == expected


def test_a_corrected_word_counts_less_than_a_typed_one(index: SearchIndex) -> None:
    exact = index.search("đăng ký khai sinh")
    typo = index.search("đăng ký kahi sinh")
    assert exact.answer == typo.answer
    assert typo.normalized == "dang ky khai sinh"  # what was searched, typo corrected
    assert typo.score < exact.score


def test_a_one_letter_substitution_is_not_guessed(index: SearchIndex) -> None:
    result = index.search("giá xăng")  # "xăng" is one substitution from "đăng"
    assert result.answer is None
    assert "dang" not in result.normalized.split()


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("khai sinh cần giấy tờ gì", Section.DOCUMENTS),
        ("hồ sơ khai tử gồm những gì", Section.DOCUMENTS),
        ("thủ tục kết hôn", None),  # the procedure's name: its summary
        ("thủ tục kết hôn thế nào", Section.STEPS),
        ("kết hôn làm thế nào", Section.STEPS),
        ("thủ tục kết hôn mất mấy ngày", Section.TIME),
        ("khai tu mat bao lau", Section.TIME),
        ("thời hạn cấp sổ đỏ", Section.TIME),
        ("xác nhận tình trạng hôn nhân mất phí không", Section.FEE),
        ("lệ phí chứng thực", Section.FEE),
        ("khai sinh bao nhiêu tiền", Section.FEE),
        ("nộp hồ sơ kết hôn ở đâu", Section.WHERE),
        ("khai sinh căn cứ nghị định nào", Section.LEGAL),
        ("đăng ký khai sinh", None),
    ],
)
def test_the_part_asked_about_is_detected(
    index: SearchIndex, question: str, facet: Section | None
) -> None:
    assert index.search(question).facet == facet


def test_facet_words_do_not_pick_the_entry(index: SearchIndex) -> None:
    # "giấy tờ" and "lệ phí" appear in the khai sinh body; the question is about khai tử.
    assert answer_id(index, "khai tử cần giấy tờ gì, lệ phí bao nhiêu") == "ho-tich/dang-ky-khai-tu"


@pytest.mark.parametrize(
    "question",
    [
        "giá xăng hôm nay",
        "Thủ tục nhập khẩu ô tô cũ",
        "đăng ký thi đại học",
        "dang ky thi dai hoc",
        "thủ tục cấp giấy phép lái xe",
        "Cách trồng rau sạch tại nhà",
    ],
)
def test_out_of_scope_questions_get_no_answer(index: SearchIndex, question: str) -> None:
    assert index.search(question).answer is None


@pytest.mark.parametrize("question", ["thủ tục đăng ký", "cấp giấy", "hồ sơ thủ tục hành chính"])
def test_generic_words_alone_match_nothing(index: SearchIndex, question: str) -> None:
    result = index.search(question)
    assert result.intent is Intent.UNKNOWN
    assert result.candidates == ()


def test_a_near_tie_between_two_entries_is_a_suggestion() -> None:
    birth = entry("ho-tich/trich-luc-khai-sinh", "Cấp trích lục khai sinh")
    marriage = entry("ho-tich/trich-luc-ket-hon", "Cấp trích lục kết hôn")
    result = build([*KB, birth, marriage]).search("xin trích lục")
    assert result.intent is Intent.SUGGEST
    assert result.answer is None
    assert {c.entry.id for c in result.candidates} >= {birth.id, marriage.id}
    assert len(result.candidates) <= 3


def test_a_question_naming_one_entry_whole_is_answered_despite_a_similar_one() -> None:
    start = entry("ho-tich/giam-ho", "Đăng ký giám hộ")
    end = entry("ho-tich/cham-dut-giam-ho", "Đăng ký chấm dứt giám hộ")
    index = build([*KB, start, end])
    assert answer_id(index, "chấm dứt giám hộ") == "ho-tich/cham-dut-giam-ho"


def test_a_case_told_in_everyday_words_finds_the_entry_whose_situations_tell_it() -> None:
    lost = replace(
        entry("ho-tich/dang-ky-lai-khai-sinh", "Đăng ký lại khai sinh"),
        situations=("bản gốc bị mối xông hết, sổ lưu ở xã cũng cháy không còn",),
    )
    question = "khai sinh của mẹ tôi: bản gốc mối xông, sổ lưu cũng cháy rồi"

    def first(entries: Sequence[Entry]) -> str:
        return build(entries).search(question).candidates[0].entry.id

    assert first([*KB, lost]) == lost.id
    assert first([*KB, replace(lost, situations=())]) == "ho-tich/dang-ky-khai-sinh"


def test_situations_are_never_an_entry_name() -> None:
    """A question that repeats a situation word for word is not naming the entry: the
    situation is one case among many, so it does not count as the whole name."""
    told = "mẹ tôi mới mất tuần trước"
    death = replace(entry("ho-tich/dang-ky-khai-tu", "Đăng ký khai tử"), situations=(told,))
    index = build([*KB[:1], death, *KB[2:]])
    assert index.search(told).features["whole_name"] == 0.0


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("xin chào", Intent.GREETING),
        ("hello", Intent.GREETING),
        ("Chào bot!", Intent.GREETING),
        ("cảm ơn", Intent.THANKS),
        ("thank you", Intent.THANKS),
        ("cam on bot nhieu a", Intent.THANKS),
        ("", Intent.EMPTY),
        ("?!... ", Intent.EMPTY),
        ("\u200b", Intent.EMPTY),
    ],
)
def test_small_talk_and_empty_messages(index: SearchIndex, question: str, intent: Intent) -> None:
    result = index.search(question)
    assert result.intent is intent
    assert result.answer is None
    assert result.candidates == ()


def test_a_greeting_with_a_question_is_a_question(index: SearchIndex) -> None:
    assert answer_id(index, "chào bot, cho hỏi đăng ký khai tử") == "ho-tich/dang-ky-khai-tu"


def test_every_typing_of_a_question_gets_the_same_answer(index: SearchIndex) -> None:
    typings = [
        "Đăng ký kết hôn cần giấy tờ gì?",
        "dang ky ket hon can giay to gi",
        "ĐĂNG KÝ KẾT HÔN CẦN GIẤY TỜ GÌ",
        "Đăng ký kết hôn cần giấy tờ gì?".encode().decode("utf-8"),
    ]
    assert {answer_id(index, t) for t in typings} == {"ho-tich/dang-ky-ket-hon"}


def test_curated_entry_wins_a_near_tie_with_an_imported_record() -> None:
    imported = entry("tthc/1-999999", "Đăng ký khai sinh", origin=Origin.IMPORTED,
                     code="1.999999")
    curated = entry("ho-tich/dang-ky-khai-sinh", "Đăng ký khai sinh", code="1.001193")
    for entries in ([imported, curated], [curated, imported]):
        result = build(entries).search("đăng ký khai sinh")
        assert result.intent is Intent.ANSWER
        assert result.answer == curated


def test_an_imported_record_saying_a_word_the_curated_entry_lacks_ranks_first() -> None:
    # "dừng" is what is asked; the curated registration says every other word, more often.
    curated = entry(
        "kinh-doanh/dang-ky-ho-kinh-doanh", "Đăng ký thành lập hộ kinh doanh",
        "đăng ký hộ kinh doanh",
        body="Hộ kinh doanh nộp hồ sơ đăng ký hộ kinh doanh tại UBND cấp xã nơi đặt trụ sở.",
    )
    stop = entry("tthc/1-014035", "Dừng thực hiện thủ tục đăng ký hộ kinh doanh",
                 origin=Origin.IMPORTED)
    index = build([*KB, curated, stop])
    assert index.search("muốn dừng thủ tục đăng ký hộ kinh doanh").candidates[0].entry == stop
    assert index.search("đăng ký hộ kinh doanh").answer == curated


def test_imported_record_of_a_curated_procedure_is_left_out() -> None:
    curated = entry("ho-tich/dang-ky-khai-sinh", "Đăng ký khai sinh", code="1.001193")
    same = entry("tthc/1-001193", "Thủ tục đăng ký khai sinh", origin=Origin.IMPORTED,
                 code="1.001193")
    result = build(merged([same, curated])).search("thủ tục đăng ký khai sinh")
    assert [c.entry for c in result.candidates] == [curated]


def test_imported_records_are_answered_when_nothing_curated_fits() -> None:
    imported = entry("tthc/2-000001", "Đăng ký hoạt động tín ngưỡng", origin=Origin.IMPORTED)
    index = build([*KB, imported])
    assert answer_id(index, "đăng ký hoạt động tín ngưỡng") == "tthc/2-000001"


def test_an_empty_knowledge_base_knows_nothing() -> None:
    result = build([]).search("đăng ký khai sinh")
    assert result.intent is Intent.UNKNOWN
    assert result.candidates == ()


def test_synonyms_come_from_the_data_file(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.toml"
    path.write_text('[abbreviations]\nbks = ["khai sinh"]\n[generic]\ndomain = ["đăng ký"]\n',
                    encoding="utf-8")
    index = build(KB, lexicon=load_lexicon(path))
    assert answer_id(index, "bks") == "ho-tich/dang-ky-khai-sinh"
    assert answer_id(index, "ks") is None  # the bundled abbreviations are not loaded


def test_a_malformed_synonyms_file_is_reported_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.toml"
    path.write_text('[synonyms]\n"sổ đỏ" = "giấy chứng nhận"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="sổ đỏ"):
        load_lexicon(path)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("muốn làm giấy khai sinh cho con thì cần mang gì", "ho-tich/dang-ky-khai-sinh"),
        ("lam giay chung tu cho bo", "ho-tich/dang-ky-khai-tu"),
        ("xin giấy xác nhận độc thân để mua nhà", "ho-tich/xac-nhan-tinh-trang-hon-nhan"),
        ("chứng thực chữ ký giấy ủy quyền", "chung-thuc/chu-ky"),
        ("hàng xóm lấn đất thì hòa giải ở đâu", "dat-dai/hoa-giai-tranh-chap"),
        ("quên mật khẩu tài khoản một cửa", "nghiep-vu/tai-khoan-mot-cua"),
        ("giá vàng hôm nay", None),
        # The police issue identity cards: the redirect says so, not a procedure that
        # merely mentions "căn cước".
        ("làm lại căn cước", "chuyen-co-quan/can-cuoc"),
        ("lam can cuoc cho tre em", "chuyen-co-quan/can-cuoc"),
        ("đăng ký tạm trú ở đâu", "chuyen-co-quan/cu-tru"),
        # Neighbours the issue found confused: the allowance is not the disability
        # assessment, recognising a child is not marriage, adoption has its entry.
        ("trợ cấp cho người khuyết tật nặng", "bao-tro-xa-hoi/tro-cap-hang-thang"),
        ("con sinh ra trước khi bố mẹ đăng ký kết hôn", "ho-tich/nhan-cha-me-con"),
        ("tôi muốn hỏi về thủ tục nhận con nuôi", "ho-tich/nuoi-con-nuoi"),
    ],
)
def test_integration_bundled_knowledge_base(question: str, expected: str | None) -> None:
    """The one test that reads the bundled entries: it breaks when they change a lot."""
    entries = load_knowledge_base([bundled_entries_path()]).entries
    found = SearchIndex.build(entries).search(question).answer
    assert (found.id if found else None) == expected


def test_a_procedure_code_finds_its_entry(index: SearchIndex) -> None:
    assert answer_id(index, "1.001193") == "ho-tich/dang-ky-khai-sinh"


def test_a_homograph_of_a_function_word_counts_unless_typed_as_the_function_word() -> None:
    exam = entry("nghiep-vu/thi-nang-ngach", "Đăng ký thi nâng ngạch")
    index = build([*KB, exam])
    # "thì" (then) is a function word; "thi" (exam) folds alike but is what the entry is about.
    assert index.search("đăng ký thì làm sao").candidates == ()
    for question in ("đăng ký thi", "dang ky thi"):
        assert index.search(question).candidates[0].entry.id == exam.id


def test_a_word_typed_with_diacritics_does_not_match_its_homographs() -> None:
    files = entry("nghiep-vu/ho-so-qua-han", "Hồ sơ quá hạn", "hồ sơ trễ hẹn")
    household = entry("kinh-doanh/ho-kinh-doanh", "Đăng ký hộ kinh doanh")
    index = build([*KB, files, household])
    coverage = {c.entry.id: c.score for c in index.search("hộ quá hạn", limit=10).candidates}
    # "hộ" is not the "hồ" of "hồ sơ": only "quá hạn" is in that entry's names.
    assert coverage[files.id] < coverage[household.id] + 0.5
    typed = {c.entry.id: c.score for c in index.search("hồ quá hạn", limit=10).candidates}
    assert typed[files.id] > coverage[files.id]
    # Without diacritics the spelling is unknown, so both spellings count.
    plain = {c.entry.id: c.score for c in index.search("ho qua han", limit=10).candidates}
    assert plain[files.id] == typed[files.id]


def test_a_spelling_no_name_has_is_not_a_name_word() -> None:
    foreign = entry("ho-tich/ket-hon-nuoc-ngoai", "Đăng ký kết hôn có yếu tố nước ngoài")
    index = build([*KB, foreign])

    def coverage(question: str) -> dict[str, float]:
        return {c.entry.id: c.score for c in index.search(question, limit=10).candidates}

    # "ngoái" (last year) is not the "ngoài" (foreign) that only one entry's names spell;
    # typed without diacritics it may be.
    assert coverage("kết hôn ngoái")[foreign.id] < coverage("kết hôn ngoài")[foreign.id]
    assert coverage("ket hon ngoai")[foreign.id] == coverage("kết hôn ngoài")[foreign.id]


def test_words_that_say_when_name_no_procedure() -> None:
    index = build(KB)
    for question in ("kết hôn năm ngoái", "ket hon nam ngoai", "kết hôn tháng trước"):
        best = index.search(question).candidates[0]
        # Only "kết hôn" is content: the marriage entry covers all of it.
        assert (best.entry.id, best.score) == ("ho-tich/dang-ky-ket-hon", 1.0)


def test_a_phrase_counts_by_its_pair_more_than_by_its_syllables() -> None:
    allowance = entry("bao-tro-xa-hoi/tro-cap", "Trợ cấp xã hội hằng tháng")
    assessment = entry("bao-tro-xa-hoi/khuyet-tat", "Xác định khuyết tật, cấp giấy xác nhận",
                       body="Trợ giúp người khuyết tật làm hồ sơ.")
    index = build([*KB[:3], allowance, assessment])
    scores = {c.entry.id: c.score for c in index.search("trợ cấp", limit=10).candidates}
    # "cấp" in "cấp giấy" and "trợ" in "trợ giúp" are not "trợ cấp".
    assert scores[assessment.id] < 0.4 * scores[allowance.id]


def test_one_shared_syllable_is_not_worth_a_suggestion() -> None:
    poor = entry("bao-tro-xa-hoi/ho-ngheo", "Công nhận hộ nghèo, hộ cận nghèo", "xét hộ nghèo")
    index = build([*KB, poor])
    result = index.search("làm hộ chiếu ở đâu")
    assert result.answer is None
    assert index.search("xét hộ cận nghèo thế nào").answer == poor


def test_a_question_with_words_no_entry_has_is_answered_when_one_entry_clearly_leads() -> None:
    business = entry("kinh-doanh/dang-ky-ho-kinh-doanh", "Đăng ký hộ kinh doanh",
                     "mở hộ kinh doanh", "đăng ký kinh doanh quán ăn, tạp hóa")
    index = build([*KB, business])
    # Its words are in the names, but not side by side as the question says them.
    result = index.search("mở quán tạp hóa cần đăng ký kinh doanh không")
    assert result.intent is Intent.ANSWER
    assert result.answer == business
    # A rival sharing most words does not take the lead, curated or imported.
    change = entry("kinh-doanh/thay-doi-ho-kinh-doanh", "Thay đổi đăng ký hộ kinh doanh",
                   "mở lại quán")
    imported = replace(business, id="tthc/1-000001", origin=Origin.IMPORTED)
    for leader in (business, imported):
        result = build([*KB, leader, change]).search(
            "mở quán tạp hóa cần đăng ký kinh doanh không"
        )
        assert result.candidates[0].entry == leader
        assert result.answer in (leader, None)


def test_the_content_words_of_an_alias_are_not_the_whole_alias() -> None:
    late = entry("nghiep-vu/ho-so-qua-han", "Xử lý hồ sơ quá hạn", "gia hạn giải quyết hồ sơ")
    index = build([*KB, late])
    # "gia hạn" is all the alias says besides generic words, but not the whole alias:
    # the whole alias weighs more.
    assert index.search("gia hạn giải quyết hồ sơ").answer == late
    assert (index.search("gia hạn thẻ").features["missing"]
            > index.search("gia hạn giải quyết hồ sơ").features["missing"])


@pytest.mark.parametrize("typed", ["đăng kí kết hôn cần gì", "dang ki ket hon"])
def test_i_for_y_spellings_are_understood(index: SearchIndex, typed: str) -> None:
    assert answer_id(index, typed) == "ho-tich/dang-ky-ket-hon"


def test_a_negation_tells_two_records_apart() -> None:
    stem = "Cấp giấy phép nhập khẩu thủy sản sống đối với trường hợp"
    assessed = entry("tthc/1-1", f"{stem} phải đánh giá rủi ro", origin=Origin.IMPORTED)
    exempt = entry("tthc/1-2", f"{stem} không phải đánh giá rủi ro", origin=Origin.IMPORTED)
    for records in ([assessed, exempt], [exempt, assessed]):
        index = build([*KB, *records])
        for question, expected in [
            ("giấy phép nhập khẩu thủy sản sống không phải đánh giá rủi ro", exempt),
            ("nhap khau thuy san song khong phai danh gia rui ro", exempt),
            ("giấy phép nhập khẩu thủy sản sống phải đánh giá rủi ro", assessed),
        ]:
            assert index.search(question).candidates[0].entry == expected, question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("đăng ký lại khai sinh", "ho-tich/dang-ky-lai-khai-sinh"),
        ("lệ phí đăng ký khai sinh", "ho-tich/dang-ky-khai-sinh"),
        ("đăng ký khai sinh có mất tiền không?", "ho-tich/dang-ky-khai-sinh"),
        ("dang ky ket hon voi nguoi nuoc ngoai", "ho-tich/ket-hon-nuoc-ngoai"),
        ("đăng ký kết hôn có mất phí không", "ho-tich/dang-ky-ket-hon"),
        ("xin trích lục khai sinh", "ho-tich/trich-luc-khai-sinh"),
        ("trợ cấp cho người khuyết tật nặng", "bao-tro-xa-hoi/tro-cap-hang-thang"),
        ("xác định mức độ khuyết tật", "bao-tro-xa-hoi/xac-dinh-khuyet-tat"),
        ("xác nhận chưa kết hôn", "ho-tich/xac-nhan-tinh-trang-hon-nhan"),
    ],
)
def test_words_that_tell_neighbours_apart_count(question: str, expected: str) -> None:
    neighbours = [
        entry("ho-tich/dang-ky-lai-khai-sinh", "Đăng ký lại khai sinh"),
        entry("ho-tich/ket-hon-nuoc-ngoai", "Đăng ký kết hôn có yếu tố nước ngoài"),
        entry("ho-tich/trich-luc-khai-sinh", "Cấp bản sao trích lục khai sinh"),
        entry("bao-tro-xa-hoi/xac-dinh-khuyet-tat", "Xác định mức độ khuyết tật",
              "khuyết tật nặng"),
    ]
    kb = [e for e in KB if e.id != "bao-tro-xa-hoi/tro-cap-hang-thang"]
    kb.append(entry("bao-tro-xa-hoi/tro-cap-hang-thang", "Trợ cấp xã hội hằng tháng",
                    "trợ cấp người khuyết tật"))
    kb[3] = entry("ho-tich/xac-nhan-tinh-trang-hon-nhan", "Cấp Giấy xác nhận tình trạng hôn nhân",
                  "xác nhận chưa kết hôn")
    index = build([*kb, *neighbours])
    assert index.search(question).candidates[0].entry.id == expected


def test_a_question_particle_is_not_a_negation() -> None:
    index = build(KB)
    for question in ("khai sinh có mất tiền không?", "khai sinh có mất tiền không ạ",
                     "khai sinh có được không, cần gì", "khai sinh có được không và cần gì"):
        parsed = index.search(question)
        assert parsed.features is not None
        assert parsed.features["missing"] == 0.0, question  # "không" was not searched


def test_a_second_start_reads_the_index_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_entry(tmp_path / "kb", entry_text())
    base, index = load_indexed([tmp_path / "kb"], tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1

    def no_build(*args: object, **kwargs: object) -> SearchIndex:
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    cached_base, cached = load_indexed([tmp_path / "kb"], tmp_path / "cache")
    assert cached_base.entries == base.entries
    assert cached.search("đăng ký khai sinh").answer == index.search("đăng ký khai sinh").answer


def test_a_changed_entry_makes_the_cache_stale(tmp_path: Path) -> None:
    write_entry(tmp_path / "kb", entry_text(), name="entry.md")
    load_indexed([tmp_path / "kb"], tmp_path / "cache")
    write_entry(tmp_path / "kb", entry_text(title="Đăng ký khai tử", aliases=()), name="entry.md")
    base, index = load_indexed([tmp_path / "kb"], tmp_path / "cache")
    assert [e.title for e in base.entries] == ["Đăng ký khai tử"]
    assert index.search("đăng ký khai tử").answer == base.entries[0]
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1  # the stale one is gone


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05\x95\xff\xff"])
def test_a_corrupt_cache_is_rebuilt(tmp_path: Path, garbage: bytes) -> None:
    write_entry(tmp_path / "kb", entry_text())
    load_indexed([tmp_path / "kb"], tmp_path / "cache")
    [cache] = (tmp_path / "cache").glob("*.pickle")
    cache.write_bytes(garbage)
    base, index = load_indexed([tmp_path / "kb"], tmp_path / "cache")
    assert index.search("đăng ký khai sinh").answer == base.entries[0]
    assert cache.stat().st_size > len(garbage)  # written again, whole


def test_a_cache_of_other_entries_is_not_trusted(tmp_path: Path) -> None:
    write_entry(tmp_path / "kb", entry_text())
    load_indexed([tmp_path / "kb"], tmp_path / "cache")
    [cache] = (tmp_path / "cache").glob("*.pickle")
    other = tmp_path / "other"
    write_entry(other, entry_text(title="Đăng ký khai tử", aliases=()))
    load_indexed([other], tmp_path / "other-cache")
    [foreign] = (tmp_path / "other-cache").glob("*.pickle")
    cache.write_bytes(foreign.read_bytes())  # a file under this key, holding other entries
    base, _ = load_indexed([tmp_path / "kb"], tmp_path / "cache")
    assert [e.title for e in base.entries] == ["Đăng ký khai sinh"]


def test_a_broken_knowledge_base_is_not_cached(tmp_path: Path) -> None:
    write_entry(tmp_path / "kb", "+++\nid = \n+++\n", name="broken.md")
    base, _ = load_indexed([tmp_path / "kb"], tmp_path / "cache")
    assert base.problems
    assert not list((tmp_path / "cache").glob("*.pickle"))


def decision_file(path: Path, answer_bias: float, features: Sequence[str] = FEATURES) -> Path:
    model = {"bias": answer_bias, "weights": [0.0] * len(features),
             "mean": [0.0] * len(features), "scale": [1.0] * len(features)}
    path.write_text(tomli_w.dumps({
        "features": list(features), "answer_at": 0.5, "suggest_at": 0.5,
        "answer": model, "suggest": {**model, "bias": -10.0},
    }), encoding="utf-8")
    return path


def test_the_decision_is_read_from_its_data_file(tmp_path: Path) -> None:
    always = load_decision(decision_file(tmp_path / "always.toml", 10.0))
    never = load_decision(decision_file(tmp_path / "never.toml", -10.0))
    question = "khai sinh cho con ở đâu"
    assert build(KB, decision=always).search(question).intent is Intent.ANSWER
    assert build(KB, decision=never).search(question).intent is Intent.UNKNOWN
    # Nothing to rank is never answered, whatever the model says.
    assert build(KB, decision=always).search("thủ tục").answer is None


def test_the_bundled_decision_loads_and_covers_every_feature() -> None:
    decision = load_decision()
    assert 0.0 < decision.answer_at < 1.0
    features = build(KB).search("khai sinh").features
    assert features is not None
    assert set(features) == {*FEATURES, TIED}


def test_a_decision_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    path = decision_file(tmp_path / "old.toml", 0.0, features=FEATURES[:-1])
    with pytest.raises(DecisionError, match="refit"):
        load_decision(path)


@pytest.mark.parametrize(
    "text",
    ["", "answer_at = 0.5", 'features = []\nanswer_at = "x"', "not toml ["],
)
def test_a_malformed_decision_file_is_reported(tmp_path: Path, text: str) -> None:
    path = tmp_path / "decision.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DecisionError, match=str(path)):
        load_decision(path)


def test_entries_the_question_cannot_tell_apart_are_suggested_not_answered() -> None:
    kinds = [
        entry("chung-thuc/chu-ky", "Chứng thực chữ ký", "chứng thực điểm chỉ"),
        entry("chung-thuc/ban-sao", "Chứng thực bản sao từ bản chính"),
        entry("chung-thuc/di-chuc", "Chứng thực di chúc"),
    ]
    index = build([*KB, *kinds])
    # "chữ" and "chỉ" are not the function words "chú" and "chị" they fold like, so
    # no name of the signature entry fits "chứng thực" better than the others do.
    result = index.search("chứng thực")
    assert result.intent is Intent.SUGGEST
    assert all(c.entry.id.startswith("chung-thuc/") for c in result.candidates)
    assert index.search("chứng thực chữ ký").answer == kinds[0]


def test_recent_searches_give_what_a_new_search_gives_and_search_once(
    index: SearchIndex,
) -> None:
    calls: list[str] = []

    class Counting:
        def search(self, query: str, limit: int = 5) -> SearchResult:
            calls.append(query)
            return index.search(query, limit)

    recent = RecentSearches(Counting(), size=2)  # type: ignore[arg-type]
    for query in ["khai sinh can gi", "khai sinh can gi", "ket hon", "khai sinh can gi"]:
        assert recent.search(query) == index.search(query)
    assert calls == ["khai sinh can gi", "ket hon"]
    recent.search("dang ky thuong tru")  # a third question: the oldest is forgotten
    recent.search("ket hon")
    recent.search("khai sinh can gi")
    assert calls[-1] == "khai sinh can gi"


@pytest.mark.parametrize(
    ("question", "doubts"),
    [
        ("Bố mẹ còn sống, làm văn bản chia đất bây giờ được không hay phải làm giấy khác", True),
        ("đăng ký khai sinh ở xã hay thủ tục nào khác", True),
        ("dang ky ket hon nhu binh thuong hay phai lam ho so khac", True),
        ("đăng ký khai sinh ở xã hay ở huyện", False),  # two places, no guess
        ("đăng ký khai sinh cho con ở xã khác được không", False),  # no alternative
        # The alternative and "khác" in different sentences: no clause offers a guess.
        ("Tôi làm khai sinh hay khai tử trước? Xã khác có làm không", False),
        # Other words that fold the same, and a comparison.
        ("hãy cho tôi biết làm thủ tục khắc dấu ở đâu", False),
        ("đăng ký khai sinh hay khai tử khác nhau thế nào", False),
        # No entry here says "khac": it is still not taken for a typo of "khai".
        ("ket hon hay phai lam giay khac", True),
    ],
)
def test_a_question_that_offers_a_procedure_as_a_guess_is_marked(
    index: SearchIndex, question: str, doubts: bool
) -> None:
    assert index.search(question).features["doubts"] == float(doubts)
