"""One folded form for every way a Vietnamese question gets typed.

Officials type on phones and old keyboards: with or without diacritics, NFC or NFD,
old or new tone placement (hòa/hoà), stray punctuation, pasted zero-width characters.
Search compares folded text only, so all of these meet in one form: lowercase ASCII-ish
words (letters and digits of any script, diacritics removed, đ → d) separated by single
spaces. Dropping the tone marks is what makes tone placement irrelevant: "hoà" and "hòa"
both fold to "hoa".
"""

from __future__ import annotations

import re
import unicodedata

# Format and control characters (zero-width space/joiners, BOM, bidi marks, soft hyphen,
# C0/C1 controls other than whitespace): removed outright, so "kh\u200bai" stays one word.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Runs of characters that are neither ASCII nor a combining diacritic (U+0300-U+036F):
# punctuation such as "–" and letters of other scripts. Everything between such runs is
# Latin text whose diacritics are dropped by encoding to ASCII, which is an order of
# magnitude faster than removing combining marks one by one (index build time counts).
_FOREIGN = re.compile("([^\x00-\x7f\u0300-\u036f]+)")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Fold `text` for comparison; idempotent, never raises, may return ""."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The folded words (syllables) of `text`."""
    text = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text))
    parts = _FOREIGN.split(text.replace("đ", "d").replace("Đ", "D"))
    parts[::2] = [part.encode("ascii", "ignore").decode("ascii").lower() for part in parts[::2]]
    parts[1::2] = [unicodedata.normalize("NFKD", part.lower()) for part in parts[1::2]]
    return _WORD.findall("".join(parts))


# Tone marks (huyền, sắc, ngã, hỏi, nặng). Vowel marks (â, ă, ơ...) stay where they are.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_SYLLABLE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")


def syllables(text: str) -> list[tuple[str, str]]:
    """(folded, accented) for each word of `text`.

    The accented form keeps the diacritics that folding drops, with the tone mark moved
    after the letters, so old and new tone placement agree ("hoà" and "hòa" give the
    same). It tells "thì" (then) from "thi" (exam) when the question was typed with
    diacritics. A word whose folding splits it in several gets its folded form as both.
    """
    found: list[tuple[str, str]] = []
    text = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text).lower()).lower()
    for token in _SYLLABLE.findall(text):
        folded = words(token)
        if len(folded) == 1:
            tones = "".join(c for c in token if c in _TONES)
            kept = "".join(c for c in token if c not in _TONES)
            found.append((folded[0], unicodedata.normalize("NFC", kept + tones)))
        else:
            found.extend((word, word) for word in folded)
    return found



# Punctuation that ends a clause: a negation right before it is a question particle.
_CLAUSE_END = re.compile(r"[.,;:?!\u2026]")


def clause_ends(text: str) -> frozenset[int]:
    """Positions, among the words `syllables(text)` returns, of the words that end a
    clause: followed by punctuation such as "?" or ",", or last."""
    text = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text).lower()).lower()
    ends: set[int] = set()
    position = 0
    tokens = list(_SYLLABLE.finditer(text))
    for token, following in zip(tokens, [*tokens[1:], None][: len(tokens)], strict=True):
        position += len(words(token.group()))  # as many words as syllables() gives it
        gap = text[token.end(): following.start() if following else len(text)]
        if position and (following is None or _CLAUSE_END.search(gap)):
            ends.add(position - 1)
    return frozenset(ends)
