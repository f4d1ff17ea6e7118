"""Reads knowledge-base entry files: Markdown with a TOML front matter block.

    +++
    id = "ho-tich/dang-ky-khai-sinh"
    kind = "procedure"
    ...
    +++

    ## Thành phần hồ sơ
    - ...

Loading never raises on a bad file: every problem becomes a located `Problem`, so one
broken entry cannot stop the bot, and `kb check` can list them all at once.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from knowledge.entry import (
    MAX_TIME,
    SECTION_HEADINGS,
    Channel,
    ChannelTerms,
    Entry,
    Kind,
    Level,
    Origin,
    TimeUnit,
)

E = TypeVar("E", bound=StrEnum)

FENCE = "+++"
ENTRY_SUFFIX = ".md"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+$")
HEADING = re.compile(r"^##\s+(.+?)\s*$")
TOML_LINE = re.compile(r"at line (\d+)")

FRONT_MATTER_KEYS = {
    "id", "kind", "title", "field", "verified", "origin", "code", "levels", "agency",
    "aliases", "situations", "channels", "published_by", "source_urls",
}
CHANNEL_KEYS = {"channel", "time", "unit", "fee", "note"}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int  # 0: the whole file or folder
    message: str
    warning: bool = False

    def __str__(self) -> str:
        level = "warning" if self.warning else "error"
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {level}: {self.message}"


class EntryError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class LoadResult:
    entries: list[Entry]
    problems: list[Problem]


def entry_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(f"*{ENTRY_SUFFIX}") if p.is_file())


def load_folders(folders: Iterable[Path]) -> LoadResult:
    entries: list[Entry] = []
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(folder, 0, "knowledge-base folder does not exist"))
            continue
        for path in entry_files(folder):
            try:
                entries.append(load_entry(path))
            except EntryError as err:
                problems.append(Problem(path, err.line, err.message))
    return LoadResult(entries, problems)


def load_entry(path: Path) -> Entry:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise EntryError(1, f"file is not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise EntryError(0, f"cannot read file: {err.strerror}") from None
    return parse_entry(unicodedata.normalize("NFC", text), path)


def parse_entry(text: str, path: Path | None = None) -> Entry:
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise EntryError(1, f"entry must start with a '{FENCE}' front matter line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise EntryError(1, f"front matter is not closed by a '{FENCE}' line") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as err:
        match = TOML_LINE.search(str(err))
        line = int(match.group(1)) + 1 if match else 1
        raise EntryError(line, f"front matter is not valid TOML: {err}") from None
    key_lines: dict[str, int] = {}
    for number, raw in enumerate(lines[:end], start=1):
        key = raw.split("=", 1)[0].strip().strip("[]")
        if key and ("=" in raw or raw.lstrip().startswith("[")):
            key_lines.setdefault(key, number)
    sections = _parse_sections(lines, end + 1)
    return _build_entry(meta, sections, key_lines, path)


def _parse_sections(lines: list[str], start: int) -> dict[Any, str]:
    sections: dict[Any, str] = {}
    current = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            sections[current] = "\n".join(body).strip()

    for number, raw in enumerate(lines[start:], start=start + 1):
        heading = HEADING.match(raw)
        if heading:
            close()
            name = heading.group(1)
            if name not in SECTION_HEADINGS:
                known = ", ".join(f"'{h}'" for h in SECTION_HEADINGS)
                raise EntryError(number, f"unknown section heading '{name}' (known: {known})")
            current = SECTION_HEADINGS[name]
            if current in sections:
                raise EntryError(number, f"section '{name}' appears twice")
            body = []
        elif current is None:
            if raw.strip():
                raise EntryError(number, "text before the first '## ' section heading")
        else:
            body.append(raw)
    close()
    return sections


def _build_entry(
    meta: dict[str, Any], sections: dict[Any, str], key_lines: dict[str, int], path: Path | None
) -> Entry:
    def line(key: str) -> int:
        return key_lines.get(key, 1)

    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise EntryError(line(key), f"unknown front matter key '{key}'")

    def text(key: str, required: bool = True) -> str | None:
        value = meta.get(key)
        if value is None:
            if required:
                raise EntryError(1, f"front matter is missing '{key}'")
            return None
        if not isinstance(value, str) or not value.strip():
            raise EntryError(line(key), f"'{key}' must be a non-empty string")
        return value.strip()

    def strings(key: str) -> tuple[str, ...]:
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise EntryError(line(key), f"'{key}' must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    entry_id = text("id")
    assert entry_id is not None
    if not ID_PATTERN.match(entry_id):
        raise EntryError(
            line("id"),
            f"id '{entry_id}' must look like 'field/name' in lowercase ASCII with dashes",
        )
    verified = meta.get("verified")
    if verified is None:
        raise EntryError(1, "front matter is missing 'verified'")
    if not isinstance(verified, date) or hasattr(verified, "hour"):
        raise EntryError(line("verified"), "'verified' must be a date like 2026-11-20")

    kind = _enum(Kind, meta.get("kind"), "kind", line("kind"))
    channels = _channels(meta.get("channels", []), line("channels"))
    if kind is Kind.REDIRECT and channels:
        # A redirect's dossier goes to another agency: a time or fee here would be a guess.
        raise EntryError(line("channels"), "a redirect has no [[channels]]: "
                         "the commune does not receive its dossier")
    return Entry(
        id=entry_id,
        kind=kind,
        title=text("title") or "",
        field=text("field") or "",
        verified=verified,
        origin=_enum(Origin, meta.get("origin", "curated"), "origin", line("origin")),
        code=text("code", required=False),
        levels=tuple(_enum(Level, v, "levels", line("levels")) for v in strings("levels")),
        agency=text("agency", required=False) or "",
        aliases=strings("aliases"),
        situations=strings("situations"),
        channels=channels,
        published_by=text("published_by", required=False),
        source_urls=strings("source_urls"),
        sections=sections,
        path=path,
    )


def _channels(value: Any, line: int) -> tuple[ChannelTerms, ...]:
    if not isinstance(value, list):
        raise EntryError(line, "'channels' must be an array of [[channels]] tables")
    terms = []
    for table in value:
        if not isinstance(table, dict):
            raise EntryError(line, "'channels' must be an array of [[channels]] tables")
        unknown = set(table) - CHANNEL_KEYS
        if unknown:
            raise EntryError(line, f"unknown key '{sorted(unknown)[0]}' in [[channels]]")
        time = table.get("time")
        if time is not None and (
            isinstance(time, bool) or not isinstance(time, int | float)
            or not 0 <= time <= MAX_TIME
        ):
            raise EntryError(
                line, f"[[channels]] 'time' must be a number from 0 to {MAX_TIME}"
            )
        fee = table.get("fee")
        if not isinstance(fee, str) or not fee.strip():
            raise EntryError(line, "[[channels]] 'fee' must be a non-empty string")
        terms.append(
            ChannelTerms(
                channel=_enum(Channel, table.get("channel"), "channel", line),
                time=time,
                unit=_enum(TimeUnit, table.get("unit", "working_days"), "unit", line),
                fee=fee.strip(),
                note=str(table.get("note", "")).strip(),
            )
        )
    return tuple(terms)


def _enum(enum: type[E], value: Any, key: str, line: int) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(f"'{member.value}'" for member in enum)
        raise EntryError(line, f"'{key}' must be one of {allowed}, got {value!r}") from None

