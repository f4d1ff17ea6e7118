"""Search over knowledge-base entries: retrieve, rank, and decide whether to answer.

Public interface used by the rest of the bot:
    index = SearchIndex.build(entries)
    result = index.search("khai sinh can giay to gi")

A wrong confident answer sends a citizen home with the wrong papers, so the decision
is separate from the ranking: BM25F (knowledge.ranking) orders a shortlist, coverage of
the question by each entry's names re-ranks it, and a decision calibrated on questions
(knowledge.decision) reads what the ranking knows about the best entry to answer,
suggest a few entries, or say it does not know.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from knowledge.decision import Decision, load_decision
from knowledge.entry import Entry, Origin, Section
from knowledge.examples import load_examples
from knowledge.facets import FacetDetector
from knowledge.normalize import clause_ends, fold, syllables, words
from knowledge.query import Query, QueryAnalyser, Slot
from knowledge.ranking import FieldSpec, RankIndex, contains, pairs
from knowledge.smalltalk import SmalltalkDetector
from knowledge.synonyms import Lexicon, load_lexicon
from knowledge.typos import TypoCorrector
from knowledge.wording import WordingModel, entry_lines, question_terms


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
    normalized: str  # the folded question as searched, typos corrected
    intent: Intent
    facet: Section | None
    candidates: tuple[Candidate, ...]
    # What the decision read (knowledge.decision.FEATURES, and TIED); None when nothing
    # was ranked.
    features: Mapping[str, float] | None = None

    @property
    def answer(self) -> Entry | None:
        return self.candidates[0].entry if self.intent is Intent.ANSWER else None

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


# Situations are everyday words, searched like body text but with word pairs: a case told
# in a story ("sổ xã cũng cháy") is found by the pairs it shares with one entry's cases.
SITUATION_WEIGHT = 1.0
FIELDS = (
    FieldSpec("title", in_name=True, weight=1.0, b=0.5, bigrams=True),
    FieldSpec("aliases", in_name=True, weight=0.8, b=0.3, bigrams=True),
    FieldSpec("code", in_name=True, weight=1.0, b=0.0, bigrams=True),
    FieldSpec("text", in_name=False, weight=1.0, b=0.75, bigrams=False),
    FieldSpec("situations", in_name=False, weight=SITUATION_WEIGHT, b=0.3, bigrams=True),
    FieldSpec("legal", in_name=False, weight=0.6, b=0.5, bigrams=True),
    FieldSpec("about", in_name=False, weight=0.5, b=0.0, bigrams=False),
)
# Only the head of each section is indexed: portal records carry sections of up to
# 50,000 characters whose tail repeats boilerplate; the head says what they are about.
SECTION_INDEX_CHARS = 1500

GENERIC_WEIGHT = 0.2  # generic words help order entries, a little
CURATED_PRIOR = 1.1  # curated entries win near ties with imported portal records
# Added to a curated entry's re-ranking key: a portal record of the same matter ("Cấp đổi
# thẻ căn cước") often says the question's words as well, but the curated entry or the
# redirect is the answer the project stands behind. Not when an imported record covers
# the question by more than LEAD_TOLERANCE: then it says what is asked and the curated
# entry does not ("dừng thủ tục đăng ký hộ kinh doanh" is not the registration itself).
CURATED_LEAD = 0.1
LEAD_TOLERANCE = 0.05
BODY_CREDIT = 0.4  # a question word found only in an entry's body half-covers it
# In a phrase's credit, each of its word pairs counts this many times one of its words:
# an entry that says "cấp giấy" and "trợ giúp" has both syllables of "trợ cấp", not it.
PHRASE_PAIR_WEIGHT = 2.0
# Entries re-ranked by coverage after BM25F. Wide enough that a curated entry whose
# words are common in portal records ("chứng thư số") still reaches the re-ranking.
SHORTLIST = 50
SUGGESTIONS = 3
_NONE = np.zeros(0, dtype=np.int32)  # no entry's names
TIED = "tied"  # a key of SearchResult.features beside the decision's own

# The re-ranking key: coverage, plus a share of how much of one name the question says,
# plus a share of the BM25F score relative to the best one (a long question's words spread
# over several entries' names; the ranking still knows which entry they weigh most in).
NAME_FIT_WEIGHT = 0.25
SCORE_WEIGHT = 0.5
# A question that says every word of one of an entry's names, and little else, names that
# entry ("làm giấy khai sinh"); a neighbour that says the same words more often (re-
# registration of birth, whose situations tell of lost birth certificates) must not overtake
# it on BM25 alone. Scaled by the share of the question in names, a long story that happens
# to contain a short alias gains little.
WHOLE_NAME_WEIGHT = 0.2
# Plus a share of the log of how likely the entry is, among the curated entries shortlisted,
# to be the one worded so (knowledge.wording), floored so that it costs a bounded amount.
# The weight was set by the best-ranked entry's share right on the tuning questions
# (`bench/wording_weight.py`: 91.7% without the model, 96.4% at 0.15, 96.0% at 0.3). A
# question of few content words gives the model little to read ("khai sinh mất mấy ngày"
# is not re-registration because that entry's cases say "khai sinh" more often): the share
# grows with the content words up to WORDING_FULL_AT.
WORDING_WEIGHT = 0.15
WORDING_FLOOR = 1e-3
WORDING_FULL_AT = 5

def entry_fields(entry: Entry) -> dict[str, list[str]]:
    """The folded words of each indexed field of `entry`."""
    text = " ".join(
        body[:SECTION_INDEX_CHARS] for section, body in entry.sections.items()
        if section is not Section.LEGAL
    )
    return {
        "title": words(entry.title),
        "aliases": words(" ".join(entry.aliases)),
        "code": words(entry.code or ""),
        "text": words(text),
        "situations": words(" ".join(entry.situations)),
        "legal": words(entry.section(Section.LEGAL)[:SECTION_INDEX_CHARS]),
        "about": words(f"{entry.field} {entry.agency}"),
    }


@dataclass(frozen=True)
class _Shortlisted:
    position: int
    score: float  # BM25F with the origin prior
    coverage: float  # share of the question's content the entry matches, names counting most
    name_fit: float  # share of the entry's best-fitting title or alias the question contains
    name_pair: bool  # the question says two adjacent content words of a title or alias
    whole_name: bool  # the question says every word of a title or alias, generic ones too
    named_share: float  # share of the question's content words found in the entry's names
    missing: int  # the question's content words found nowhere in the entry
    relative: float  # BM25F score over the best score in the shortlist
    # curated (a procedure, guidance or redirect), and no imported record covers the
    # question by more than LEAD_TOLERANCE more: it gets CURATED_LEAD
    leads: bool
    wording: float  # how much likelier its wording makes it than the others (_wording_lead)

    @property
    def fit(self) -> float:
        """How well the entry's names and text fit the question, its wording aside."""
        return (self.coverage + NAME_FIT_WEIGHT * self.name_fit + SCORE_WEIGHT * self.relative
                + WHOLE_NAME_WEIGHT * self.whole_name * self.named_share
                + (CURATED_LEAD if self.leads else 0.0))

    @property
    def key(self) -> float:
        return self.fit + WORDING_WEIGHT * self.wording


class SearchIndex:
    def __init__(
        self,
        entries: Sequence[Entry],
        rank: RankIndex,
        names: Sequence[_Names],
        analyser: QueryAnalyser,
        decision: Decision,
        wording: WordingModel,
    ) -> None:
        self._entries = list(entries)
        self._rank = rank
        self._wording = wording
        self._names = list(names)
        self._analyser = analyser
        self._decision = decision
        self._smalltalk = SmalltalkDetector()
        self._name_spellings = _name_spellings(self._names)
        self._curated = np.array([e.origin is Origin.CURATED for e in self._entries], dtype=bool)
        self._prior = np.where(self._curated, CURATED_PRIOR, 1.0).astype(np.float32)

    @classmethod
    def build(
        cls, entries: Sequence[Entry], lexicon: Lexicon | None = None,
        decision: Decision | None = None, examples: Mapping[str, Sequence[str]] | None = None,
    ) -> SearchIndex:
        """Index `entries` as given (a knowledge base's, already merged by
        `knowledge.base.merged`); `lexicon`, `decision` and `examples` (entry id → questions
        it answers, knowledge.examples) default to the bundled files."""
        examples = load_examples() if examples is None else examples
        lexicon = lexicon or load_lexicon()
        rank = RankIndex.build(FIELDS, map(entry_fields, entries))
        facets = FacetDetector()
        lexicon_words = lexicon.vocabulary() | facets.vocabulary()
        corrector = TypoCorrector(
            [t for t in rank.terms() if " " not in t] + sorted(lexicon_words),
            rank.document_frequency,
        )
        analyser = QueryAnalyser(lexicon, facets, corrector, _Known(rank, frozenset(lexicon_words)))
        return cls(entries, rank, [_names(e, lexicon) for e in entries], analyser,
                   decision or load_decision(), WordingModel.build([
                       (*entry_lines(e), *examples.get(e.id, ())) if e.origin is Origin.CURATED
                       else () for e in entries]))

    def search(self, query: str, limit: int = 5) -> SearchResult:
        normalized = fold(query)
        if not normalized:
            return SearchResult(query, normalized, Intent.EMPTY, None, ())
        talk = self._smalltalk.detect(normalized.split())
        if talk is not None:
            return SearchResult(query, normalized, Intent(talk.value), None, ())
        parsed = self._analyser.analyse(query)
        searched = " ".join(parsed.words)
        if not parsed.content or _only_short_numbers(parsed):
            return SearchResult(query, searched, Intent.UNKNOWN, parsed.facet, ())
        shortlist = self._shortlist(parsed)
        if not shortlist:
            return SearchResult(query, searched, Intent.UNKNOWN, parsed.facet, ())
        features = self._features(parsed, shortlist)
        intent = Intent(self._decision.decide(features).value)
        if intent is Intent.ANSWER and features[TIED]:
            intent = Intent.SUGGEST
        shown = shortlist[: SUGGESTIONS if intent is Intent.SUGGEST else limit]
        candidates = tuple(
            Candidate(self._entries[s.position], round(s.coverage, 4)) for s in shown
        )
        return SearchResult(query, searched, intent, parsed.facet, candidates, features)

    def _shortlist(self, query: Query) -> list[_Shortlisted]:
        terms = _weighted_terms(query, self._analyser.lexicon.function_words)
        scores = self._rank.scores(terms) * self._prior
        count = min(SHORTLIST, len(scores))
        if count == 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[scores[top] > 0]
        credits = self._credits(query, top)
        otherwise = self._spelled_otherwise(query, credits)
        coverage, named, missing = self._coverage(query, credits, otherwise)
        said = {w for slot in query.slots if not slot.denied_by
                for a in slot.alternatives for w in a.words}
        said_pairs = _content_pairs(query)
        shortlist = []
        best = float(scores[top].max()) if len(top) else 1.0
        curated = self._curated[top]
        imported_best = coverage[~curated].max(initial=0.0)
        leads = curated & (coverage >= imported_best - LEAD_TOLERANCE)
        wording = self._wording_lead(query, top, curated, leads)
        for i, (position, covered, named_share, absent, lead, worded) in enumerate(zip(
            top.tolist(), coverage, named, missing, leads.tolist(), wording.tolist(), strict=True
        )):
            names = self._names[position]
            if otherwise:
                said_here = said - {w for w, mask in otherwise.items() if mask[i]}
            else:
                said_here = said
            shortlist.append(_Shortlisted(
                position, float(scores[position]), float(covered), names.fit(said_here),
                not said_pairs.isdisjoint(names.pairs),
                any(name <= said_here for name in names.whole), float(named_share), int(absent),
                float(scores[position]) / best, lead, worded,
            ))
        shortlist.sort(key=lambda s: (s.key, s.score), reverse=True)
        return shortlist

    def _wording_lead(
        self, query: Query, docs: np.ndarray, curated: np.ndarray, leads: np.ndarray
    ) -> np.ndarray:
        """For each of `docs`: how much likelier than the others the wording model finds
        each curated entry (log of its chance over an even share, both floored). Imported
        records get 0: their titles alone say no more than coverage does, and their words
        would make the model favour whichever portal title repeats the question's words.
        A curated entry that does not lead (an imported record covers the question
        better) may lose by its wording but not gain."""
        found = np.zeros(len(docs), dtype=np.float32)
        if not curated.any():
            return found
        # A word of a clause that tells what was already done weighs its coverage weight
        # squared: a story's many words would otherwise outvote the ask's few. The words
        # that ask for a part ("mất mấy ngày") are in no slot and weigh nothing: they say
        # which section is wanted, not which entry, and an entry whose example questions
        # asked about time would gain by them.
        weights = [0.0] * len(query.words)
        for slot in query.slots:
            weights[slot.start:slot.end] = [slot.weight**2] * slot.size
        terms = question_terms(query.words, weights)
        chance = np.exp(self._wording.log_posterior(terms, docs[curated]))
        likelier = np.log(chance + WORDING_FLOOR) - math.log(1 / len(chance) + WORDING_FLOOR)
        found[curated] = np.where(leads[curated], likelier, np.minimum(likelier, 0.0))
        said = sum(slot.size for slot in query.content)
        found *= min(1.0, said / WORDING_FULL_AT)
        return found

    def _credits(self, query: Query, docs: np.ndarray) -> _Credits:
        """The credit of each word and word pair `_coverage` reads, for each of `docs`."""
        terms: dict[str, None] = {}
        content = query.content
        for slot in content:
            for alternative in slot.alternatives:
                terms.update(dict.fromkeys((*alternative.words, *pairs(alternative.words))))
        for left, right in itertools.pairwise(content):
            if left.end == right.start and left.alternatives and right.alternatives:
                terms[f"{left.alternatives[0].words[-1]} {right.alternatives[0].words[0]}"] = None
        terms.update(dict.fromkeys(slot.denied_by for slot in content if slot.denied_by))
        in_name, anywhere = self._rank.presence_many(list(terms), docs)
        matrix = np.where(in_name, 1.0, np.where(anywhere, BODY_CREDIT, 0.0)).astype(np.float32)
        return _Credits(docs, dict(zip(terms, matrix, strict=True)))

    def _spelled_otherwise(self, query: Query, credits: _Credits) -> dict[str, np.ndarray]:
        """For each word of the question typed with diacritics whose folded form names
        spell in several ways, this one among them: which of the shortlisted entries have
        it in their names, but only spelled otherwise ("hộ" typed, "hồ sơ" named)."""
        found = {}
        for slot in query.content:
            folded, spelling = query.words[slot.start], query.spelled[slot.start]
            spellings = self._name_spellings.get(folded) if spelling else None
            if slot.size == 1 and spellings is not None:
                # A spelling no name has ("năm ngoái" where names say "nước ngoài") is
                # held by none of them.
                holders = spellings.get(spelling, _NONE)
                other = (credits.of(folded) >= 1.0) & ~contains(holders, credits.docs)
                if other.any():
                    found[folded] = other
        return found

    def _coverage(
        self, query: Query, credits: _Credits, otherwise: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each shortlisted entry: the share of the question's content words, and of its
        adjacent content word pairs, that it has (a word found only in the body counts
        for BODY_CREDIT); the share of the content words that its names say; and how
        many content words it does not have at all.

        Pairs matter because folding merges words: "ký" in "chữ ký số" and in "đăng ký"
        fold alike, but only one entry has "chu ky" in its names. A word typed with
        diacritics that an entry's names spell otherwise (`otherwise`: word → mask over
        the entries) is not in its names.
        """
        total = np.zeros(len(credits.docs), dtype=np.float32)
        named = np.zeros(len(credits.docs), dtype=np.float32)
        missing = np.zeros(len(credits.docs), dtype=np.int32)
        content = query.content
        for slot in content:
            credit = self._slot_credit(slot, credits)
            other = otherwise.get(query.words[slot.start]) if slot.size == 1 else None
            if other is not None:
                credit = np.where(other & (credit >= 1.0), BODY_CREDIT, credit).astype(np.float32)
            if slot.denied_by:
                credit = np.where(credits.of(slot.denied_by) >= 1.0, credit, 0.0)
            total += slot.weight * slot.size * credit
            named += slot.size * (credit >= 1.0)
            missing += slot.size * (credit == 0.0)
        words_weight = float(sum(slot.size for slot in content))
        weight = float(sum(slot.weight * slot.size for slot in content))
        for left, right in itertools.pairwise(content):
            # A word no entry knows (a person's name, "visa") costs its own weight only.
            if left.end != right.start or not left.alternatives or not right.alternatives:
                continue
            first, second = left.alternatives[0], right.alternatives[0]
            pair_weight = min(left.weight, right.weight)
            credit = credits.of(f"{first.words[-1]} {second.words[0]}")
            if denial := right.denied_by or left.denied_by:
                credit = np.where(credits.of(denial) >= 1.0, credit, 0.0)
            total += pair_weight * min(first.trust, second.trust) * credit
            weight += pair_weight
        return total / weight, named / words_weight, missing

    def _slot_credit(self, slot: Slot, credits: _Credits) -> np.ndarray:
        best = np.zeros(len(credits.docs), dtype=np.float32)
        for alternative in slot.alternatives:
            # A phrase's words and, counting PHRASE_PAIR_WEIGHT times more, the pairs they
            # form: "trợ cấp" is not "cấp" and "trợ".
            found = pairs(alternative.words)
            credit = sum(credits.of(word) for word in alternative.words) + PHRASE_PAIR_WEIGHT * sum(
                credits.of(pair) for pair in found)
            weight = len(alternative.words) + PHRASE_PAIR_WEIGHT * len(found)
            best = np.maximum(best, alternative.trust * credit / weight)
        return best

    def _features(self, query: Query, shortlist: list[_Shortlisted]) -> dict[str, float]:
        """What the decision reads about the best entry (knowledge.decision.FEATURES),
        and whether a runner-up ties with it (TIED), which no model overrules."""
        top = shortlist[0]
        rivals = self._rivals(shortlist)
        rival = max(rivals, key=lambda s: (s.key, s.score), default=None)
        content = query.content
        words_count = sum(slot.size for slot in content)
        unknown = sum(slot.size for slot in content if not slot.alternatives)
        return {
            "coverage": top.coverage,
            "name_fit": top.name_fit,
            "named_share": top.named_share,
            "whole_name": float(top.whole_name),
            "name_pair": float(top.name_pair),
            "margin": top.key - (rival.key if rival else 0.0),
            "fit_margin": top.fit - (rival.fit if rival else 0.0),
            "score_ratio": rival.score / top.score if rival and top.score > 0 else 0.0,
            "coverage_lead": top.coverage - max((s.coverage for s in rivals), default=0.0),
            "length": math.log1p(words_count),
            "unknown_share": unknown / words_count if words_count else 0.0,
            "missing": top.missing / words_count if words_count else 0.0,
            "doubts": float(query.doubts),
            TIED: float(self._tied(shortlist)),
        }

    def _tied(self, shortlist: list[_Shortlisted]) -> bool:
        """Whether a runner-up that contests the best entry fits the question as well by
        every measure of what the question says ("chứng thực" and four kinds of it): the
        question does not tell them apart, so it is not answered, whatever the model says.
        """
        top = shortlist[0]
        return any(
            rival.coverage >= top.coverage and rival.name_fit >= top.name_fit
            and rival.whole_name >= top.whole_name
            for rival in self._rivals(shortlist)
        )

    def _rivals(self, shortlist: list[_Shortlisted]) -> list[_Shortlisted]:
        """The runners-up that can contest the top entry: all of them, except that an
        imported portal record does not cast doubt on a curated answer."""
        if self._entries[shortlist[0].position].origin is not Origin.CURATED:
            return shortlist[1:]
        return [s for s in shortlist[1:] if self._entries[s.position].origin is Origin.CURATED]


@dataclass(frozen=True)
class _Credits:
    """Per word or word pair, its credit in each shortlisted entry: 1 in its names,
    BODY_CREDIT elsewhere in it, 0 not at all."""

    docs: np.ndarray
    by_term: Mapping[str, np.ndarray]

    def of(self, term: str) -> np.ndarray:
        return self.by_term[term]


@dataclass(frozen=True)
class _Known:
    """Whether the index or the lexicon has a word or word pair (a class, not a lambda,
    so that a built index can be cached with pickle: knowledge.cache)."""

    rank: RankIndex
    lexicon_words: frozenset[str]

    def __call__(self, term: str) -> bool:
        return term in self.rank or term in self.lexicon_words


def _weighted_terms(query: Query, function_words: frozenset[str]) -> dict[str, float]:
    """Words and word pairs of the question with the weight each carries in ranking."""
    terms: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        terms[term] = max(terms.get(term, 0.0), weight)

    for slot in query.slots:
        base = GENERIC_WEIGHT if slot.generic or slot.denied_by else slot.weight
        for alternative in slot.alternatives:
            for term in (*alternative.words, *pairs(alternative.words)):
                add(term, base * alternative.trust)
    for left, right in itertools.pairwise(query.slots):
        if left.end == right.start and left.alternatives and right.alternatives:
            first, second = left.alternatives[0].words[-1], right.alternatives[0].words[0]
            weak = (left.generic and right.generic) or (
                (left.generic and first in function_words)
                or (right.generic and second in function_words)
            )
            weight = (GENERIC_WEIGHT if weak else min(left.weight, right.weight)) * min(
                left.alternatives[0].trust, right.alternatives[0].trust
            )
            add(f"{first} {second}", weight)
    return terms


@dataclass(frozen=True)
class _Names:
    """The words of an entry's names (title, aliases, code) as the decision uses them."""

    content: tuple[frozenset[str], ...]  # each name's words, generic ones left out
    whole: tuple[frozenset[str], ...]  # each name's words, all of them
    pairs: frozenset[str]  # adjacent content-word pairs ("trich luc", not "dang ky")
    spellings: Mapping[str, frozenset[str]]  # folded word of the names → its spellings
    vocabulary: frozenset[str]  # the content words of all names

    def fit(self, said: set[str]) -> float:
        """The largest share of one name's content words that `said` contains."""
        found = self.vocabulary.intersection(said)
        if not found:
            return 0.0
        return max((len(name & found) / len(name) for name in self.content if name), default=0.0)


def _name_spellings(names: Sequence[_Names]) -> dict[str, dict[str, np.ndarray]]:
    """Folded name word ("ho") → each spelling the names give it (hộ, hồ) → the sorted
    positions of the entries whose names spell it so."""
    holders: dict[str, dict[str, list[int]]] = {}
    for position, entry_names in enumerate(names):
        for folded, spellings in entry_names.spellings.items():
            for spelling in spellings:
                holders.setdefault(folded, {}).setdefault(spelling, []).append(position)
    return {
        folded: {spelling: np.array(found, dtype=np.int32) for spelling, found in by.items()}
        for folded, by in holders.items()
    }


def _names(entry: Entry, lexicon: Lexicon) -> _Names:
    content: list[frozenset[str]] = []
    whole: list[frozenset[str]] = []
    pairs_found: set[str] = set()
    spellings: dict[str, set[str]] = {}
    for name in (entry.title, *entry.aliases, entry.code or ""):
        found = syllables(name)
        for folded, spelling in found:
            spellings.setdefault(folded, set()).add(spelling)
        sequence = [folded for folded, _ in found]
        ends = clause_ends(name)
        generic = {
            i for span in lexicon.generic.find(sequence) for i in range(span.start, span.end)
            if not lexicon.negates(sequence, i, ends)
            # A homograph is generic only in its function word's spelling: "chữ" is not "chú".
            and (span.end - span.start > 1 or lexicon.is_generic_word(*found[i]))
        }
        content.append(frozenset(w for i, w in enumerate(sequence) if i not in generic))
        whole.append(frozenset(sequence))
        pairs_found.update(
            f"{sequence[i]} {sequence[i + 1]}"
            for i in range(len(sequence) - 1)
            if i not in generic and i + 1 not in generic
        )
    return _Names(tuple(content), tuple(n for n in whole if n), frozenset(pairs_found),
                  {folded: frozenset(spelled) for folded, spelled in spellings.items()},
                  frozenset().union(*content))


def _only_short_numbers(query: Query) -> bool:
    """Whether the question's content is only numbers of one or two digits ("2", "²"): a
    stray key, not a question, which every entry numbering a clause would match. A
    procedure code or a year has more digits."""
    return all(
        word.isdigit() and len(word) <= 2
        for slot in query.content for word in query.words[slot.start:slot.end]
    )


def _content_pairs(query: Query) -> set[str]:
    """Adjacent content-word pairs the question says, within and across its slots."""
    found: set[str] = set()
    for slot in query.content:
        for alternative in slot.alternatives:
            found.update(pairs(alternative.words))
    for left, right in itertools.pairwise(query.content):
        if left.end == right.start and left.alternatives and right.alternatives:
            found.add(f"{left.alternatives[0].words[-1]} {right.alternatives[0].words[0]}")
    return found
