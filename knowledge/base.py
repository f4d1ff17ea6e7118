"""The knowledge base the bot answers from: bundled entries plus configured folders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from knowledge.entry import Entry, Origin
from knowledge.loader import Problem, load_folders
from knowledge.normalize import words


def bundled_entries_path() -> Path:
    return Path(str(resources.files("knowledge") / "entries"))


class BrokenKnowledgeBase(Exception):
    """Entry files that could not be loaded: the bot does not serve a partial knowledge
    base (an answer missing because its file is broken would go unnoticed)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def require_complete(self) -> KnowledgeBase:
        """This knowledge base, or BrokenKnowledgeBase when a file could not be loaded."""
        if self.problems:
            raise BrokenKnowledgeBase(self.problems)
        return self

    @cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    @cached_property
    def curated_title_words(self) -> frozenset[str]:
        """The folded words of the curated entries' titles: the matters the bot's own
        entries name (portal titles, hundreds of words long, name nearly every word)."""
        return frozenset(
            w for entry in self.entries if entry.origin is Origin.CURATED
            for w in words(entry.title)
        )


def load_knowledge_base(folders: Iterable[Path]) -> KnowledgeBase:
    """Load every folder, merged; broken files are reported, not fatal."""
    result = load_folders(folders)
    return KnowledgeBase(tuple(merged(result.entries)), tuple(result.problems))


def merged(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per procedure, in order.

    When entries share a national procedure code, a curated entry replaces the imported
    ones, so a province can load the whole portal and still get its hand-written answers.
    When entries share an id, the first wins.
    """
    entries = list(entries)
    curated_codes = {e.code for e in entries if e.origin is Origin.CURATED and e.code}
    kept: dict[str, Entry] = {}
    for entry in entries:
        if entry.origin is Origin.IMPORTED and entry.code in curated_codes:
            continue
        kept.setdefault(entry.id, entry)
    return list(kept.values())
