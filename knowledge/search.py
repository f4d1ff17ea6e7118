"""Search over knowledge-base entries (first version; the search issue replaces the ranking).

Public interface used by the rest of the bot:
    index = SearchIndex.build(entries)
    result = index.search("khai sinh can giay to gi")
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from knowledge.entry import Entry, Section


class Intent(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"
    GREETING = "greeting"
    THANKS = "thanks"
    EMPTY = "empty"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: str
    normalized: str
    intent: Intent
    facet: Section | None
    candidates: tuple[Candidate, ...]

    @property
    def answer(self) -> Entry | None:
        return self.candidates[0].entry if self.intent is Intent.ANSWER else None

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in stripped).split())


class SearchIndex:
    def __init__(self, entries: Sequence[Entry], documents: list[str]) -> None:
        self._entries = list(entries)
        self._documents = documents

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> SearchIndex:
        documents = [fold(" ".join((e.title, *e.aliases))) for e in entries]
        return cls(entries, documents)

    def search(self, query: str, limit: int = 5) -> SearchResult:
        normalized = fold(query)
        if not normalized:
            return SearchResult(query, normalized, Intent.EMPTY, None, ())
        found = process.extract(
            normalized, self._documents, scorer=fuzz.token_set_ratio, limit=limit
        )
        candidates = tuple(Candidate(self._entries[i], score / 100) for _, score, i in found)
        intent = Intent.ANSWER if candidates and candidates[0].score >= 0.7 else Intent.UNKNOWN
        return SearchResult(query, normalized, intent, None, candidates)
