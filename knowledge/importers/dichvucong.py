"""Imports procedure records of the national public service portal (Cổng Dịch vụ công
quốc gia), one JSON object per line as collected by the public crawler.

Importing never stops on a bad record: every problem lands in the `ImportReport`
with the record's line number. A record is skipped only when it cannot become an
entry at all (unreadable JSON, no usable code or title, a code already imported);
anything else is imported as far as it goes and reported.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.entry import Entry, Kind, Level, Origin, Section
from knowledge.importers.flattened import (
    NO_INFO,
    informative,
    one_line,
    parse_channels,
    parse_documents,
    parse_legal,
    parse_results,
    parse_steps,
)
from knowledge.importers.scope import commune_scope
from knowledge.importers.terms import read_terms
from knowledge.loader import ID_PATTERN

ID_PREFIX = "tthc/"
UNKNOWN_FIELD = "Chưa phân loại"
LEVELS = {
    "Cấp xã": Level.COMMUNE,
    "Cấp tỉnh": Level.PROVINCE,
    "Cấp bộ": Level.MINISTRY,
    "Cơ quan khác": Level.OTHER,
}
# Keys that differ between copies of one procedure published under several codes.
_IDENTITY_KEYS = ("ma_thu_tuc", "detail_url", "formality_id")

# Problem reasons, kept short and stable: the CLI counts records by them.
MALFORMED_JSON = "malformed JSON"
NOT_AN_OBJECT = "not a JSON object"
NO_CODE = "no usable code"
NO_TITLE = "no title"
DUPLICATE_CODE = "duplicate code"
DUPLICATE_CONTENT = "same content as another code"
UNREADABLE_ROW = "unreadable channel row"
NO_CHANNEL_ROWS = "no channel rows"
REORDERED_LIST = "enumerated documents put back in order"
UNKNOWN_LEVEL = "unknown level"
NO_FIELD = "no field"


@dataclass(frozen=True)
class RecordProblem:
    line: int
    code: str | None
    reason: str
    detail: str = ""
    skipped: bool = False

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.code})" if self.code else "")
        verdict = "skipped, " if self.skipped else ""
        return f"{where}: {verdict}{self.reason}" + (f": {self.detail}" if self.detail else "")


@dataclass
class ImportReport:
    entries: list[Entry] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    records: int = 0  # non-blank input lines
    filtered: int = 0  # records whose portal level tag is not the one asked for
    excluded: list[RecordProblem] = field(default_factory=list)  # not handled by a commune
    channel_tables: int = 0  # entries whose channel table was recovered row by row

    def skipped(self) -> Counter[str]:
        return Counter(p.reason for p in self.problems if p.skipped)

    def touched(self) -> Counter[str]:
        """How many records each kind of problem touched, skips included."""
        return Counter(reason for _, reason in {(p.line, p.reason) for p in self.problems})


def import_file(
    path: Path, *, verified: date, level: Level | None = None, portal_level: Level | None = None
) -> ImportReport:
    """Import a JSON Lines file; raises OSError only when the file cannot be read."""
    with path.open("rb") as lines:
        return import_lines(lines, verified=verified, level=level, portal_level=portal_level)


def import_lines(
    lines: Iterable[str | bytes],
    *,
    verified: date,
    level: Level | None = None,
    portal_level: Level | None = None,
) -> ImportReport:
    """Entries from portal records; `verified` is the import date.

    `portal_level` keeps the records the portal tags with that level; `level` does
    too and, for the commune level, also leaves out the records whose acting agency
    is not the commune's (see knowledge.importers.scope). Records identical apart
    from their code are merged into the first one.
    """
    report = ImportReport()
    first_line: dict[str, int] = {}
    first_copy: dict[str, tuple[int, str]] = {}  # content → (entry index, code)
    copies: dict[int, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.records += 1
        try:
            record = json.loads(line)
        except ValueError as err:  # also UnicodeDecodeError
            report.problems.append(RecordProblem(number, None, MALFORMED_JSON, str(err), True))
            continue
        if not isinstance(record, dict):
            report.problems.append(RecordProblem(number, None, NOT_AN_OBJECT, skipped=True))
            continue
        tag = level or portal_level
        if tag is not None and tag not in _levels(record)[0]:
            report.filtered += 1
            continue
        code = _text(record, "ma_thu_tuc").strip() or None
        if level is Level.COMMUNE and not (scope := commune_scope(record)).commune:
            report.excluded.append(RecordProblem(number, code, scope.reason, scope.evidence))
            continue
        content = json.dumps(
            {k: v for k, v in record.items() if k not in _IDENTITY_KEYS}, sort_keys=True
        )
        if content in first_copy and code:
            index, kept = first_copy[content]
            detail = f"merged into {kept} (line {first_line[report.entries[index].id]})"
            report.problems.append(RecordProblem(number, code, DUPLICATE_CONTENT, detail, True))
            copies[index].append(code)
            continue
        converted = convert_record(record, verified)
        entry = converted.entry
        if entry is not None and entry.id in first_line:
            detail = f"already imported from line {first_line[entry.id]}"
            report.problems.append(RecordProblem(number, code, DUPLICATE_CODE, detail, True))
            continue
        report.problems.extend(
            RecordProblem(number, code, reason, detail, entry is None)
            for reason, detail in converted.issues
        )
        if entry is None:
            continue
        first_line[entry.id] = number
        first_copy[content] = (len(report.entries), entry.code or "")
        copies[len(report.entries)] = []
        report.entries.append(entry)
        if entry.channels and not any(r == UNREADABLE_ROW for r, _ in converted.issues):
            report.channel_tables += 1
    for index, codes in copies.items():
        if codes:
            report.entries[index] = _with_copies(report.entries[index], codes)
    return report


def _with_copies(entry: Entry, codes: list[str]) -> Entry:
    note = (f"Cổng đăng thủ tục này với cùng nội dung dưới cả các mã {', '.join(codes)}; "
            "các bản trùng đã được gộp vào mục này.")
    sections = dict(entry.sections)
    sections[Section.NOTES] = f"{sections[Section.NOTES]}\n{note}"
    return dataclasses.replace(entry, sections=sections)


@dataclass(frozen=True)
class Converted:
    """An entry, or None when the record had to be skipped for the first issue."""

    entry: Entry | None
    issues: list[tuple[str, str]]  # (reason, detail)


def convert_record(record: Mapping[str, Any], verified: date) -> Converted:
    code = one_line(_text(record, "ma_thu_tuc"))
    entry_id = ID_PREFIX + code.replace(".", "-").lower()
    if not code or not ID_PATTERN.match(entry_id):
        detail = f"code {code!r} cannot form an entry id" if code else ""
        return Converted(None, [(NO_CODE, detail)])
    title = one_line(informative(_text(record, "ten_thu_tuc")))
    if not title:
        return Converted(None, [(NO_TITLE, "")])

    issues: list[tuple[str, str]] = []
    levels, unknown = _levels(record)
    issues.extend((UNKNOWN_LEVEL, name) for name in unknown)
    subject = one_line(informative(_text(record, "linh_vuc")))
    if not subject:
        issues.append((NO_FIELD, f"filed under '{UNKNOWN_FIELD}'"))
    table = parse_channels(_text(record, "cach_thuc_thuc_hien"))
    issues.extend((UNREADABLE_ROW, one_line(raw)[:120]) for raw in table.unreadable)
    if not table.rows and not table.unreadable:
        issues.append((NO_CHANNEL_ROWS, ""))
    steps = _text(record, "trinh_tu_thuc_hien")
    terms = read_terms(table.rows, steps)
    issues.extend(terms.issues)
    documents, reordered = parse_documents(_text(record, "thanh_phan_ho_so"))
    if reordered:
        issues.append((REORDERED_LIST, f"in {reordered} table{'s' if reordered > 1 else ''}"))

    authority = one_line(informative(_text(record, "co_quan_co_tham_quyen")))
    executor = one_line(informative(_text(record, "co_quan_thuc_hien")))
    decision = one_line(informative(_text(record, "so_quyet_dinh")))
    url = _text(record, "detail_url").strip()
    sections = {
        Section.DOCUMENTS: documents,
        Section.STEPS: parse_steps(steps),
        Section.TIME: terms.time,
        Section.FEE: terms.fee,
        Section.WHERE: _where(record),
        Section.RESULT: parse_results(_text(record, "ket_qua_xu_ly")),
        Section.CONDITIONS: informative(_text(record, "yeu_cau_dieu_kien")),
        Section.LEGAL: "\n".join(f"- {d}" for d in parse_legal(_text(record, "can_cu_phap_ly"))),
        Section.NOTES: "\n".join((_imported_on(verified), *terms.notes)),
    }
    entry = Entry(
        id=entry_id,
        kind=Kind.PROCEDURE,
        title=title,
        field=subject or UNKNOWN_FIELD,
        verified=verified,
        origin=Origin.IMPORTED,
        code=code,
        levels=levels,
        agency=authority or executor,
        channels=terms.channels,
        published_by=decision or None,
        source_urls=(url,) if url.startswith(("https://", "http://")) else (),
        sections={section: text.strip() for section, text in sections.items() if text.strip()},
    )
    return Converted(entry, issues)


def _text(record: Mapping[str, Any], key: str) -> str:
    """A field as text; anything that is not a string counts as missing."""
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _levels(record: Mapping[str, Any]) -> tuple[tuple[Level, ...], list[str]]:
    """Known levels of "Cấp bộ, Cấp tỉnh, Cấp xã", and the names not recognised."""
    names = [one_line(n) for n in _text(record, "cap_thuc_hien").split(",") if n.strip()]
    known = tuple(dict.fromkeys(LEVELS[n] for n in names if n in LEVELS))
    return known, [n for n in names if n not in LEVELS and n != NO_INFO]


def _where(record: Mapping[str, Any]) -> str:
    lines: dict[str, str] = {}
    for key, label in (
        ("co_quan_thuc_hien", "Cơ quan thực hiện"),
        ("co_quan_co_tham_quyen", "Cơ quan có thẩm quyền"),
        ("co_quan_duoc_uy_quyen", "Cơ quan được ủy quyền"),
        ("dia_chi_tiep_nhan", "Địa chỉ tiếp nhận"),
    ):
        value = one_line(informative(_text(record, key)))
        if value and value not in lines:
            lines[value] = f"- {label}: {value}"
    return "\n".join(lines.values())


def _imported_on(verified: date) -> str:
    return (
        f"Nhập tự động từ Cổng Dịch vụ công quốc gia ngày {verified:%d/%m/%Y}; "
        "chưa được biên tập."
    )
