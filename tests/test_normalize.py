"""Folding: every way a Vietnamese question gets typed meets in one form."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from knowledge.normalize import clause_ends, fold, syllables, words


def test_nfc_and_nfd_input_fold_alike() -> None:
    text = "Đăng ký khai sinh cần giấy tờ gì?"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_old_and_new_tone_placement_fold_alike() -> None:
    assert fold("hoà thuỷ khoẻ") == fold("hòa thủy khỏe") == "hoa thuy khoe"


def test_old_and_new_tone_placement_keep_the_same_accented_form() -> None:
    old = [accented for _, accented in syllables("hoà thuỷ khoẻ")]
    new = [accented for _, accented in syllables("hòa thủy khỏe")]
    assert old == new


def test_diacritics_and_d_with_stroke_are_dropped() -> None:
    assert fold("Đăng ký đất đai") == fold("dang ky dat dai") == "dang ky dat dai"


def test_case_and_stray_punctuation_are_ignored() -> None:
    assert fold("  KHAI SINH??? (cho con)...  ") == "khai sinh cho con"


def test_zero_width_and_control_characters_do_not_split_words() -> None:
    assert fold("kh\u200bai\u00ad si\ufeffnh\x07") == "khai sinh"


def test_line_breaks_and_tabs_separate_words() -> None:
    assert fold("khai\tsinh\ncho\r\ncon") == "khai sinh cho con"


def test_legal_reference_splits_into_its_parts() -> None:
    assert words("Nghị định 123/2015/NĐ-CP") == ["nghi", "dinh", "123", "2015", "nd", "cp"]


def test_compatibility_forms_fold_to_plain_letters() -> None:
    assert fold("ＫＨＡＩ ｓｉｎｈ") == "khai sinh"


def test_syllables_tell_homographs_apart_only_with_diacritics() -> None:
    assert syllables("thì thi thẻ") == [("thi", "thì"), ("thi", "thi"), ("the", "thẻ")]


@given(st.text())
def test_fold_never_raises_and_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_fold_output_is_single_spaced_lowercase_words(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert folded == folded.lower()
    assert all(word.isalnum() for word in folded.split())


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_fold_ignores_normalization_form(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@given(st.text())
def test_syllables_agree_with_words(text: str) -> None:
    assert [folded for folded, _ in syllables(text)] == words(text)


def test_clause_ends_are_the_words_before_punctuation_and_the_last() -> None:
    text = "Khai sinh có mất tiền không? Còn khai tử, thì sao"
    found = syllables(text)
    assert [found[i][0] for i in sorted(clause_ends(text))] == ["khong", "tu", "sao"]
    assert clause_ends("") == frozenset()
    assert clause_ends(unicodedata.normalize("NFD", text)) == clause_ends(text)
