"""The wording model: which entry's names and cases a question is worded like."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.entry import Entry, Kind, Origin, Section
from knowledge.search import SearchIndex
from knowledge.wording import WordingModel, entry_lines, question_terms


def entry(entry_id: str, title: str, *situations: str, origin: Origin = Origin.CURATED) -> Entry:
    return Entry(
        id=entry_id, kind=Kind.PROCEDURE, title=title, field="Hộ tịch",
        verified=date(2026, 11, 1), origin=origin, situations=situations,
        sections={Section.STEPS: f"Nộp hồ sơ {title.lower()} tại UBND cấp xã."},
    )


def model(*entries: Entry) -> WordingModel:
    return WordingModel.build([entry_lines(e) for e in entries])


def chances(wording: WordingModel, question: str, docs: int) -> np.ndarray:
    folded = question.split()
    return np.exp(wording.log_posterior(question_terms(folded, [1.0] * len(folded)),
                                        np.arange(docs)))


def test_the_entry_whose_cases_say_the_words_is_the_likelier() -> None:
    wording = model(
        entry("khai-sinh", "Đăng ký khai sinh", "vợ vừa sinh con ở bệnh viện huyện"),
        entry("nhan-cha", "Đăng ký nhận cha, mẹ, con",
              "giấy khai sinh của cháu chỉ có tên mẹ, nay bố muốn nhận con"),
    )
    found = chances(wording, "khai sinh chi co ten me bo muon nhan", 2)
    assert found.sum() == pytest.approx(1.0)
    assert found[1] > 0.9
    assert chances(wording, "vo vua sinh con o benh vien", 2)[0] > 0.9


def test_words_no_line_says_leave_the_chance_even() -> None:
    wording = model(entry("a", "Đăng ký khai sinh"), entry("b", "Đăng ký kết hôn"))
    assert chances(wording, "visa du lich", 2) == pytest.approx([0.5, 0.5])


def test_a_pair_weighs_the_lesser_of_its_words() -> None:
    assert question_terms(["da", "ket", "hon"], [0.25, 0.25, 1.0]) == {
        "da": 0.25, "ket": 0.25, "hon": 1.0, "da ket": 0.25, "ket hon": 0.25}


@pytest.fixture(scope="module")
def bundled() -> SearchIndex:
    return SearchIndex.build(load_knowledge_base([bundled_entries_path()]).entries)


@pytest.mark.parametrize(("question", "expected"), [
    ("cửa hàng tạp hóa của tôi đã đăng ký hộ kinh doanh, giờ chuyển sang địa điểm khác "
     "thì báo xã thế nào", "kinh-doanh/thay-doi-ho-kinh-doanh"),
    ("mẹ tôi đã có giấy xác nhận khuyết tật đặc biệt nặng, giờ làm hồ sơ gì để được nhận "
     "tiền hằng tháng", "bao-tro-xa-hoi/tro-cap-hang-thang"),
    ("bố mẹ cháu mất hết, tôi là bác muốn đứng ra chăm sóc, đại diện cho cháu",
     "ho-tich/dang-ky-giam-ho"),
])
def test_a_neighbour_told_apart_by_its_cases_ranks_first(
    bundled: SearchIndex, question: str, expected: str
) -> None:
    """Each question says the name of a neighbour (the registration already done, the
    assessment already had); the entry whose cases tell the rest of the story is first."""
    assert bundled.search(question).candidates[0].entry.id == expected


def test_imported_records_are_not_modelled() -> None:
    """A portal record has no cases: its title says no more than coverage does."""
    kb = [entry("khai-sinh", "Đăng ký khai sinh", "vợ vừa sinh con ở bệnh viện huyện"),
          entry("tthc/1", "Đăng ký khai sinh cho trẻ bị bỏ rơi", origin=Origin.IMPORTED)]
    index = SearchIndex.build(kb)
    result = index.search("đăng ký khai sinh cho trẻ bị bỏ rơi")
    assert result.candidates[0].entry.id == "tthc/1"
