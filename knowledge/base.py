"""The knowledge base the bot answers from: bundled entries plus configured folders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge.entry import Entry, Origin
from knowledge.loader import Problem, load_folders


def bundled_entries_path() -> Path:
    return Path(str(resources.files("knowledge") / "entries"))


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


def load_knowledge_base(folders: Iterable[Path]) -> KnowledgeBase:
    """Load every folder; broken files are reported, not fatal.

    When two entries share a national procedure code, a curated entry replaces an
    imported one, so a province can load the whole portal and still get its
    hand-written answers. When two entries share an id, the first folder wins.
    """
    result = load_folders(folders)
    curated_codes = {e.code for e in result.entries if e.origin is Origin.CURATED and e.code}
    kept: dict[str, Entry] = {}
    for entry in result.entries:
        if entry.origin is Origin.IMPORTED and entry.code in curated_codes:
            continue
        kept.setdefault(entry.id, entry)
    return KnowledgeBase(tuple(kept.values()), tuple(result.problems))
