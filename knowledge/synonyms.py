"""The curated word knowledge of the search, loaded from `synonyms.toml`.

The data lives in a TOML file rather than in code so that the people who know how
citizens talk ("sổ đỏ", "giấy độc thân") can extend it without touching Python.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.normalize import syllables, words
from knowledge.phrases import PhraseSet

SYNONYMS_PATH = Path(__file__).with_name("synonyms.toml")


class LexiconError(ValueError):
    """The synonyms file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Lexicon:
    """Expansions of abbreviations and everyday names, and words too generic to match on."""

    expansions: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    expandable: PhraseSet  # the keys of `expansions`, for finding them in a question
    generic: PhraseSet
    # Folded homograph → its generic spellings: "thi" is generic only when typed "thì";
    # "co" when typed "có" or "cô".
    homographs: dict[str, frozenset[str]]
    # One-word function words ("có", "của", "với"): a word pair with one of them says
    # little ("hôn có"), unlike a pair with a domain word ("ký lại").
    function_words: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()
    negation_particles: frozenset[str] = frozenset()  # words after which a negation asks
    denials: PhraseSet = field(default_factory=lambda: PhraseSet(()))  # "không phải": not asked
    past: frozenset[str] = frozenset()  # words telling a clause is what was already done
    past_spellings: frozenset[str] = frozenset()  # their spellings with diacritics ("đã")
    # Spellings of the words that open a purpose ("cần giấy đó để làm sổ đỏ"), and the
    # phrases where the same word is a verb ("để lại").
    purpose_spellings: frozenset[str] = frozenset()
    purpose_verbs: frozenset[tuple[str, ...]] = frozenset()
    asking: frozenset[str] = frozenset()  # question words ("gì", "nào"), folded
    # The words that open an alternative ("hay") and that say "another one" ("khác"),
    # folded and with their diacritics, and the comparisons where "khác" says no such
    # thing ("khác nhau"): together in a clause, the person doubts the procedure they name.
    alternatives: frozenset[str] = frozenset()
    alternative_spellings: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()
    other_spellings: frozenset[str] = frozenset()
    comparisons: PhraseSet = field(default_factory=lambda: PhraseSet(()))
    # Spellings that tell a clause is the situation ("đang nhận trợ cấp"), only as typed
    # with their diacritics: "dang" is also the "đăng" of "đăng ký".
    state_spellings: frozenset[str] = frozenset()

    def negates(self, sequence: Sequence[str], i: int, clause_ends: Collection[int]) -> bool:
        """Whether the negation word at `i` negates what follows ("không phải đánh giá",
        "chưa kết hôn") rather than closing a question ("… mất tiền không?")."""
        return (
            sequence[i] in self.negations
            and i not in clause_ends
            and i + 1 < len(sequence)
            and sequence[i + 1] not in self.negation_particles
        )

    def is_generic_word(self, folded: str, accented: str) -> bool:
        """Whether a one-word generic phrase, typed as `accented`, is really generic here."""
        spellings = self.homographs.get(folded)
        return spellings is None or accented in spellings

    def vocabulary(self) -> set[str]:
        """Every word the lexicon itself uses, so typos of them can be corrected too."""
        found = (self.generic.vocabulary() | self.expandable.vocabulary()
                 | self.comparisons.vocabulary() | self.alternatives | self.others)
        for targets in self.expansions.values():
            for target in targets:
                found.update(target)
        return found


def load_lexicon(path: Path = SYNONYMS_PATH) -> Lexicon:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise LexiconError(f"{path}: cannot read the synonyms file: {err}") from None
    expansions: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for table in ("abbreviations", "synonyms"):
        for phrase, targets in data.get(table, {}).items():
            if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
                raise LexiconError(f"{path}: [{table}] {phrase!r} must be a list of strings")
            key = tuple(words(phrase))
            folded = tuple(tuple(words(t)) for t in targets if words(t))
            if not key or not folded:
                raise LexiconError(f"{path}: [{table}] {phrase!r} has no words to match")
            expansions[key] = expansions.get(key, ()) + folded
    generic: list[str] = []
    for name, phrases in data.get("generic", {}).items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise LexiconError(f"{path}: [generic] {name!r} must be a list of strings")
        generic.extend(phrases)
    for phrase in _strings(path, data, "compounds", "words"):
        # A word made of generic syllables ("trợ cấp": "cấp" alone is generic) is one
        # content word: it stands for itself.
        key = tuple(words(phrase))
        expansions.setdefault(key, (key,))
    negations = frozenset(w for p in _strings(path, data, "negations", "words") for w in words(p))
    particles = frozenset(
        w for p in _strings(path, data, "negations", "particles") for w in words(p)
    )
    denials = PhraseSet(_strings(path, data, "negations", "denials"))
    past_words = [found for p in _strings(path, data, "context", "past") for found in syllables(p)]
    purpose_verbs = frozenset(tuple(words(p)) for p in _strings(path, data, "context", "verbs"))
    asking, alternatives, others = (
        frozenset(w for p in _strings(path, data, "context", key) for w in words(p))
        for key in ("asking", "alternatives", "others")
    )
    homographs: dict[str, frozenset[str]] = {}
    for phrase in data.get("generic", {}).get("homographs", []):
        found = syllables(phrase)
        if len(found) != 1:
            raise LexiconError(f"{path}: [generic] homograph {phrase!r} must be one word")
        folded, spelling = found[0]
        homographs[folded] = homographs.get(folded, frozenset()) | {spelling}
    function = frozenset(
        folded[0] for table in ("function", "homographs")
        for phrase in data.get("generic", {}).get(table, []) if len(folded := words(phrase)) == 1
    )
    return Lexicon(expansions, PhraseSet(expansions), PhraseSet(generic), homographs,
                   function, negations, particles, denials,
                   frozenset(folded for folded, _ in past_words),
                   frozenset(spelling for _, spelling in past_words),
                   purpose_spellings=_spellings(path, data, "context", "purpose"),
                   purpose_verbs=purpose_verbs, asking=asking,
                   alternatives=alternatives,
                   alternative_spellings=_spellings(path, data, "context", "alternatives"),
                   others=others,
                   other_spellings=_spellings(path, data, "context", "others"),
                   comparisons=PhraseSet(_strings(path, data, "context", "comparisons")),
                   state_spellings=_spellings(path, data, "context", "state"))


def _spellings(path: Path, data: dict, table: str, key: str) -> frozenset[str]:
    """The spellings with diacritics (`normalize.syllables`) of the words listed."""
    return frozenset(spelling for p in _strings(path, data, table, key)
                     for _, spelling in syllables(p))


def _strings(path: Path, data: dict, table: str, key: str) -> list[str]:
    found = data.get(table, {}).get(key, [])
    if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
        raise LexiconError(f"{path}: [{table}] {key!r} must be a list of strings")
    return found
