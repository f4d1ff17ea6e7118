from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.cli import main
from handlers.cards import default_section
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.catalogue import Topic, load_catalogue
from knowledge.checker import check_loaded
from knowledge.entry import Channel, Kind, Section, TimeUnit
from knowledge.examples import EXAMPLES_PATH
from knowledge.loader import EntryError, load_entry, load_folders, parse_entry
from knowledge.writer import render_entry
from tests.factories import FIXED_NOW, VN, entry_text, write_entry

TODAY = FIXED_NOW.date()


def test_entry_file_is_parsed_into_fields_sections_and_channel_terms(tmp_path: Path) -> None:
    path = write_entry(tmp_path, entry_text(aliases=("làm giấy khai sinh", "ks")))
    entry = load_entry(path)
    assert entry.id == "ho-tich/dang-ky-khai-sinh"
    assert entry.kind is Kind.PROCEDURE
    assert entry.aliases == ("làm giấy khai sinh", "ks")
    assert entry.channels[0].channel is Channel.IN_PERSON
    assert entry.channels[0].unit is TimeUnit.WORKING_DAYS
    assert entry.section(Section.DOCUMENTS).startswith("- Tờ khai theo mẫu.")
    assert entry.legal_refs == ("60/2014/QH13",)


def test_situations_are_read_and_written_back(tmp_path: Path) -> None:
    told = ("con tôi sinh ở nhà, không có giấy chứng sinh", "sinh con ở nước ngoài về")
    front = "situations = [" + ", ".join(f'"{s}"' for s in told) + "]"
    entry = load_entry(write_entry(tmp_path, entry_text(extra_front=front)))
    assert entry.situations == told
    assert parse_entry(render_entry(entry)) == dataclasses.replace(entry, path=None)


def test_nfd_file_is_read_as_nfc(tmp_path: Path) -> None:
    import unicodedata

    path = write_entry(tmp_path, unicodedata.normalize("NFD", entry_text()))
    assert load_entry(path).title == unicodedata.normalize("NFC", "Đăng ký khai sinh")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("no front matter\n", 1, "must start with a '+++'"),
        ("+++\nid = 'a/b'\n", 1, "not closed"),
        (entry_text().replace('kind = "procedure"', 'kind = "procedure'), 3, "not valid TOML"),
        (entry_text().replace('kind = "procedure"', 'kind = "howto"'), 3,
         "'kind' must be one of 'procedure', 'guidance', 'redirect', got 'howto'"),
        (entry_text().replace("verified = 2026-11-01", 'verified = "yesterday"'), 8,
         "'verified' must be a date"),
        (entry_text().replace('id = "ho-tich/dang-ky-khai-sinh"', 'id = "Khai Sinh"'), 2,
         "id 'Khai Sinh' must look like"),
        (entry_text().replace("## Kết quả", "## Ket qua"), 35, "unknown section heading 'Ket qua'"),
        (entry_text().replace('fee = "Miễn lệ phí"', "fee = 0"), 11,
         "[[channels]] 'fee' must be a non-empty string"),
        (entry_text(extra_front='color = "red"'), 10, "unknown front matter key 'color'"),
        (entry_text().replace("time = 1", "time = inf", 1), 11,
         "[[channels]] 'time' must be a number from 0 to 10000"),
        (entry_text().replace("time = 1", "time = nan", 1), 11, "[[channels]] 'time' must be"),
        (entry_text().replace("time = 1", "time = -2", 1), 11, "[[channels]] 'time' must be"),
    ],
)
def test_broken_entries_are_located(text: str, line: int, message: str) -> None:
    with pytest.raises(EntryError) as raised:
        parse_entry(text)
    assert message in raised.value.message
    assert raised.value.line == line


def test_checker_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    write_entry(tmp_path, entry_text(), "a.md")
    write_entry(tmp_path, entry_text(), "b.md")  # same id again
    write_entry(tmp_path, entry_text(entry_id="ho-tich/khac", verified="2027-01-01"), "c.md")
    write_entry(tmp_path, entry_text(entry_id="ho-tich/cu", verified="2024-01-01"), "d.md")
    no_legal = entry_text(entry_id="ho-tich/thieu").replace("- Luật Hộ tịch số 60/2014/QH13.", "")
    write_entry(tmp_path, no_legal, "e.md")
    (tmp_path / "f.md").write_text("+++\nid = 1\n+++\n", encoding="utf-8")

    problems = check_loaded(load_folders([tmp_path]), [tmp_path], today=TODAY,
                            stale_after_days=365)
    shown = sorted(str(p).replace(str(tmp_path) + "/", "") for p in problems)
    assert shown == sorted([
        "b.md:1: error: id 'ho-tich/dang-ky-khai-sinh' is also used by a.md",
        "c.md:1: error: 'verified' date 2027-01-01 is in the future",
        "d.md:1: warning: not verified for 1062 days (limit 365)",
        "e.md:1: error: required section 'Căn cứ pháp lý' is empty",
        "e.md:1: error: legal basis cites no document number (like 60/2014/QH13)",
        "f.md:2: error: 'id' must be a non-empty string",
    ])


def test_checker_requires_every_catalogue_topic_and_matching_kind(tmp_path: Path) -> None:
    write_entry(tmp_path, entry_text(entry_id="ho-tich/dang-ky-khai-sinh/tre-bo-roi"))
    catalogue = [
        Topic("ho-tich/dang-ky-khai-sinh", Kind.GUIDANCE, "Đăng ký khai sinh"),
        Topic("ho-tich/dang-ky-khai-tu", Kind.PROCEDURE, "Đăng ký khai tử"),
    ]
    messages = [p.message for p in check_loaded(
        load_folders([tmp_path]), [tmp_path], today=TODAY, catalogue=catalogue
    )]
    assert messages == [
        "catalogue topic ho-tich/dang-ky-khai-sinh is a guidance, but the entry says "
        "kind = 'procedure'",
        "catalogue topic 'ho-tich/dang-ky-khai-tu' (Đăng ký khai tử) has no entry",
    ]


def test_bundled_knowledge_base_passes_the_checker() -> None:
    # The shipped entries are checked against the real Vietnam date, as `kb check` does:
    # a fixed test date would call entries verified after it "in the future".
    problems = check_loaded(
        load_folders([bundled_entries_path()]), [bundled_entries_path()],
        today=datetime.now(VN).date(), catalogue=load_catalogue(),
    )
    errors = [str(p) for p in problems if not p.warning and "has no entry" not in p.message]
    assert errors == []


def test_kb_check_command_exits_1_on_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_entry(tmp_path, entry_text().replace('kind = "procedure"', 'kind = "howto"'), "x.md")
    assert main(["kb", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.strip() == (
        f"{tmp_path / 'x.md'}:3: error: 'kind' must be one of 'procedure', 'guidance', "
        "'redirect', got 'howto'"
    )
    assert "Traceback" not in out


def test_kb_check_passes_a_good_folder(tmp_path: Path) -> None:
    write_entry(tmp_path, entry_text())
    assert main(["kb", "check", str(tmp_path)]) == 0


def test_kb_list_json_prints_one_object_per_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "list", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"id": "ho-tich/dang-ky-khai-sinh", "code": "1.001193", "title": "Đăng ký khai sinh",
            "kind": "procedure"} in records
    assert all(set(r) == {"id", "code", "title", "kind"} for r in records)


def test_curated_entry_replaces_imported_entry_with_the_same_code(tmp_path: Path) -> None:
    curated, imported = tmp_path / "curated", tmp_path / "imported"
    write_entry(curated, entry_text())
    write_entry(imported, entry_text(entry_id="tthc/1-001193", extra_front='origin = "imported"'))
    write_entry(imported, entry_text(entry_id="tthc/1-000001", code="1.000001",
                                     extra_front='origin = "imported"'))
    base = load_knowledge_base([imported, curated])
    assert sorted(e.id for e in base.entries) == ["ho-tich/dang-ky-khai-sinh", "tthc/1-000001"]


@pytest.mark.parametrize("command", [["chat"], ["search", "--json"], ["run"]])
def test_the_bot_does_not_start_on_a_broken_entry_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    kb = tmp_path / "kb"
    write_entry(kb, entry_text().replace('kind = "procedure"', 'kind = "x'), "broken.md")
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "bot.sqlite3"\n[knowledge]\nfolders = ["kb"]\n',
                      encoding="utf-8")
    assert main([*command, "--config", str(config)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{kb / 'broken.md'}:3: error: front matter is not valid TOML")


REDIRECT_TEXT = """+++
id = "chuyen-co-quan/cu-tru"
kind = "redirect"
title = "Đăng ký thường trú, tạm trú"
field = "Cư trú"
agency = "Công an cấp xã nơi cư trú"
verified = 2026-11-01
aliases = ["nhập hộ khẩu"]
+++

## Nơi nộp hồ sơ
Công an cấp xã nơi cư trú, hoặc trực tuyến trên Cổng Dịch vụ công quốc gia.

## Căn cứ pháp lý
- Luật Cư trú số 68/2020/QH14.

## Ghi chú
- UBND xã không tiếp nhận hồ sơ cư trú.
"""


def test_redirect_entry_loads_and_shows_who_handles_it_first(tmp_path: Path) -> None:
    entry = load_entry(write_entry(tmp_path, REDIRECT_TEXT))
    assert entry.kind is Kind.REDIRECT
    assert entry.channels == ()
    assert entry.legal_refs == ("68/2020/QH14",)
    assert default_section(entry) is Section.WHERE
    assert parse_entry(render_entry(entry)) == dataclasses.replace(entry, path=None)
    problems = check_loaded(load_folders([tmp_path]), [tmp_path], today=TODAY)
    assert problems == []


def test_kb_check_locates_a_redirect_without_its_where_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = REDIRECT_TEXT.index("## Nơi nộp hồ sơ")
    end = REDIRECT_TEXT.index("## Căn cứ pháp lý")
    without_where = REDIRECT_TEXT[:start] + REDIRECT_TEXT[end:]
    path = write_entry(tmp_path, without_where, "cu-tru.md")
    assert main(["kb", "check", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip() == (
        f"{path}:1: error: required section 'Nơi nộp hồ sơ' is empty"
    )


def test_a_redirect_takes_no_channel_terms() -> None:
    text = REDIRECT_TEXT.replace(
        "+++\n\n##", '[[channels]]\nchannel = "online"\nfee = "Miễn phí"\n+++\n\n##', 1
    )
    with pytest.raises(EntryError) as raised:
        parse_entry(text)
    assert raised.value.line == 9
    assert "a redirect has no [[channels]]" in raised.value.message



def test_kb_check_warns_of_examples_for_an_id_no_entry_has(tmp_path: Path) -> None:
    write_entry(tmp_path, entry_text())
    entry_id = load_folders([tmp_path]).entries[0].id
    examples = tmp_path / "examples.tsv"
    examples.write_text(f"{entry_id}\tcâu hỏi một\nho-tich/da-bo\tcâu hai\nho-tich/da-bo\tcâu ba\n",
                        encoding="utf-8")
    problems = check_loaded(load_folders([tmp_path]), [tmp_path], today=TODAY,
                            examples=examples)
    assert [str(p) for p in problems] == [
        f"{examples}: warning: 2 example questions for 'ho-tich/da-bo', which no entry has: "
        "the search ignores them"
    ]


def test_kb_check_reports_a_malformed_examples_line_where_it_is(tmp_path: Path) -> None:
    write_entry(tmp_path, entry_text())
    examples = tmp_path / "examples.tsv"
    examples.write_text("# header\nno tab here\n", encoding="utf-8")
    problems = check_loaded(load_folders([tmp_path]), [tmp_path], today=TODAY,
                            examples=examples)
    assert [str(p) for p in problems] == [
        f"{examples}:2: error: expected an entry id, a tab and a question"
    ]


def test_the_bundled_examples_name_only_bundled_entries() -> None:
    problems = check_loaded(
        load_folders([bundled_entries_path()]), [bundled_entries_path()],
        today=datetime.now(VN).date(), examples=EXAMPLES_PATH,
    )
    assert [str(p) for p in problems if "example" in p.message] == []
