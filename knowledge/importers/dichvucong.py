"""Imports procedure records of the national public service portal (Cổng Dịch vụ công
quốc gia), one JSON object per line as collected by the public crawler.

Importing never stops on a bad record: every problem lands in the `ImportReport`
with the record's line number. A record is skipped only when it cannot become an
entry at all (unreadable JSON, no usable code or title, a code already imported);
anything else is imported as far as it goes and reported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.entry import Channel, ChannelTerms, Entry, Kind, Level, Origin, Section, TimeUnit
from knowledge.importers.flattened import (
    NO_INFO,
    ChannelRow,
    informative,
    one_line,
    parse_channels,
    parse_documents,
    parse_legal,
    parse_results,
    parse_steps,
)
from knowledge.loader import ID_PATTERN

ID_PREFIX = "tthc/"
UNKNOWN_FIELD = "Chưa phân loại"
LEVELS = {
    "Cấp xã": Level.COMMUNE,
    "Cấp tỉnh": Level.PROVINCE,
    "Cấp bộ": Level.MINISTRY,
    "Cơ quan khác": Level.OTHER,
}
CHANNEL_LABELS = {
    Channel.IN_PERSON: "trực tiếp",
    Channel.ONLINE: "trực tuyến",
    Channel.POST: "qua bưu chính",
}
UNIT_LABELS = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.DAYS: "ngày",
    TimeUnit.HOURS: "giờ",
}

# Problem reasons, kept short and stable: the CLI counts records by them.
MALFORMED_JSON = "malformed JSON"
NOT_AN_OBJECT = "not a JSON object"
NO_CODE = "no usable code"
NO_TITLE = "no title"
DUPLICATE_CODE = "duplicate code"
UNREADABLE_ROW = "unreadable channel row"
NO_CHANNEL_ROWS = "no channel rows"
ASSUMED_ROW = "channel row read with an assumption"
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
    filtered: int = 0  # records left out by the level filter
    channel_tables: int = 0  # entries whose channel table was recovered row by row

    def skipped(self) -> Counter[str]:
        return Counter(p.reason for p in self.problems if p.skipped)


def import_file(path: Path, *, verified: date, level: Level | None = None) -> ImportReport:
    """Import a JSON Lines file; raises OSError only when the file cannot be read."""
    with path.open("rb") as lines:
        return import_lines(lines, verified=verified, level=level)


def import_lines(
    lines: Iterable[str | bytes], *, verified: date, level: Level | None = None
) -> ImportReport:
    """Entries from portal records; `verified` is the import date, `level` keeps only
    procedures carried out at that level."""
    report = ImportReport()
    first_line: dict[str, int] = {}
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
        if level is not None and level not in _levels(record)[0]:
            report.filtered += 1
            continue
        converted = convert_record(record, verified)
        code = _text(record, "ma_thu_tuc").strip() or None
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
        report.entries.append(entry)
        if entry.channels and not any(r == UNREADABLE_ROW for r, _ in converted.issues):
            report.channel_tables += 1
    return report


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
    issues.extend((ASSUMED_ROW, row.doubt) for row in table.rows if row.doubt)
    if not table.rows and not table.unreadable:
        issues.append((NO_CHANNEL_ROWS, ""))

    authority = one_line(informative(_text(record, "co_quan_co_tham_quyen")))
    executor = one_line(informative(_text(record, "co_quan_thuc_hien")))
    decision = one_line(informative(_text(record, "so_quyet_dinh")))
    url = _text(record, "detail_url").strip()
    sections = {
        Section.DOCUMENTS: parse_documents(_text(record, "thanh_phan_ho_so")),
        Section.STEPS: parse_steps(_text(record, "trinh_tu_thuc_hien")),
        Section.TIME: _time_sentence(table.rows),
        Section.FEE: _fee_sentence(table.rows),
        Section.WHERE: _where(record),
        Section.RESULT: parse_results(_text(record, "ket_qua_xu_ly")),
        Section.CONDITIONS: informative(_text(record, "yeu_cau_dieu_kien")),
        Section.LEGAL: "\n".join(f"- {d}" for d in parse_legal(_text(record, "can_cu_phap_ly"))),
        Section.NOTES: _notes(verified, table.rows),
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
        channels=tuple(_terms(row) for row in table.rows),
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


def _terms(row: ChannelRow) -> ChannelTerms:
    waiting = f"Thời hạn: {row.time_text}" if row.time_text else ""
    note = "\n".join(part for part in (waiting, row.description) if part)
    return ChannelTerms(row.channel, row.time, row.unit, row.fee, note)


def _time_sentence(rows: Iterable[ChannelRow]) -> str:
    return _by_channel(
        {row: f"{_number(row.time)} {UNIT_LABELS[row.unit]}" if row.time is not None
         else row.time_text for row in rows}
    )


def _fee_sentence(rows: Iterable[ChannelRow]) -> str:
    return _by_channel({row: row.fee if row.fee != NO_INFO else "" for row in rows})


def _by_channel(values: dict[ChannelRow, str]) -> str:
    """"60 ngày làm việc nếu nộp trực tiếp hoặc qua bưu chính; 30 ngày nếu nộp trực tuyến."

    The channels are left out when one value holds for every row."""
    channels: dict[str, list[str]] = {}
    for row, value in values.items():
        if value:
            labels = channels.setdefault(value, [])
            if CHANNEL_LABELS[row.channel] not in labels:
                labels.append(CHANNEL_LABELS[row.channel])
    if not channels:
        return ""
    if len(channels) == 1 and all(values.values()):
        sentence = next(iter(channels))
    else:
        sentence = "; ".join(
            f"{value} nếu nộp {_or(labels)}" for value, labels in channels.items()
        )
    return sentence[0].upper() + sentence[1:] + ("" if sentence.endswith(".") else ".")


def _or(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} hoặc {labels[-1]}"


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


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


def _notes(verified: date, rows: Iterable[ChannelRow]) -> str:
    note = (
        f"Nhập tự động từ Cổng Dịch vụ công quốc gia ngày {verified:%d/%m/%Y}; "
        "chưa được biên tập."
    )
    if any(row.unit_assumed for row in rows):
        note += " Cổng ghi thời hạn không kèm đơn vị; ở đây hiểu là ngày làm việc."
    return note
