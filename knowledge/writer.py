"""Writes an entry in the file format the loader reads: the inverse of `parse_entry`.

`parse_entry(render_entry(entry))` equals `entry` apart from `path`, provided the
entry is one the loader could have produced (stripped, non-empty strings and
section bodies). Text that could not survive the round trip raises ValueError.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from knowledge.entry import SECTION_HEADINGS, ChannelTerms, Entry
from knowledge.loader import FENCE, HEADING

# Line breaks the loader's str.splitlines() honours but TOML allows raw in strings.
_RAW_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def render_entry(entry: Entry) -> str:
    meta: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind.value,
        "title": entry.title,
        "code": entry.code,
        "field": entry.field,
        "levels": [level.value for level in entry.levels],
        "agency": entry.agency,
        "published_by": entry.published_by,
        "verified": entry.verified,
        "origin": entry.origin.value,
        "source_urls": list(entry.source_urls),
        "aliases": list(entry.aliases),
        "situations": list(entry.situations),
    }
    front = _toml({key: value for key, value in meta.items() if value not in (None, "", [])})
    front += "".join(f"\n[[channels]]\n{_toml(_channel(terms))}" for terms in entry.channels)
    body = "".join(
        f"\n## {heading}\n{_body(entry, heading, entry.sections[section])}\n"
        for heading, section in SECTION_HEADINGS.items()
        if section in entry.sections
    )
    return f"{FENCE}\n{front}{FENCE}\n{body}"


def _channel(terms: ChannelTerms) -> dict[str, Any]:
    table = {
        "channel": terms.channel.value,
        "time": terms.time,
        "unit": terms.unit.value,
        "fee": terms.fee,
        "note": terms.note,
    }
    return {key: value for key, value in table.items() if value not in (None, "")}


def _toml(table: dict[str, Any]) -> str:
    text = tomli_w.dumps(table)
    for char in _RAW_LINE_BREAKS:
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _body(entry: Entry, heading: str, text: str) -> str:
    text = text.strip()
    lines = text.split("\n")
    if text.splitlines() != lines or any(HEADING.match(line) for line in lines):
        raise ValueError(
            f"{entry.id}: section '{heading}' holds a heading line or a line break "
            "other than '\\n'; the loader would read it differently"
        )
    return text
