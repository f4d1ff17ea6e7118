"""Example questions by entry (knowledge.examples): read, written, and learned from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge import cache
from knowledge.entry import Entry, Kind, Origin, Section
from knowledge.examples import ExamplesError, load_examples, render
from knowledge.search import SearchIndex


def entry(entry_id: str, title: str, *situations: str) -> Entry:
    return Entry(
        id=entry_id, kind=Kind.PROCEDURE, title=title, field="Chứng thực",
        verified=date(2026, 11, 1), origin=Origin.CURATED, situations=situations,
        sections={Section.STEPS: f"Nộp hồ sơ {title.lower()} tại UBND cấp xã."},
    )


def test_the_file_groups_questions_by_entry_and_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "examples.tsv"
    path.write_text("# written by a script\n\nb\tcâu hai\na\tcâu một\nb\tcâu ba\n",
                    encoding="utf-8")
    assert load_examples(path) == {"b": ("câu hai", "câu ba"), "a": ("câu một",)}


def test_what_render_writes_load_reads_back(tmp_path: Path) -> None:
    examples = {"ho-tich/dang-ky-khai-sinh": ("khai sinh cho con", "làm giấy khai sinh")}
    path = tmp_path / "examples.tsv"
    path.write_text(render(examples, "Header line\n\nsecond"), encoding="utf-8")
    assert load_examples(path) == examples
    assert path.read_text(encoding="utf-8").startswith("# Header line\n#\n# second\n")


def test_a_missing_file_is_no_examples(tmp_path: Path) -> None:
    assert load_examples(tmp_path / "absent.tsv") == {}


def test_a_line_without_a_tab_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "examples.tsv"
    path.write_text("a\tcâu một\nmột dòng không có cột\n", encoding="utf-8")
    with pytest.raises(ExamplesError, match=r"examples.tsv:2: expected an entry id"):
        load_examples(path)


def test_an_example_teaches_the_wording_its_entry_lacked() -> None:
    """Two entries that both say "di sản": a question in a citizen's words ("không muốn
    nhận phần") finds the refusal only once a question like it is an example of it."""
    entries = [
        entry("chung-thuc/phan-chia-di-san", "Chứng thực văn bản thỏa thuận phân chia di sản",
              "các anh em thống nhất chia đất bố mẹ để lại"),
        entry("chung-thuc/tu-choi-nhan-di-san", "Chứng thực văn bản từ chối nhận di sản"),
    ]
    question = "mẹ mất để lại đất, tôi không muốn nhận phần nào, nhường cho các anh"
    learned = {"chung-thuc/tu-choi-nhan-di-san": (
        "bố mất, tôi không muốn nhận phần đất nào, nhường hết cho em",)}

    def first(examples: dict[str, tuple[str, ...]]) -> str:
        index = SearchIndex.build(entries, examples=examples)
        return index.search(question).candidates[0].entry.id

    assert first({}) == "chung-thuc/phan-chia-di-san"
    assert first(learned) == "chung-thuc/tu-choi-nhan-di-san"


def test_the_cache_key_follows_the_examples_file_and_allows_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "examples.tsv"
    monkeypatch.setattr(cache, "EXAMPLES_PATH", path)
    folders = [tmp_path / "entries"]
    without = cache.cache_key(folders)  # no file: no examples, and no error
    path.write_text("a\tcâu một\n", encoding="utf-8")
    one = cache.cache_key(folders)
    path.write_text("a\tcâu hai\n", encoding="utf-8")
    assert len({without, one, cache.cache_key(folders)}) == 3


def test_a_file_not_in_utf8_is_reported_not_raised_raw(tmp_path: Path) -> None:
    path = tmp_path / "examples.tsv"
    path.write_bytes(b"a\tc\xe2u m\xf4t\n")  # Latin-1 bytes, not UTF-8
    with pytest.raises(ExamplesError, match="cannot read the examples file"):
        load_examples(path)
