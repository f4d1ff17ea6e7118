"""The national-portal importer: flattened tables recovered, bad records reported,
written files readable by the loader and clean for the checker."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.checker import check_loaded
from knowledge.entry import (
    Channel,
    ChannelTerms,
    Entry,
    Kind,
    Level,
    Origin,
    Section,
    TimeUnit,
)
from knowledge.importers.dichvucong import (
    DUPLICATE_CODE,
    DUPLICATE_CONTENT,
    MALFORMED_JSON,
    NO_CHANNEL_ROWS,
    NO_CODE,
    NO_FIELD,
    REORDERED_LIST,
    UNKNOWN_LEVEL,
    UNREADABLE_ROW,
    ImportReport,
    RecordProblem,
    import_file,
    import_lines,
)
from knowledge.importers.flattened import (
    GLUED_CELLS,
    IMPLAUSIBLE_TIME,
    ODD_TIME_UNIT,
    parse_channels,
    parse_legal,
    parse_steps,
)
from knowledge.importers.terms import (
    TIME_FROM_TEXT,
    TIMES_IN_TEXT_ONLY,
    UNIT_ASSUMED,
    read_terms,
)
from knowledge.loader import ID_PATTERN, load_folders, parse_entry
from knowledge.writer import render_entry
from tests.factories import entry_text, write_entry

SAMPLE = Path(__file__).parent / "fixtures" / "dichvucong-sample.jsonl"
IMPORTED_ON = date(2026, 11, 28)


@pytest.fixture(scope="module")
def report() -> ImportReport:
    return import_file(SAMPLE, verified=IMPORTED_ON)


def entry(report: ImportReport, code: str) -> Entry:
    return next(e for e in report.entries if e.code == code)


def test_records_become_imported_procedures_with_ids_from_the_national_code(
    report: ImportReport,
) -> None:
    birth = entry(report, "1.001193")
    assert birth.id == "tthc/1-001193"
    assert ID_PATTERN.match(birth.id)
    assert birth.kind is Kind.PROCEDURE
    assert birth.origin is Origin.IMPORTED
    assert birth.title == "Thủ tục đăng ký khai sinh"
    assert birth.field == "Hộ tịch"
    assert birth.levels == (Level.COMMUNE,)
    assert birth.agency == "Ủy ban nhân dân cấp xã"
    assert birth.published_by == "163/QĐ-BTP"
    assert birth.verified == IMPORTED_ON
    assert birth.source_urls == (
        "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
    )
    assert entry(report, "2.000815").levels == (Level.PROVINCE, Level.COMMUNE)


def test_channel_table_is_recovered_row_by_row(report: ImportReport) -> None:
    # "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí(…)Trực tiếp: nộp…"
    assert entry(report, "1.001193").channels == (
        ChannelTerms(Channel.ONLINE, 1, TimeUnit.WORKING_DAYS, "Miễn phí"),
        ChannelTerms(Channel.POST, 1, TimeUnit.WORKING_DAYS, "Miễn phí"),
        ChannelTerms(
            Channel.IN_PERSON, 1, TimeUnit.WORKING_DAYS,
            "Miễn phí (Miễn lệ phí đăng ký khai sinh đúng hạn)",
            "Trực tiếp: nộp tại Trung tâm Phục vụ hành chính công",
        ),
    )
    # Not recovered: the empty table (1.004873) and the one with an unreadable row.
    assert report.channel_tables == 3


def test_odd_time_texts_are_kept_as_notes_and_glued_cells_as_written(
    report: ImportReport,
) -> None:
    # "Trực tiếpKhông quy địnhMiễn phí…Trực tuyến120,000 VNĐ(/bản)Dịch vụ bưu chính2 Tháng…"
    in_person, online, post = entry(report, "2.000815").channels
    assert (in_person.time, in_person.fee) == (None, "Miễn phí")
    assert in_person.note == "Thời hạn: Không quy định\nTrong ngày làm việc"
    # "120,000" may be a time of 1 and 20,000 đồng, or no time and 120,000 đồng.
    assert (online.time, online.fee) == (None, "120,000 VNĐ (/bản)")
    assert "«120,000 VNĐ» liền ô thời hạn với ô lệ phí" in online.note
    assert (post.time, post.fee, post.note) == (None, "Không có thông tin", "Thời hạn: 2 Tháng")
    problems = [p for p in report.problems if p.code == "2.000815"]
    assert [p.reason for p in problems] == [GLUED_CELLS, ODD_TIME_UNIT]
    assert "perhaps a time of 1 and a fee of 20,000" in problems[0].detail


def test_time_and_fee_sections_are_sentences_built_from_the_channel_table(
    report: ImportReport,
) -> None:
    birth, copy = entry(report, "1.001193"), entry(report, "2.000815")
    assert birth.section(Section.TIME) == "1 ngày làm việc."
    assert copy.section(Section.TIME) == (
        "Không quy định nếu nộp trực tiếp; 2 Tháng nếu nộp qua bưu chính."
    )
    assert copy.section(Section.FEE) == (
        "Miễn phí nếu nộp trực tiếp; chưa rõ, Cổng ghi «120,000 VNĐ (/bản)» "
        "(ô thời hạn và ô lệ phí dính liền) nếu nộp trực tuyến."
    )
    assert "«120,000 VNĐ»" in copy.section(Section.NOTES)
    assert "hiểu là ngày làm việc" in birth.section(Section.NOTES)
    assert birth.section(Section.NOTES).startswith(
        "Nhập tự động từ Cổng Dịch vụ công quốc gia ngày 28/11/2026; chưa được biên tập."
    )


def test_documents_are_split_into_groups_with_counts_and_templates(
    report: ImportReport,
) -> None:
    assert entry(report, "1.001193").section(Section.DOCUMENTS) == (
        "Giấy tờ phải nộp:\n"
        "- Tờ khai đăng ký khai sinh theo mẫu; (1 bản chính; mẫu: To khai khai sinh.docx)\n"
        "- Giấy chứng sinh do cơ sở y tế cấp. (1 bản chính)\n"
        "- Văn bản ủy quyền (nếu có). (1 bản sao)\n"
        "\n"
        "Giấy tờ phải xuất trình:\n"
        "- Giấy tờ tùy thân có ảnh (01 bản sao không cần chứng thực). (1 bản chính)"
    )


def test_steps_are_numbered_with_wrapped_lines_joined(report: ImportReport) -> None:
    assert entry(report, "1.001193").section(Section.STEPS) == (
        "1. Người yêu cầu nộp hồ sơ tại Trung tâm Phục vụ hành chính công.\n"
        "2. Cán bộ tiếp nhận kiểm tra hồ sơ:\n"
        "   - Hồ sơ đầy đủ thì tiếp nhận;\n"
        "     - nhận sau 15 giờ thì trả kết quả vào ngày làm việc tiếp theo.\n"
        "3. Trả Giấy khai sinh cho người yêu cầu."
    )


def test_legal_basis_lists_name_and_number_pairs(report: ImportReport) -> None:
    birth = entry(report, "1.001193")
    assert birth.section(Section.LEGAL) == (
        "- Luật Hộ tịch số 60/2014/QH13 ngày 20/11/2014 của Quốc hội (60/2014/QH13)\n"
        "- Nghị định quy định chi tiết Luật Hộ tịch (123/2015/NĐ-CP)\n"
        "- sửa đổi, bổ sung Nghị định 123/2015/NĐ-CP (07/2025/NĐ-CP)"
    )
    assert birth.legal_refs == ("60/2014/QH13", "123/2015/NĐ-CP", "07/2025/NĐ-CP")


@pytest.mark.parametrize(
    ("flattened", "documents"),
    [
        # The next name starts with a capital the greedy number match swallows.
        ("Luật Hộ tịch60/2014/QH13Thông tư hướng dẫn04/2020/TT-BTP",
         ["Luật Hộ tịch (60/2014/QH13)", "Thông tư hướng dẫn (04/2020/TT-BTP)"]),
        # The name ends with the same number, glued to the number cell.
        ("Nghị định 155/2020/NĐ-CP155/2020/NĐ-CPLuật 60/2014/QH1360/2014/QH13",
         ["Nghị định 155/2020/NĐ-CP (155/2020/NĐ-CP)", "Luật 60/2014/QH13 (60/2014/QH13)"]),
        # A year ends the name; a number cited with "số" is not a cell.
        ("Luật Cư trú 202068/2020/QH14Thông tư số 66/2023/TT-BCA Sửa đổi66/2023/TT-BCA",
         ["Luật Cư trú 2020 (68/2020/QH14)",
          "Thông tư số 66/2023/TT-BCA Sửa đổi (66/2023/TT-BCA)"]),
        ("Quyết định về hỗ trợ12/2020/QĐ-TTg", ["Quyết định về hỗ trợ (12/2020/QĐ-TTg)"]),
        ("Văn bản không có số", ["Văn bản không có số"]),
    ],
)
def test_legal_table_recovery_handles_glued_cells(flattened: str, documents: list[str]) -> None:
    assert parse_legal("Tên văn bản pháp lýMã văn bản" + flattened) == documents


def test_result_and_conditions_drop_portal_interface_text(report: ImportReport) -> None:
    birth = entry(report, "1.001193")
    assert birth.section(Section.RESULT) == "- Giấy khai sinh\n- Bản sao Giấy khai sinh"
    assert entry(report, "2.000815").section(Section.RESULT) == "Bản sao được chứng thực"
    assert birth.section(Section.CONDITIONS) == "Đăng ký trong 60 ngày kể từ ngày sinh."
    assert entry(report, "2.000815").section(Section.WHERE) == (
        "- Cơ quan có thẩm quyền: Ủy ban nhân dân cấp xã\n"
        "- Địa chỉ tiếp nhận: Bộ phận Một cửa cấp xã"
    )


def test_no_information_means_empty_sections(report: ImportReport) -> None:
    sparse = entry(report, "1.004873")
    assert set(sparse.sections) == {Section.NOTES}
    assert sparse.channels == ()
    assert sparse.agency == ""


def test_report_locates_every_bad_record(report: ImportReport) -> None:
    assert report.records == 8  # the blank line is not a record
    problems = [(p.line, p.code, p.reason, p.skipped) for p in report.problems]
    assert problems == [
        (1, "1.001193", UNIT_ASSUMED, False),
        (2, "2.000815", GLUED_CELLS, False),
        (2, "2.000815", ODD_TIME_UNIT, False),
        (4, None, MALFORMED_JSON, True),
        (6, None, NO_CODE, True),
        (7, "1.004873", NO_FIELD, False),
        (7, "1.004873", NO_CHANNEL_ROWS, False),
        (8, "1.012345", UNKNOWN_LEVEL, False),
        (8, "1.012345", UNREADABLE_ROW, False),
        (9, "1.001193", DUPLICATE_CODE, True),
    ]
    assert report.skipped() == {MALFORMED_JSON: 1, NO_CODE: 1, DUPLICATE_CODE: 1}
    assert [e.code for e in report.entries] == [
        "1.001193", "2.000815", "1.000105", "1.004873", "1.012345",
    ]
    unreadable = next(p for p in report.problems if p.reason == UNREADABLE_ROW)
    assert str(unreadable) == (
        "line 8 (1.012345): unreadable channel row: "
        "Trực tuyếnXem hướng dẫn trên Cổng dịch vụ công"
    )
    # The readable row of the same table is kept.
    assert entry(report, "1.012345").channels == (
        ChannelTerms(Channel.IN_PERSON, 5, TimeUnit.WORKING_DAYS, "Miễn phí"),
    )


@pytest.mark.parametrize(
    "line",
    ["[1, 2]", '"text"', b'{"ma_thu_tuc": "1.1", "ten_thu_tuc": "\xff"}', '{"ma_thu_tuc": 1.5}'],
)
def test_any_line_is_reported_rather_than_raised(line: str | bytes) -> None:
    report = import_lines([line], verified=IMPORTED_ON)
    assert report.entries == []
    assert [p.skipped for p in report.problems] == [True]


def test_level_filter_keeps_only_commune_procedures() -> None:
    report = import_file(SAMPLE, verified=IMPORTED_ON, level=Level.COMMUNE)
    assert [e.code for e in report.entries] == ["1.001193", "2.000815", "1.004873", "1.012345"]
    assert report.filtered == 1
    assert all(Level.COMMUNE in e.levels for e in report.entries)


def test_imported_entries_survive_the_writer_round_trip(report: ImportReport) -> None:
    for imported in report.entries:
        assert parse_entry(render_entry(imported)) == imported


def test_curated_entry_survives_the_writer_round_trip() -> None:
    curated = load_folders([bundled_entries_path()]).entries[0]
    assert parse_entry(render_entry(curated)) == dataclasses.replace(curated, path=None)


_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), min_size=1
).map(str.strip).filter(bool)


@given(title=_text, note=_text, agency=_text, time=st.none() | st.floats(0, 10_000))
def test_front_matter_values_round_trip_with_any_characters(
    title: str, note: str, agency: str, time: float | None
) -> None:
    original = Entry(
        id="tthc/1-000001", kind=Kind.PROCEDURE, title=title, field="Hộ tịch",
        verified=IMPORTED_ON, origin=Origin.IMPORTED, agency=agency,
        channels=(ChannelTerms(Channel.POST, time, TimeUnit.HOURS, note, note),),
    )
    assert parse_entry(render_entry(original)) == original


@pytest.mark.parametrize("body", ["## Kết quả khác", "một\u2028hai"])
def test_writer_refuses_bodies_the_loader_would_read_differently(body: str) -> None:
    bad = Entry(
        id="tthc/1-000001", kind=Kind.PROCEDURE, title="T", field="F", verified=IMPORTED_ON,
        sections={Section.NOTES: f"Dòng đầu\n{body}"},
    )
    with pytest.raises(ValueError, match="Ghi chú"):
        render_entry(bad)


def test_cli_import_writes_files_that_load_and_check_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray ./config.toml
    out = tmp_path / "imported"
    code = main(["kb", "import", "--from", "dichvucong", str(SAMPLE), "--out", str(out),
                 "--level", "xa", "--verbose"])
    assert code == 0
    err = capsys.readouterr().err
    assert "line 4: skipped, malformed JSON" in err
    summary = err[err.index("8 records read"):].splitlines()
    assert summary[:4] == [
        "8 records read",
        "1 not tagged level xa by the portal",
        f"4 entries written to {out}, 3 records skipped (malformed JSON: 1, no usable code: 1, "
        "duplicate code: 1), channel table recovered for 2",
        "records touched, by problem kind:",
    ]
    assert "     1  time and fee cells glued" in summary
    assert len(summary) == 4 + 10
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == [
        "tthc/1-001193.md", "tthc/1-004873.md", "tthc/1-012345.md", "tthc/2-000815.md",
    ]
    loaded = load_folders([out])
    assert loaded.problems == []
    assert len(loaded.entries) == 4
    vietnam_today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # what the import stamps
    assert check_loaded(load_folders([out]), [out], today=vietnam_today) == []
    assert main(["kb", "check", str(out)]) == 0


def test_cli_import_reports_an_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "missing.jsonl"
    assert main(["kb", "import", "--from", "dichvucong", str(missing), "--out", "x"]) == 1
    assert "missing.jsonl" in capsys.readouterr().err


def test_curated_entry_replaces_the_imported_one_with_the_same_code(tmp_path: Path) -> None:
    write_entry(tmp_path / "curated", entry_text(code="1.001193"))
    imported = tmp_path / "imported"
    for e in import_file(SAMPLE, verified=IMPORTED_ON).entries:
        write_entry(imported, render_entry(e))
    base = load_knowledge_base([tmp_path / "curated", imported])
    assert [e.id for e in base.entries if e.code == "1.001193"] == ["ho-tich/dang-ky-khai-sinh"]
    assert base.get("tthc/1-001193") is None
    assert base.get("tthc/2-000815") is not None
    assert len(base.entries) == 5


def test_cli_stats_counts_entries_by_field_kind_and_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_entry(tmp_path / "kb", entry_text(code="1.001193"))
    write_entry(tmp_path / "kb", entry_text("ho-tich/trich-luc", "Trích lục", code="1.000001",
                                            kind="guidance"))
    assert main(["kb", "import", "--from", "dichvucong", str(SAMPLE), "--out",
                 str(tmp_path / "kb")]) == 0
    capsys.readouterr()
    assert main(["kb", "stats", "--json", str(tmp_path / "kb")]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "entries": 6,  # the imported birth registration gives way to the curated one
        "field": {"Hộ tịch": 2, "Chứng thực": 1, "Lý lịch tư pháp": 1, "Chưa phân loại": 1,
                  "Văn hóa cơ sở": 1},
        "kind": {"procedure": 5, "guidance": 1},
        "origin": {"imported": 4, "curated": 2},
    }
    assert main(["kb", "stats", str(tmp_path / "kb")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("6 entries\n\nby field:\n     2  Hộ tịch\n")
    assert "\nby origin:\n     4  imported\n     2  curated\n" in text


def test_record_problem_reads_as_one_line() -> None:
    problem = RecordProblem(12, "1.000001", NO_CHANNEL_ROWS)
    assert str(problem) == "line 12 (1.000001): no channel rows"
    assert str(RecordProblem(3, None, MALFORMED_JSON, "Expecting value", True)) == (
        "line 3: skipped, malformed JSON: Expecting value"
    )


def test_cli_stats_and_list_fail_when_a_folder_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert main(["kb", "stats", str(missing)]) == 1
    assert f"{missing}: error: knowledge-base folder does not exist" in capsys.readouterr().err
    config = tmp_path / "config.toml"
    config.write_text(f'[knowledge]\nfolders = ["{missing.name}"]\n', encoding="utf-8")
    assert main(["kb", "list", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "ho-tich/dang-ky-khai-sinh" in captured.out  # the bundled entries still listed
    assert "knowledge-base folder does not exist" in captured.err


def test_an_implausible_time_is_kept_as_text_not_as_a_number() -> None:
    (row,) = parse_channels("Trực tiếp20000 Ngày làm việcMiễn phí").rows
    assert row.time is None
    assert row.time_text == "20000 Ngày làm việc"
    assert row.doubts == ((IMPLAUSIBLE_TIME, "'20000 Ngày làm việc' kept as text"),)


# --- Real records that the importer once misread (tests/fixtures/dichvucong-cases.jsonl) ---

CASES = Path(__file__).parent / "fixtures" / "dichvucong-cases.jsonl"


@pytest.fixture(scope="module")
def cases() -> ImportReport:
    return import_file(CASES, verified=IMPORTED_ON, portal_level=Level.COMMUNE)


def test_level_xa_leaves_out_what_customs_tax_treasury_and_waterway_agencies_handle() -> None:
    report = import_file(CASES, verified=IMPORTED_ON, level=Level.COMMUNE)
    assert {p.code: p.reason for p in report.excluded} == {
        "1.008312": "tax agency", "1.003050": "customs agency", "1.000014": "customs agency",
        "1.009092": "customs agency", "3.000114": "treasury",
        "1.002372": "waterway or maritime authority", "1.007277": "tax agency",
    }
    tax = next(p for p in report.excluded if p.code == "1.007277")
    assert tax.detail == "no agency named; field 'Thuế'"
    # A waterway record the commune handles: no agency named, the steps name it.
    assert [e.code for e in report.entries] == [
        "1.001612", "1.012533", "1.001266", "1.000253", "2.001428", "1.009454",
    ]
    assert all(Level.COMMUNE in e.levels for e in report.entries)


def test_portal_level_keeps_every_record_the_portal_tags(cases: ImportReport) -> None:
    assert cases.excluded == []
    assert len(cases.entries) == 13  # 14 records, one a copy of another


def test_glued_time_and_fee_cells_are_kept_as_written_not_split(cases: ImportReport) -> None:
    # "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)": once a time of 1 and a fee of 20 VNĐ.
    online, in_person = entry(cases, "1.000014").channels
    assert (online.time, online.fee) == (None, "120 VNĐ (20.000 vnđ /tờ khai)")
    assert "«120 VNĐ» liền ô thời hạn với ô lệ phí" in in_person.note
    # "Trực tiếp1500 VNĐ(…)": once a time of 1 and a fee of 500.
    customs = entry(cases, "1.009092")
    assert [(c.time, c.fee) for c in customs.channels] == [
        (1, "Miễn phí"), (None, "1500 VNĐ (đối với phương tiện quá cảnh đường thuỷ)"),
    ]
    assert customs.section(Section.FEE).endswith(
        "chưa rõ, Cổng ghi «1500 VNĐ (đối với phương tiện quá cảnh đường thuỷ)» "
        "(ô thời hạn và ô lệ phí dính liền) nếu nộp trực tiếp."
    )
    assert "«1500 VNĐ»" in customs.section(Section.NOTES)
    glued = {p.code for p in cases.problems if p.reason == GLUED_CELLS}
    assert glued == {"1.000014", "1.009092"}


def test_time_limit_is_taken_from_the_procedure_text_when_the_table_has_none(
    cases: ImportReport,
) -> None:
    business = entry(cases, "1.001612")
    assert [(c.time, c.unit) for c in business.channels] == [(3, TimeUnit.WORKING_DAYS)] * 3
    clause = "trong thời hạn 03 ngày làm việc kể từ ngày nhận hồ sơ"
    assert all(f"Thời hạn lấy từ trình tự thực hiện: «{clause}»" in c.note
               for c in business.channels)
    assert business.section(Section.TIME) == (
        "3 ngày làm việc (theo trình tự thực hiện; bảng của Cổng không ghi thời hạn)."
    )
    assert f"Thời hạn lấy từ phần trình tự thực hiện («{clause}»)" in business.section(
        Section.NOTES
    )
    assert [(p.code, p.detail) for p in cases.problems if p.reason == TIME_FROM_TEXT] == [
        ("1.001612", clause),
    ]


_TWO_LIMITS = ("Trong thời hạn 05 ngày làm việc, xã lập danh sách.\n"
               "Trong thời hạn 10 ngày, tỉnh quyết định.")
_QUOTED = ("«Trong thời hạn 05 ngày làm việc, xã lập danh sách»; "
           "«Trong thời hạn 10 ngày, tỉnh quyết định».")


@pytest.mark.parametrize(
    ("table", "time"),
    [
        ("Trực tiếpKhông có thông tinMiễn phí",
         f"Bảng của Cổng không ghi thời hạn; phần trình tự thực hiện nêu: {_QUOTED}"),
        ("Trực tuyến3 Ngày làm việcMiễn phíTrực tiếpKhông có thông tinMiễn phí",
         f"3 ngày làm việc nếu nộp trực tuyến. Phần trình tự thực hiện nêu: {_QUOTED}"),
    ],
)
def test_several_time_limits_in_the_text_are_quoted_not_chosen(table: str, time: str) -> None:
    terms = read_terms(parse_channels(table).rows, _TWO_LIMITS)
    assert terms.channels[-1].time is None
    assert terms.time == time
    assert [reason for reason, _ in terms.issues] == [TIMES_IN_TEXT_ONLY]


def test_rows_of_one_channel_are_successive_stages(cases: ImportReport) -> None:
    # "Trực tiếp15 Ngày làm việc…Trực tiếp3 Ngày làm việc…"
    selection = entry(cases, "1.012533")
    assert selection.section(Section.TIME) == "15 ngày làm việc, sau đó 3 ngày làm việc."
    assert [c.note.split("\n")[0] for c in selection.channels] == [
        "Giai đoạn 1/2", "Giai đoạn 2/2",
    ]
    assert "giai đoạn nối tiếp" in selection.section(Section.NOTES)


def test_a_free_fee_the_council_sets_is_not_called_free(cases: ImportReport) -> None:
    fee = entry(cases, "1.001266").section(Section.FEE)
    assert fee.startswith("Theo mức Hội đồng nhân dân cấp tỉnh quyết định (Cổng ghi «Miễn phí")
    assert "Miễn phí" not in fee.split("(")[0]
    (free,) = parse_channels(
        "Trực tuyến3 Ngày làm việcMiễn phí(Không thu lệ phí đăng ký đối với tổ hợp tác "
        "theo quy định tại khoản 2 Điều 22 Luật Hợp tác xã 2023.)"
    ).rows
    assert not free.council_fee and free.doubts == ()


def test_documents_keep_their_enumerated_order_nested_items_and_no_file_names(
    cases: ImportReport,
) -> None:
    # The portal lists (iv), (v), (ii), (iii), (i).
    documents = entry(cases, "1.001612").section(Section.DOCUMENTS).split("\n")
    assert [line[:6] for line in documents[1:7]] == [
        "- (i) ", "- (ii)", "- (iii", "- (iv)", "- (v) ", "- Trườ",
    ]
    assert next((p.code, p.detail) for p in cases.problems if p.reason == REORDERED_LIST) == (
        "1.001612", "in 1 table",
    )
    customs = entry(cases, "1.003050").section(Section.DOCUMENTS).split("\n")
    at = customs.index("- Tuỳ trường hợp cụ thể dưới đây, người khai hải quan nộp thêm, xuất "
                       "trình các chứng từ sau: (1 bản chính)")
    assert [line[:8] for line in customs[at + 1: at + 4]] == ["  - Bản ", "  - Giấy", "  - Các "]
    assert entry(cases, "1.008312").section(Section.DOCUMENTS).startswith(
        "- Tờ khai thuế tài nguyên, khai quyết toán thuế tài nguyên mẫu số 01/TAIN "
        "(1 bản chính; mẫu: Mẫu số 01 TAIN.docx)\n"
    )


def test_glued_legal_references_are_split(cases: ImportReport) -> None:
    assert entry(cases, "1.000253").legal_refs == ("47/2014/QH13", "53/2016/TT-BCA")
    assert entry(cases, "1.000253").section(Section.LEGAL).startswith(
        "- Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam "
        "(47/2014/QH13)\n"
    )


def test_records_identical_but_for_their_code_are_merged(cases: ImportReport) -> None:
    (merged,) = [p for p in cases.problems if p.reason == DUPLICATE_CONTENT]
    assert (merged.line, merged.code, merged.skipped) == (10, "3.000226", True)
    assert merged.detail == "merged into 2.001428 (line 9)"
    assert "dưới cả các mã 3.000226" in entry(cases, "2.001428").section(Section.NOTES)
    assert cases.touched()[DUPLICATE_CONTENT] == 1


def _import(out: Path, *extra: str, source: Path = SAMPLE) -> int:
    return main(["kb", "import", "--from", "dichvucong", str(source), "--out", str(out), *extra])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder: no stray ./config.toml."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_import_refuses_to_overwrite_edited_files_without_force(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = workdir / "imported"
    assert _import(out) == 0
    edited = out / "tthc" / "1-001193.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nSửa tay.\n", encoding="utf-8")
    untouched = (out / "tthc" / "2-000815.md").read_bytes()
    capsys.readouterr()
    assert _import(out) == 1
    err = capsys.readouterr().err
    assert f"{edited}: edited since it was imported" in err
    assert "nothing written (--force overwrites them)" in err
    assert edited.read_text(encoding="utf-8").endswith("Sửa tay.\n")
    assert (out / "tthc" / "2-000815.md").read_bytes() == untouched
    assert _import(out, "--force") == 0
    assert "Sửa tay" not in edited.read_text(encoding="utf-8")
    assert _import(out) == 0  # the manifest now knows the rewritten file


def test_cli_import_reports_stale_files_and_fails_when_it_writes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = workdir / "imported"
    assert _import(out) == 0
    assert _import(out, "--level", "xa") == 0  # 1.000105 is a provincial procedure
    err = capsys.readouterr().err
    stale = out / "tthc" / "1-000105.md"
    assert f"{stale}: stale: an earlier import wrote it, this one did not" in err
    assert stale.is_file()  # reported, not deleted
    empty = workdir / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert _import(workdir / "nothing", source=empty) == 1
    assert "error: no entry written" in capsys.readouterr().err


def test_cli_import_lists_what_level_xa_left_out_and_why(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(workdir / "out", "--level", "xa", "--verbose", source=CASES) == 0
    err = capsys.readouterr().err
    assert "line 11 (3.000114): treasury: Kho bạc nhà nước các cấp" in err
    assert ("7 not handled by a commune (customs agency: 3, tax agency: 2, treasury: 1, "
            "waterway or maritime authority: 1)") in err
    assert "     1  same content as another code" in err
    assert main(["kb", "check", str(workdir / "out")]) == 0


def test_a_step_opening_with_a_plus_bullet_loses_the_bullet_and_keeps_its_sub_items() -> None:
    # As in the identity-card records: "Bước 1: + Công dân đến Công an cấp xã…"
    assert parse_steps("Bước 1: + Công dân nộp hồ sơ.\n+ Kèm giấy tờ.\nBước 2: Nhận kết quả.") == (
        "1. Công dân nộp hồ sơ.\n     - Kèm giấy tờ.\n2. Nhận kết quả."
    )
