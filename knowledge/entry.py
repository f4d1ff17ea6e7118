"""The knowledge-base entry: one administrative procedure, one piece of work guidance, or
one redirect (a matter the commune's one-stop desk does not decide: who does, and where).

An entry is a value object built by the loader from a human-edited file; nothing here
touches the disk. Enumerations carry the values allowed in entry files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    PROCEDURE = "procedure"
    GUIDANCE = "guidance"
    REDIRECT = "redirect"


class Origin(StrEnum):
    CURATED = "curated"
    IMPORTED = "imported"


class Level(StrEnum):
    """Government level that carries a procedure out (cấp thực hiện)."""

    COMMUNE = "xa"
    PROVINCE = "tinh"
    MINISTRY = "bo"
    OTHER = "khac"


class Channel(StrEnum):
    """How a dossier reaches the agency (hình thức nộp)."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    POST = "post"


# The longest processing time an entry may state, in any unit: over a year even in hours.
# Anything above it (inf and nan too) is a typing or crawling mistake.
MAX_TIME = 10_000


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"


class Section(StrEnum):
    """Body sections of an entry, each written under a fixed Vietnamese heading."""

    DOCUMENTS = "documents"
    STEPS = "steps"
    TIME = "time"
    FEE = "fee"
    WHERE = "where"
    RESULT = "result"
    CONDITIONS = "conditions"
    LEGAL = "legal"
    NOTES = "notes"


SECTION_HEADINGS: dict[str, Section] = {
    "Thành phần hồ sơ": Section.DOCUMENTS,
    "Trình tự thực hiện": Section.STEPS,
    "Thời hạn giải quyết": Section.TIME,
    "Phí, lệ phí": Section.FEE,
    "Nơi nộp hồ sơ": Section.WHERE,
    "Kết quả": Section.RESULT,
    "Điều kiện": Section.CONDITIONS,
    "Căn cứ pháp lý": Section.LEGAL,
    "Ghi chú": Section.NOTES,
}
HEADING_OF: dict[Section, str] = {section: heading for heading, section in SECTION_HEADINGS.items()}

REQUIRED_SECTIONS: dict[Kind, tuple[Section, ...]] = {
    Kind.PROCEDURE: (
        Section.DOCUMENTS,
        Section.STEPS,
        Section.TIME,
        Section.FEE,
        Section.WHERE,
        Section.RESULT,
        Section.LEGAL,
    ),
    Kind.GUIDANCE: (Section.STEPS, Section.LEGAL),
    Kind.REDIRECT: (Section.WHERE, Section.LEGAL, Section.NOTES),
}

# Vietnamese legal document numbers: 60/2014/QH13, 123/2015/NĐ-CP, 163/QĐ-BTP, 24/2021/QĐ-TTg.
LEGAL_REF = re.compile(r"\b\d+(?:\.\d+)?/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-(?:TTg|[A-ZĐ0-9]+))*\b")


@dataclass(frozen=True)
class ChannelTerms:
    """Processing time and fee for one way of filing."""

    channel: Channel
    time: float | None
    unit: TimeUnit
    fee: str
    note: str = ""


@dataclass(frozen=True)
class Entry:
    id: str
    kind: Kind
    title: str
    field: str
    verified: date
    origin: Origin = Origin.CURATED
    code: str | None = None
    levels: tuple[Level, ...] = ()
    agency: str = ""
    aliases: tuple[str, ...] = ()
    # Everyday descriptions of the cases the entry handles, in the words people use when
    # they do not know the procedure's name. Searched like body text; never shown, never a name.
    situations: tuple[str, ...] = ()
    channels: tuple[ChannelTerms, ...] = ()
    published_by: str | None = None
    source_urls: tuple[str, ...] = ()
    sections: dict[Section, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def legal_refs(self) -> tuple[str, ...]:
        """Document numbers cited in the legal-basis section, in order, without repeats."""
        found = LEGAL_REF.findall(self.sections.get(Section.LEGAL, ""))
        return tuple(dict.fromkeys(found))

    def section(self, section: Section) -> str:
        return self.sections.get(section, "")
