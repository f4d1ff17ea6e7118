"""Turning a question into what retrieval needs: a facet and a list of weighted slots.

A slot is one thing the question says: a word, or a phrase the lexicon knows. It carries
the alternatives that may stand for it in an entry (the phrase as typed and its
expansions, or the corrections of a mistyped word) with the trust placed in each.
Facet cue words ("mất bao lâu") and generic words ("thủ tục") are recognised first
so they cannot carry a match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from knowledge.entry import Section
from knowledge.facets import FacetDetector
from knowledge.normalize import clause_ends, syllables
from knowledge.synonyms import Lexicon
from knowledge.typos import TypoCorrector

# A corrected word counts for less than a typed one, so one guess never outweighs
# the words the person actually wrote.
CORRECTION_TRUST = 0.8
# The weight of a word in a clause that tells what was already done, when another clause
# asks (synonyms.toml [context]).
CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class Alternative:
    words: tuple[str, ...]
    trust: float


Alternatives = tuple[Alternative, ...]


@dataclass(frozen=True)
class Slot:
    start: int  # position in the question's words
    end: int
    alternatives: tuple[Alternative, ...]  # empty: a word nothing in the index stands for
    generic: bool
    weight: float = 1.0  # CONTEXT_WEIGHT in a clause of the story, not of the ask
    # The denial ("khong phai") this word follows in its clause: it counts only for
    # entries whose names say that denial too.
    denied_by: str | None = None

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # folded, typos corrected where a correction was found
    facet: Section | None
    slots: tuple[Slot, ...]
    # Per word, its spelling (normalize.syllables) when it was typed with diacritics and
    # not corrected, else "": "hộ" in "hộ chiếu" is not the "hồ" of "hồ sơ".
    spelled: tuple[str, ...] = ()
    # The question offers a procedure and asks whether it is the right one ("… được không
    # hay phải làm giấy khác"): what it names is a guess (synonyms.toml [context]).
    doubts: bool = False

    @property
    def content(self) -> tuple[Slot, ...]:
        return tuple(slot for slot in self.slots if not slot.generic)


class QueryAnalyser:
    def __init__(
        self,
        lexicon: Lexicon,
        facets: FacetDetector,
        corrector: TypoCorrector,
        is_known: Callable[[str], bool],
    ) -> None:
        """`is_known(term)`: the index or the lexicon has this word or word pair."""
        self._lexicon = lexicon
        self._facets = facets
        self._corrector = corrector
        self._is_known = is_known

    @property
    def lexicon(self) -> Lexicon:
        return self._lexicon

    def analyse(self, text: str) -> Query:
        found = syllables(text)
        typed = [folded for folded, _ in found]
        accented = [spelling for _, spelling in found]
        fixed, corrections = self._correct(typed, accented)
        facet = self._facets.detect(fixed)
        taken = set(facet.positions)
        ends = clause_ends(text)
        slots: list[Slot] = []
        for span in self._lexicon.expandable.find(fixed, frozenset(taken)):
            targets = self._lexicon.expansions[span.phrase]
            alternatives = (span.phrase, *targets)
            slots.append(Slot(span.start, span.end,
                              tuple(Alternative(a, 1.0) for a in alternatives), False))
            taken.update(range(span.start, span.end))
        for span in self._lexicon.generic.find(fixed, frozenset(taken)):
            if span.end - span.start == 1 and (
                not self._lexicon.is_generic_word(
                    fixed[span.start], accented[span.start] if span.start not in corrections else ""
                )
                or self._lexicon.negates(fixed, span.start, ends)
            ):
                continue
            slots.append(Slot(span.start, span.end, (Alternative(span.phrase, 1.0),), True))
            taken.update(range(span.start, span.end))
        for i, word in enumerate(fixed):
            if i not in taken:
                slots.append(Slot(i, i + 1, corrections.get(i, (Alternative((word,), 1.0),)),
                                  False))
        slots.sort(key=lambda slot: slot.start)
        slots, doubts = self._in_context(slots, fixed, accented, ends)
        spelled = tuple(
            "" if i in corrections or spelling == folded else spelling
            for i, (folded, spelling) in enumerate(found)
        )
        return Query(tuple(fixed), facet.section, tuple(slots), spelled, doubts)

    def _in_context(
        self, slots: list[Slot], fixed: Sequence[str], accented: Sequence[str],
        ends: frozenset[int],
    ) -> tuple[list[Slot], bool]:
        """`slots` with the weight of story clauses lowered and denied words marked, and
        whether the question doubts the procedure it names."""
        clause_of, clause = [], 0
        for i in range(len(fixed)):
            clause_of.append(clause)
            clause += i in ends
        told = {  # clauses that tell what was done or what the situation is
            clause_of[i] for i, word in enumerate(fixed)
            if (word in self._lexicon.past
                and (accented[i] == word or accented[i] in self._lexicon.past_spellings))
            or accented[i] in self._lexicon.state_spellings
        }
        story = told if len(told) < len(set(clause_of)) else set()
        doubts = self._doubts(fixed, accented, clause_of)
        purpose = self._purpose(slots, fixed, accented, clause_of)
        denied: dict[int, str] = {}
        for span in self._lexicon.denials.find(fixed):
            for i in range(span.end, len(fixed)):
                if clause_of[i] != clause_of[span.start]:
                    break
                denied[i] = " ".join(span.phrase)
        if not story and not denied and not purpose:
            return slots, doubts
        return [
            replace(slot, weight=CONTEXT_WEIGHT
                    if clause_of[slot.start] in story or slot.start in purpose else 1.0,
                    denied_by=denied.get(slot.start))
            for slot in slots
        ], doubts

    def _doubts(
        self, fixed: Sequence[str], accented: Sequence[str], clause_of: Sequence[int]
    ) -> bool:
        """Whether a clause offers a guess: an alternative word ("hay") followed in the
        clause by an "other" word ("khác") that is not part of a comparison ("khác nhau").
        Its words keep their weight (lowering them ranked no better on the tuning
        questions); the decision reads the doubt."""
        lexicon = self._lexicon
        compared = {i for span in lexicon.comparisons.find(fixed)
                    for i in range(span.start, span.end)}

        def said(i: int, folded: frozenset[str], spellings: frozenset[str]) -> bool:
            # Typed without diacritics, any word that folds the same may be meant.
            return fixed[i] in folded and (accented[i] == fixed[i] or accented[i] in spellings)

        opened = set()
        for i, clause in enumerate(clause_of):
            if said(i, lexicon.alternatives, lexicon.alternative_spellings):
                opened.add(clause)
            elif (clause in opened and i not in compared
                  and said(i, lexicon.others, lexicon.other_spellings)):
                return True
        return False

    def _purpose(
        self, slots: Sequence[Slot], fixed: Sequence[str], accented: Sequence[str],
        clause_of: Sequence[int],
    ) -> set[int]:
        """The positions of the words that say what the asked paper is for: after a
        purpose word ("để") that follows a content word, to the end of its clause. Not
        when its clause asks before it ("cần giấy tờ gì để được nhận trợ cấp"): then
        what follows is the matter asked."""
        content_starts = [slot.start for slot in slots if not slot.generic and slot.alternatives]
        found: set[int] = set()
        for i, spelling in enumerate(accented):
            if (spelling not in self._lexicon.purpose_spellings
                    or not content_starts or content_starts[0] >= i
                    or tuple(fixed[i:i + 2]) in self._lexicon.purpose_verbs
                    or any(clause_of[j] == clause_of[i] and fixed[j] in self._lexicon.asking
                           for j in range(i))):
                continue
            found.update(j for j in range(i + 1, len(fixed)) if clause_of[j] == clause_of[i])
        return found

    def _correct(
        self, typed: Sequence[str], accented: Sequence[str]
    ) -> tuple[list[str], dict[int, Alternatives]]:
        """The words with typos replaced, and the alternatives of each unknown word."""
        fixed = list(typed)
        corrections: dict[int, Alternatives] = {}
        for i, word in enumerate(typed):
            if self._is_known(word):
                continue
            neighbours = (typed[i - 1] if i else None, typed[i + 1] if i + 1 < len(typed) else None)
            found = self._corrector.correct(word, neighbours, self._is_known,
                                            accented=accented[i] != word)
            if found is None:
                corrections[i] = ()
            else:
                fixed[i] = found.word
                corrections[i] = (Alternative((found.word,), CORRECTION_TRUST),)
        return fixed, corrections
