"""BM25F over two groups of fields: an entry's names and its body text.

Why our own BM25 instead of `bm25s`: bm25s scores one field, and a procedure's title
and aliases must weigh far more than its long sections; summing one bm25s index per
field would saturate each field separately, and bm25s cannot weight query terms (typo
corrections must weigh less than exact words). This module precomputes, per term, the
final score contribution of every entry containing it, so a query is a handful of
numpy scatter-adds. `bench/search.py` prints the comparison with bm25s.

Terms are folded words and, in fields flagged for them, adjacent word pairs ("khai sinh"),
which reward words typed in the entry's order.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2


@dataclass(frozen=True)
class FieldSpec:
    name: str
    in_name: bool  # True: part of the entry's names (title, aliases); False: body text
    weight: float
    b: float  # length normalisation, 0 (none) to 1 (full)
    bigrams: bool


# Body text counts for less: a title says what the entry is, a section only mentions things.
NAME_GROUP_WEIGHT = 1.0
BODY_GROUP_WEIGHT = 0.3


def pairs(sequence: Sequence[str]) -> list[str]:
    """Adjacent word pairs as single terms: ["khai", "sinh", "con"] → ["khai sinh", "sinh con"]."""
    return [f"{a} {b}" for a, b in itertools.pairwise(sequence)]


def contains(sorted_docs: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """For each of `docs`: whether it is in `sorted_docs` (sorted ascending)."""
    if not len(sorted_docs):
        return np.zeros(len(docs), dtype=bool)
    where = np.minimum(np.searchsorted(sorted_docs, docs), len(sorted_docs) - 1)
    return sorted_docs[where] == docs


class RankIndex:
    """Term → postings, stored as one compressed sparse row matrix (terms × entries).

    Row `t` spans `bounds[t]:bounds[t + 1]` of `docs` (sorted entry positions),
    `values` (score contribution for a query term weight of 1) and `named` (the term is
    in the entry's names). Built with numpy so 2,600 portal records index in well
    under a second; per-term Python objects would cost more than the scoring itself.
    """

    def __init__(
        self, size: int, rows: dict[str, int], bounds: np.ndarray, docs: np.ndarray,
        values: np.ndarray, named: np.ndarray,
    ) -> None:
        self.size = size
        self._rows = rows
        self._bounds = bounds
        self._docs = docs
        self._values = values
        self._named = named

    @classmethod
    def build(
        cls, fields: Sequence[FieldSpec], documents: Iterable[Mapping[str, Sequence[str]]]
    ) -> RankIndex:
        """`document[field.name]` holds the folded words of that field of one entry.

        Documents are consumed one at a time and reduced to term counts at once: holding
        every word of 10,000 entries as Python strings would take gigabytes.
        """
        rows: dict[str, int] = {}
        term_rows: list[np.ndarray] = []
        frequencies: list[np.ndarray] = []
        lengths: dict[str, list[int]] = {spec.name: [] for spec in fields}
        size = 0
        for document in documents:
            for spec in fields:
                sequence = document.get(spec.name, ())
                terms = Counter(sequence)
                if spec.bigrams:
                    terms.update(pairs(sequence))
                new = set(terms).difference(rows)  # iterates `terms`, not all of `rows`
                rows.update(zip(new, itertools.count(len(rows)), strict=False))
                term_rows.append(np.fromiter(map(rows.__getitem__, terms), np.int64, len(terms)))
                frequencies.append(np.fromiter(terms.values(), np.float64, len(terms)))
                lengths[spec.name].append(len(sequence))
            size += 1

        # Parts come in document order, fields in `fields` order within each document.
        length = np.array([lengths[spec.name] for spec in fields], dtype=np.float64).T.ravel()
        average = np.array([max(sum(lengths[spec.name]) / max(size, 1), 1.0) for spec in fields])
        weight = np.array([spec.weight for spec in fields])
        b = np.array([spec.b for spec in fields])
        norms = np.tile(weight, size) / (1 - np.tile(b, size) + np.tile(b / average, size) * length)
        part_sizes = [len(part) for part in term_rows]
        return cls._assemble(
            size, rows,
            np.concatenate(term_rows) if term_rows else np.zeros(0, np.int64),
            np.repeat(np.arange(size * len(fields)) // len(fields), part_sizes),
            (np.concatenate(frequencies) if frequencies else np.zeros(0))
            * np.repeat(norms, part_sizes),
            np.repeat(np.tile([spec.in_name for spec in fields], size), part_sizes).astype(bool),
        )

    @classmethod
    def _assemble(
        cls, size: int, rows: dict[str, int], row: np.ndarray, doc: np.ndarray, tf: np.ndarray,
        named: np.ndarray,
    ) -> RankIndex:
        """Sum weighted field frequencies per (term, entry) and group, then saturate (BM25F).

        One element of the input arrays per (term, entry, field): the term's row, the
        entry, the length-normalised weighted frequency, and whether the field is a name.
        """
        cell = row * size + doc
        cells, inverse = np.unique(cell, return_inverse=True)
        name_tf = np.bincount(inverse, weights=np.where(named, tf, 0.0), minlength=len(cells))
        body_tf = np.bincount(inverse, weights=np.where(named, 0.0, tf), minlength=len(cells))
        cell_rows = cells // size
        document_frequency = np.bincount(cell_rows, minlength=len(rows))
        idf = np.log(1 + (size - document_frequency + 0.5) / (document_frequency + 0.5))
        values = idf[cell_rows] * (
            NAME_GROUP_WEIGHT * name_tf * (K1 + 1) / (K1 + name_tf)
            + BODY_GROUP_WEIGHT * body_tf * (K1 + 1) / (K1 + body_tf)
        )
        bounds = np.concatenate(([0], np.cumsum(document_frequency)))
        return cls(size, rows, bounds, (cells % size).astype(np.int32),
                   values.astype(np.float32), name_tf > 0)

    def _span(self, term: str) -> slice | None:
        row = self._rows.get(term)
        return None if row is None else slice(self._bounds[row], self._bounds[row + 1])

    def __contains__(self, term: str) -> bool:
        return term in self._rows

    def terms(self) -> list[str]:
        return list(self._rows)

    def document_frequency(self, term: str) -> int:
        span = self._span(term)
        return 0 if span is None else span.stop - span.start

    def scores(self, weighted_terms: Mapping[str, float]) -> np.ndarray:
        found = [(self._rows[t], w) for t, w in weighted_terms.items() if t in self._rows]
        if not found:
            return np.zeros(self.size, dtype=np.float32)
        rows, weights = (np.array(column) for column in zip(*found, strict=True))
        offsets, lengths = self._postings(rows)
        return np.bincount(self._docs[offsets], np.repeat(weights, lengths) * self._values[offsets],
                           minlength=self.size).astype(np.float32)

    def _postings(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions in the posting arrays of every posting of `rows`, and how many
        each row has."""
        starts, lengths = self._bounds[rows], self._bounds[rows + 1] - self._bounds[rows]
        # Each row's start repeated for its postings, plus a running count.
        ends = np.cumsum(lengths)
        return np.repeat(starts - ends + lengths, lengths) + np.arange(ends[-1]), lengths

    def presence_many(
        self, terms: Sequence[str], docs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each of `terms` and each of `docs`: is the term in the entry's names, and is
        it anywhere in it (two terms × docs matrices), from one lookup of all the terms'
        postings: a long question has dozens of words and pairs."""
        in_name = np.zeros((len(terms), len(docs)), dtype=bool)
        anywhere = np.zeros_like(in_name)
        found = [(i, self._rows[t]) for i, t in enumerate(terms) if t in self._rows]
        if not found or not len(docs):
            return in_name, anywhere
        which, rows = (np.array(column) for column in zip(*found, strict=True))
        offsets, lengths = self._postings(rows)
        holders = self._docs[offsets]
        order = np.argsort(docs)
        ordered = docs[order]
        at = np.minimum(np.searchsorted(ordered, holders), len(ordered) - 1)
        hit = ordered[at] == holders
        term_of, doc_of = np.repeat(which, lengths)[hit], order[at[hit]]
        anywhere[term_of, doc_of] = True
        named = self._named[offsets][hit]
        in_name[term_of[named], doc_of[named]] = True
        return in_name, anywhere
