"""`kb check`: everything wrong with a set of entry folders, one located line per problem."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from knowledge.catalogue import Topic, covers
from knowledge.entry import HEADING_OF, REQUIRED_SECTIONS, Entry, Origin
from knowledge.examples import ExamplesError, load_examples
from knowledge.loader import LoadResult, Problem


def check_loaded(
    loaded: LoadResult,
    folders: Sequence[Path],
    *,
    today: date,
    catalogue: list[Topic] | None = None,
    stale_after_days: int | None = None,
    examples: Path | None = None,
) -> list[Problem]:
    """All problems of entries loaded from `folders`.

    `catalogue`, when given, must be fully covered (the bundled knowledge base);
    `stale_after_days` turns entries not verified for that long into warnings;
    `examples`, an examples file (knowledge.examples), must be well formed if it
    exists, and questions it gives to an id no entry has are warned of.
    """
    problems = list(loaded.problems)
    for entry in loaded.entries:
        problems.extend(_entry_problems(entry, today, catalogue, stale_after_days))
    problems.extend(_duplicate_ids(loaded.entries))
    if catalogue is not None:
        problems.extend(_catalogue_gaps(loaded.entries, catalogue, folders))
    if examples is not None:
        problems.extend(_example_problems(examples, loaded.entries))
    return problems


def _example_problems(path: Path, entries: list[Entry]) -> list[Problem]:
    try:
        found = load_examples(path)
    except ExamplesError as err:
        return [Problem(err.path, err.line, err.reason)]
    known = {entry.id for entry in entries}
    return [
        Problem(path, 0, f"{len(questions)} example questions for '{entry_id}', which no "
                "entry has: the search ignores them", warning=True)
        for entry_id, questions in found.items() if entry_id not in known
    ]


def _entry_problems(
    entry: Entry, today: date, catalogue: list[Topic] | None, stale_after_days: int | None
) -> list[Problem]:
    path = entry.path or Path(entry.id)
    problems = []
    if entry.origin is Origin.CURATED:
        for section in REQUIRED_SECTIONS[entry.kind]:
            if not entry.section(section):
                heading = HEADING_OF[section]
                problems.append(Problem(path, 1, f"required section '{heading}' is empty"))
        if not entry.legal_refs:
            problems.append(
                Problem(path, 1, "legal basis cites no document number (like 60/2014/QH13)")
            )
    if entry.verified > today:
        problems.append(Problem(path, 1, f"'verified' date {entry.verified} is in the future"))
    elif stale_after_days is not None and entry.verified < today - timedelta(stale_after_days):
        age = (today - entry.verified).days
        message = f"not verified for {age} days (limit {stale_after_days})"
        problems.append(Problem(path, 1, message, warning=True))
    if catalogue is not None:
        matching = [t for t in catalogue if covers(entry.id, t.id)]
        if matching and matching[0].kind is not entry.kind:
            problems.append(
                Problem(path, 1, f"catalogue topic {matching[0].id} is a {matching[0].kind.value}, "
                        f"but the entry says kind = '{entry.kind.value}'")
            )
    return problems


def _duplicate_ids(entries: list[Entry]) -> list[Problem]:
    first_seen: dict[str, Entry] = {}
    problems = []
    for entry in entries:
        other = first_seen.setdefault(entry.id, entry)
        if other is not entry:
            message = f"id '{entry.id}' is also used by {other.path}"
            problems.append(Problem(entry.path or Path(entry.id), 1, message))
    return problems


def _catalogue_gaps(
    entries: list[Entry], catalogue: list[Topic], folders: Sequence[Path]
) -> list[Problem]:
    where = folders[0] if folders else Path(".")
    return [
        Problem(where, 0, f"catalogue topic '{topic.id}' ({topic.name}) has no entry")
        for topic in catalogue
        if not any(covers(entry.id, topic.id) for entry in entries)
    ]

