"""How each entry is worded: a naive Bayes model of the words of its names and cases.

BM25F (knowledge.ranking) and coverage measure how much of a question an entry
contains. They cannot tell which words set one entry apart from its neighbours: a story
of a child whose birth certificate names only the mother, "chưa cưới", "tên bố", has
words that birth registration, recognition of parentage and birth registration with
recognition all contain somewhere; it is recognition of parentage whose cases say them
together. A multinomial naive Bayes over each entry's lines (its title, aliases and
situations, each line a set of its folded words and word pairs) weighs every word by
how much more often one entry's lines say it than another's, which is what a neighbour
pair needs. It is trained when the index is built, on the knowledge base and on the
example questions people asked (knowledge.examples, one more line of the entry each
answers), so a new situation line teaches it without a refit.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from knowledge.entry import Entry
from knowledge.normalize import words
from knowledge.ranking import pairs

# Additive smoothing of the word counts: a word an entry's lines never say still has a
# small chance there, so one unknown word does not rule the entry out.
ALPHA = 0.1


def entry_lines(entry: Entry) -> tuple[str, ...]:
    """The lines the model learns an entry's wording from: its names and its cases."""
    return (entry.title, *entry.aliases, *entry.situations)


def _terms(folded: Sequence[str]) -> set[str]:
    return set(folded) | set(pairs(folded))


class WordingModel:
    """Per term, the entries whose lines say it, with the log-likelihood gain over an
    entry that does not say it (a compressed sparse row matrix, like RankIndex)."""

    def __init__(
        self, rows: dict[str, int], bounds: np.ndarray, docs: np.ndarray, gains: np.ndarray,
        unseen: np.ndarray,
    ) -> None:
        self._rows = rows
        self._bounds = bounds
        self._docs = docs
        self._gains = gains
        self._unseen = unseen  # per entry: log P(a term its lines never say)

    @classmethod
    def build(cls, lines: Sequence[Sequence[str]]) -> WordingModel:
        """`lines[i]`: the lines of the entry at position i (entry_lines), or none for an
        entry the model leaves out."""
        rows: dict[str, int] = {}
        postings: list[tuple[int, int, int]] = []  # (term row, entry, lines saying it)
        totals = np.zeros(len(lines))
        for position, entry_lines in enumerate(lines):
            said: Counter[str] = Counter()
            for line in entry_lines:
                said.update(_terms(words(line)))
            for term, count in said.items():
                postings.append((rows.setdefault(term, len(rows)), position, count))
            totals[position] = sum(said.values())
        table = np.array(postings, dtype=np.int64).reshape(-1, 3)
        table = table[np.lexsort((table[:, 1], table[:, 0]))]
        bounds = np.searchsorted(table[:, 0], np.arange(len(rows) + 1))
        gains = np.log(table[:, 2] + ALPHA) - math.log(ALPHA)
        unseen = np.log(ALPHA / (totals + ALPHA * max(len(rows), 1)))
        return cls(rows, bounds, table[:, 1].astype(np.int32), gains.astype(np.float32),
                   unseen.astype(np.float32))

    def log_posterior(self, weighted: Mapping[str, float], docs: np.ndarray) -> np.ndarray:
        """log P(entry | the question's words), for each of `docs`, the chance shared among
        `docs` alone. `weighted` maps the question's words and word pairs to their
        weight (a clause that tells what was already done counts less); as a vector
        they are scaled to length 1: a long story's words are not independent
        evidence, and unscaled they would give all the chance to one entry."""
        found = [(self._rows[t], w) for t, w in weighted.items() if t in self._rows and w > 0]
        if not found or not len(docs):
            return np.full(len(docs), -math.log(max(len(docs), 1)), dtype=np.float32)
        rows, weights = (np.array(column) for column in zip(*found, strict=True))
        starts, lengths = self._bounds[rows], self._bounds[rows + 1] - self._bounds[rows]
        ends = np.cumsum(lengths)
        offsets = np.repeat(starts - ends + lengths, lengths) + np.arange(ends[-1])
        weighted_gains = np.repeat(weights, lengths) * self._gains[offsets]
        gained = np.bincount(self._docs[offsets], weighted_gains,
                             minlength=len(self._unseen))[docs]
        scores = (gained + weights.sum() * self._unseen[docs]) / math.sqrt((weights ** 2).sum())
        top = scores.max()
        return (scores - top - math.log(np.exp(scores - top).sum())).astype(np.float32)


def question_terms(folded: Sequence[str], weights: Sequence[float]) -> dict[str, float]:
    """The question's words and adjacent word pairs, each with its word's weight (a pair:
    the smaller of its two), as WordingModel.log_posterior reads them."""
    terms: dict[str, float] = {}
    for word, weight in zip(folded, weights, strict=True):
        terms[word] = max(terms.get(word, 0.0), weight)
    for (left, right), weight in zip(
        itertools.pairwise(folded), map(min, itertools.pairwise(weights)), strict=False
    ):
        pair = f"{left} {right}"
        terms[pair] = max(terms.get(pair, 0.0), weight)
    return terms
