"""Correcting mistyped words against the index vocabulary.

The typos seen in questions are mostly two adjacent letters swapped ("kahi", "giyấ",
"ăđng"), which the optimal-string-alignment distance counts as one edit. A word the
index does not know is mapped to known words at distance one. Among several, words
made of the very same letters (a swap) come first, then words that form a known pair
with a neighbouring word ("kahi sinh" → "khai sinh"), then the more common words. Other
one-edit neighbours are not trusted: "rau" is one edit from "mau" and "xăng" from "đăng",
and guessing there turns an out-of-scope question into a confident wrong answer. A word
typed with diacritics is corrected only by a swap: its marks say which word it is
("pháo" is a word, not a slip for "phân"), while a swap scrambles them too ("giyấ").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 3  # shorter words have too many neighbours at distance one


@dataclass(frozen=True)
class Correction:
    word: str
    swapped: bool  # same letters as the typed word, in another order
    paired: bool  # forms a known word pair with a neighbour of the typed word


class TypoCorrector:
    def __init__(self, vocabulary: Iterable[str], frequency: Callable[[str], int]) -> None:
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in vocabulary:
            if word.isalpha() and len(word) >= MIN_LENGTH - 1:
                by_length[len(word)].append(word)
        self._by_length = dict(by_length)
        self._frequency = frequency

    def correct(
        self, word: str, neighbours: tuple[str | None, str | None], is_pair: Callable[[str], bool],
        accented: bool = False,
    ) -> Correction | None:
        """The trusted known word one edit away from `word`, if there is one; only a swap
        of its letters when it was typed with diacritics (`accented`)."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return None
        found: set[str] = set()
        for length in (len(word) - 1, len(word), len(word) + 1):
            choices = self._by_length.get(length, ())
            for match, _, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=1, limit=None
            ):
                found.add(match)
        before, after = neighbours
        corrections = [
            Correction(
                candidate,
                swapped=sorted(candidate) == sorted(word),
                paired=(before is not None and is_pair(f"{before} {candidate}"))
                or (after is not None and is_pair(f"{candidate} {after}")),
            )
            for candidate in found
        ]
        trusted = [c for c in corrections if c.swapped or (c.paired and not accented)]
        return min(
            trusted,
            key=lambda c: (not c.swapped, not c.paired, -self._frequency(c.word), c.word),
            default=None,
        )
