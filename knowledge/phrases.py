"""Finding known multi-word phrases in a folded word sequence.

Vietnamese words are syllables, so most terms the search knows ("thủ tục", "giấy tờ gì",
"sổ đỏ") span several words. A `PhraseSet` finds them leftmost-longest without overlap,
the way a reader would: in "giấy tờ gì" the cue "giấy tờ gì" wins over the word "giấy".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.normalize import words


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    phrase: tuple[str, ...]


class PhraseSet:
    def __init__(self, phrases: Iterable[str | Sequence[str]]) -> None:
        folded = {tuple(words(p)) if isinstance(p, str) else tuple(p) for p in phrases}
        self._phrases = frozenset(p for p in folded if p)
        self._longest = max(map(len, self._phrases), default=0)

    def __contains__(self, phrase: tuple[str, ...]) -> bool:
        return phrase in self._phrases

    def vocabulary(self) -> set[str]:
        """Every word that occurs in some phrase."""
        return {word for phrase in self._phrases for word in phrase}

    def find(self, sequence: Sequence[str], skip: frozenset[int] = frozenset()) -> list[Span]:
        """Leftmost-longest, non-overlapping phrase occurrences avoiding positions in `skip`."""
        spans: list[Span] = []
        i = 0
        while i < len(sequence):
            for length in range(min(self._longest, len(sequence) - i), 0, -1):
                candidate = tuple(sequence[i : i + length])
                if candidate in self._phrases and skip.isdisjoint(range(i, i + length)):
                    spans.append(Span(i, i + length, candidate))
                    i += length
                    break
            else:
                i += 1
        return spans
