"""The curated word knowledge of the search, loaded from `synonyms.toml`.

The data lives in a TOML file rather than in code so that the people who know how
citizens talk ("sổ đỏ", "giấy độc thân") can extend it without touching Python.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
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
    # Folded homograph → its generic spelling: "thi" is generic only when typed "thì".
    homographs: dict[str, str]

    def is_generic_word(self, folded: str, accented: str) -> bool:
        """Whether a one-word generic phrase, typed as `accented`, is really generic here."""
        spelling = self.homographs.get(folded)
        return spelling is None or spelling == accented

    def vocabulary(self) -> set[str]:
        """Every word the lexicon itself uses, so typos of them can be corrected too."""
        found = self.generic.vocabulary() | self.expandable.vocabulary()
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
    homographs = {}
    for phrase in data.get("generic", {}).get("homographs", []):
        found = syllables(phrase)
        if len(found) != 1:
            raise LexiconError(f"{path}: [generic] homograph {phrase!r} must be one word")
        homographs[found[0][0]] = found[0][1]
    return Lexicon(expansions, PhraseSet(expansions), PhraseSet(generic), homographs)
