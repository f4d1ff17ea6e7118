"""Follow-up questions: what a question means right after an answer.

People ask the way they talk: "thế lệ phí bao nhiêu?" after the birth-registration card
means the fee of birth registration. A question that names no procedure (it says only
which part is asked, in generic words, or the search finds no entry for the rest) is
answered from the entry last shown to that person; naming another procedure switches
the topic. A sub-case ("còn nếu bố mẹ chưa
đăng ký kết hôn thì sao?") is answered from the lines of that entry that speak of it, or
from the neighbouring entry whose names do.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Container
from dataclasses import dataclass

from handlers.cards import (
    SECTION_BUTTONS,
    EntryLookup,
    default_section,
    has_section,
    section_lines,
)
from handlers.texts import Texts
from knowledge.base import KnowledgeBase
from knowledge.entry import Entry, Section
from knowledge.facets import FACET_CUES, FacetDetector
from knowledge.normalize import fold, syllables, words
from knowledge.search import Intent, SearchResult
from knowledge.synonyms import Lexicon, load_lexicon

# How a sub-case is asked: at the start ("còn …", told from "con" (child) by its accent;
# typed without diacritics only "con neu …" is clear), or anywhere.
SUBCASE_OPENINGS = ("còn", "thế còn", "vậy còn")
BARE_OPENINGS = ("con neu", "con truong hop", "the con", "vay con")
SUBCASE_CUES = tuple(
    f" {fold(cue)} " for cue in ("thì sao", "thì thế nào", "thì làm sao", "trường hợp")
)
# Words that carry no matter of their own in a question: particles, pronouns, question
# words. "chưa", "không", "lại" are not among them: they tell cases apart.
FILLER = frozenset(words(
    "còn nếu thì sao thế nào vậy ạ à ơi nhỉ nhé trường hợp có được bị là gì của cho và "
    "với mà ai khi như làm muốn hỏi tôi em anh chị mình thế cần phải"
))
# Word pairs many titles share: they do not make two entries neighbours.
COMMON_PAIRS = frozenset({"dang ky", "cap lai", "thu tuc", "giay chung", "chung nhan"})
# A question ending "… không?", "… chưa?" asks yes or no: the word names nothing.
CLOSING_PARTICLES = frozenset(words("không chưa nhỉ ạ vậy"))
# Words any procedure has: "bao giờ có kết quả", "tốn bao nhiêu tiền" name none.
ABOUT_ANY = frozenset(words("kết quả tiền"))
MIN_MATCH = 2  # distinguishing words a line or a neighbour's names must say
# How entry text states a part, beyond how questions ask for it.
MORE_CUES = {Section.TIME: ("ngày làm việc",), Section.FEE: ("đồng",)}
# Where an entry says what it has no section for, most likely first; not its legal
# basis, whose document titles name fees and time limits in general.
ELSEWHERE = (Section.NOTES, Section.CONDITIONS, Section.RESULT, Section.STEPS,
             Section.DOCUMENTS, Section.WHERE)


@dataclass(frozen=True)
class FollowUp:
    """How to answer a follow-up: `entry` opened on `section`, showing the `focus` lines
    first, and `neighbour` offered as "Hay ý anh/chị là …"."""

    entry: Entry
    section: Section | None
    focus: tuple[str, ...] = ()
    neighbour: Entry | None = None


Search = Callable[[str], SearchResult]


def follow_up(
    result: SearchResult, last: Entry, search: Search, texts: Texts, knowledge: KnowledgeBase
) -> FollowUp | None:
    """The answer to `result`'s question given that `last` was just shown; None when the
    question stands on its own (it names a procedure, or is not a question at all)."""
    if result.intent not in (Intent.ANSWER, Intent.SUGGEST, Intent.UNKNOWN):
        return None
    lookup = knowledge.get
    if result.facet is not None and names_nothing(result.query, knowledge.curated_title_words):
        return FollowUp(last, result.facet)  # whatever the search made of its few words
    if is_subcase(result.query):
        answer = _subcase(result, last, search, texts, lookup)
        if answer is not None:
            return answer
    if result.intent is Intent.ANSWER or result.facet is None:
        return None
    # Only cue words ("lệ phí bao nhiêu"): nothing else to search for. Words the search
    # could not place ("nấu phở thế nào") are another matter, not a follow-up, unless
    # the entry shown is among the ones they could mean.
    if not result.candidates or any(c.entry.id == last.id for c in result.candidates):
        return FollowUp(last, result.facet)
    return None


def names_nothing(query: str, named: Container[str]) -> bool:
    """Whether the question is only a part asked, generic and function words ("có mất phí
    không", "đăng ký ở đâu vậy em"), and at most one other word that no entry's title
    says ("bao lâu xong"): it names no matter of its own. `named`: the titles' words
    (of the curated entries)."""
    said = syllables(query)
    while said and said[-1][0] in CLOSING_PARTICLES:
        said.pop()
    folded = [f for f, _ in said]
    facets, lexicon = _vocabulary()
    cues = facets.detect(folded).spans
    covered = {i for span in cues for i in range(span.start, span.end)}
    for span in lexicon.generic.find(folded):
        one = span.end - span.start == 1
        if not one or lexicon.is_generic_word(*said[span.start]):
            covered.update(range(span.start, span.end))
    left = [
        i for i, word in enumerate(folded)
        if i not in covered and word not in FILLER and word not in ABOUT_ANY
    ]
    if not left:
        return True
    # One word of its own may be an everyday verb ("bao lâu xong"), unless it is a word of
    # some title, or it makes a compound with the cue after it ("học phí").
    (i, *more) = left
    return not more and folded[i] not in named and all(span.start != i + 1 for span in cues)


@functools.cache
def _vocabulary() -> tuple[FacetDetector, Lexicon]:
    return FacetDetector(), load_lexicon()


def is_subcase(query: str) -> bool:
    said = syllables(query)
    folded = " ".join(f for f, _ in said)
    accented = " ".join(a for _, a in said)
    if any(f != a for f, a in said):
        opening = any(_starts(accented, _accented(cue)) for cue in SUBCASE_OPENINGS)
    else:
        opening = any(_starts(folded, cue) for cue in BARE_OPENINGS)
    return opening or any(cue in f" {folded} " for cue in SUBCASE_CUES)


def _accented(text: str) -> str:
    return " ".join(a for _, a in syllables(text))


def _starts(text: str, cue: str) -> bool:
    return text == cue or text.startswith(f"{cue} ")


def neighbours(one: Entry, other: Entry) -> bool:
    """Two entries about the same matter: their titles share a telling word pair
    ("khai sinh"), not only "đăng ký"."""
    shared = _pairs(one.title) & _pairs(other.title)
    return one.id != other.id and bool(shared - COMMON_PAIRS)


def _subcase(
    result: SearchResult, last: Entry, search: Search, texts: Texts, lookup: EntryLookup
) -> FollowUp | None:
    distinct = set(words(result.query)) - _name_words(last) - FILLER
    if not distinct:
        return None
    section, focus, said = _best_lines(last, distinct, texts, lookup)
    neighbour, named = _best_neighbour(last, distinct, search(f"{last.title} {result.query}"))
    if neighbour is not None and named > said:
        return FollowUp(neighbour, result.facet)
    if focus:
        return FollowUp(last, section, focus, neighbour)
    return None


def focus_lines(
    result: SearchResult, entry: Entry, section: Section, texts: Texts, lookup: EntryLookup
) -> tuple[str, ...]:
    """The lines of `section` that speak of what the question adds to the entry's names
    ("ký số bị lỗi": the lines on errors), to show first; () when none does."""
    distinct = set(words(result.query)) - _name_words(entry) - FILLER
    return _best_lines(entry, distinct, texts, lookup, (section,), minimum=1)[1]


def said_elsewhere(
    entry: Entry, section: Section, texts: Texts, lookup: EntryLookup
) -> tuple[Section, tuple[str, ...]] | None:
    """When `entry` has no `section` (a redirect states no fee), the lines of another of
    its sections that speak of it ("Cổng ghi 07 ngày làm việc; lệ phí 50.000 đồng")."""
    if has_section(entry, section):
        return None
    cues = [f" {fold(cue)} " for s, phrases in FACET_CUES if s is section for cue in phrases]
    cues += [f" {fold(cue)} " for cue in MORE_CUES.get(section, ())]
    for other in ELSEWHERE:
        if other is default_section(entry) or not has_section(entry, other):
            continue
        lines = tuple(
            line for line in section_lines(entry, other, texts, lookup)
            if any(cue in f" {fold(line)} " for cue in cues)
        )
        if lines:
            return other, lines
    return None


def _best_lines(
    entry: Entry,
    distinct: set[str],
    texts: Texts,
    lookup: EntryLookup,
    sections: tuple[Section, ...] = SECTION_BUTTONS,
    minimum: int = MIN_MATCH,
) -> tuple[Section | None, tuple[str, ...], int]:
    """The section whose lines say most of `distinct`, those lines, and how many words."""
    best: tuple[Section | None, tuple[str, ...], int] = (None, (), 0)
    for section in sections:
        if not has_section(entry, section):
            continue
        scored = [(len(distinct & set(words(line))), line)
                  for line in section_lines(entry, section, texts, lookup)]
        top = max((score for score, _ in scored), default=0)
        if top >= minimum and top > best[2]:
            best = (section, tuple(line for score, line in scored if score == top), top)
    return best


def _best_neighbour(
    last: Entry, distinct: set[str], result: SearchResult
) -> tuple[Entry | None, int]:
    """The neighbour of `last` among `result`'s candidates whose names say most of
    `distinct`, and how many of its words they say."""
    best: tuple[Entry | None, int] = (None, 0)
    for candidate in result.candidates:
        if not neighbours(last, candidate.entry):
            continue
        said = len(distinct & _name_words(candidate.entry))
        if said >= MIN_MATCH and said > best[1]:
            best = (candidate.entry, said)
    return best


def _name_words(entry: Entry) -> set[str]:
    return set(words(" ".join((entry.title, *entry.aliases))))


def _pairs(text: str) -> set[str]:
    return {f"{a} {b}" for a, b in itertools.pairwise(words(text))}
