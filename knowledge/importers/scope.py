"""Which portal records a commune handles.

The portal tags some 270 customs, tax, treasury and waterway procedures "Cấp xã"
although a commune has no part in them: the tag says where the filer may live, not
who acts. What a commune handles is read from the agency that acts instead: the
executing agency, else the competent one, else the receiving address; when the
record names none, the steps ("nộp hồ sơ đến Ủy ban nhân dân cấp xã"), and only
then the field the record is filed under.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.importers.flattened import informative, one_line

# "xã" as the commune, not in "xã hội" (social) or "hợp tác xã" (cooperative).
_COMMUNE_BODY = re.compile(r"(?<!hợp tác )\bxã\b(?! hội)|\bphường\b", re.I)
_COMMUNE_IN_STEPS = re.compile(r"(?:Ủy|Uỷ) ban nhân dân (?:cấp )?xã|UBND (?:cấp )?xã", re.I)
# Agencies of the sectors that act at a "Cấp xã" address without the commune.
OUTSIDE_SECTORS = {
    "customs agency": re.compile(r"hải quan", re.I),
    "tax agency": re.compile(r"\bthuế\b", re.I),
    "treasury": re.compile(r"kho bạc", re.I),
    "waterway or maritime authority": re.compile(r"cảng vụ|hàng hải|đường th[uủ]y", re.I),
}
_AGENCY_KEYS = ("co_quan_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan")


@dataclass(frozen=True)
class Scope:
    """Whether a commune handles a record; `reason` says why not, `evidence` what
    the decision was read from."""

    commune: bool
    reason: str
    evidence: str


def commune_scope(record: Mapping[str, Any]) -> Scope:
    agency = next((a for a in (_field(record, key) for key in _AGENCY_KEYS) if a), "")
    if agency:
        if _COMMUNE_BODY.search(agency):
            return Scope(True, "", agency)
        return _sector_scope(agency, agency)
    steps = _field(record, "trinh_tu_thuc_hien")
    if mention := _COMMUNE_IN_STEPS.search(steps):
        return Scope(True, "", f"steps name '{mention.group()}'")
    subject = _field(record, "linh_vuc")
    return _sector_scope(subject, f"no agency named; field '{subject}'")


def _sector_scope(text: str, evidence: str) -> Scope:
    """Left out when the text names an outside sector; the first one named decides."""
    named = {m.start(): sector for sector, p in OUTSIDE_SECTORS.items() if (m := p.search(text))}
    if named:
        return Scope(False, named[min(named)], evidence)
    return Scope(True, "", evidence)


def _field(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return one_line(informative(value)) if isinstance(value, str) else ""
