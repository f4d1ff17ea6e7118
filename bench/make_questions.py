"""Turn the question bank into its typing variants, split into tune and held-out files.

Run from the project root after editing `bench/questions/bank.tsv`:

    .venv/bin/python bench/make_questions.py

Each bank line becomes the question as typed, without diacritics, in NFD, in the other
tone style (hòa/hoà, when a word has one) and with one typo (two adjacent letters
swapped, as thumbs do on a phone). The split is by question, stratified by kind within
each batch (a "## " line starts a batch): about 30% of each kind's questions go, with all
their variants, to the held-out file, chosen by a hash of the question. New questions go
in a new batch, so that adding them never moves a tuned question into the held-out file
or back. Changing a question's accepted ids keeps it where it is. The output has the
shape of `../shared/eval/dev.jsonl` plus "kind" and "batch" (1 for the lines before the first
"## " line) keys that score.py ignores. The tune questions as typed that some entry
answers are also written to `knowledge/examples.tsv`, each under the first entry it
accepts, which the wording model learns from (knowledge.examples); the held-out ones
never are.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.examples import EXAMPLES_PATH, grouped, render

HERE = Path(__file__).resolve().parent / "questions"
EXAMPLES_HEADER = """Written by bench/make_questions.py from the tuning split of
bench/questions/bank.tsv: do not edit by hand, edit the bank and rerun. Entry id <TAB> a
question it answers, as typed; the wording model (knowledge/wording.py) learns from them."""
BANK = HERE / "bank.tsv"
HELDOUT_SHARE = 0.3
# Tone marks in NFD: grave, acute, tilde, hook above, dot below.
TONES = "\u0300\u0301\u0303\u0309\u0323"
# An open syllable ending in oa, oe or uy: the two tone styles put the mark on either
# vowel ("hòa" / "hoà", "thủy" / "thuỷ"). "qu" is a consonant, so "quý" has one style.
TONE_STYLE = re.compile(
    rf"^(?!q)([^\W\d_aeiouy]*)([ou])([{TONES}]?)([aey])([{TONES}]?)$", re.IGNORECASE
)
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class BankQuestion:
    kind: str
    accept: tuple[str, ...]
    text: str
    batch: int = 0

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()


def read_bank(path: Path = BANK) -> list[BankQuestion]:
    questions = []
    batch = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            batch += 1
        if not line.strip() or line.startswith("#"):
            continue
        kind, accept, text = line.split("\t")
        if not text.strip():
            sys.exit(f"{path}:{number}: empty question")
        ids = () if accept == "-" else tuple(accept.split(","))
        questions.append(
            BankQuestion(kind, ids, unicodedata.normalize("NFC", text.strip()), batch)
        )
    return questions


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def other_tone_style(text: str) -> str:
    """`text` with every oa/oe/uy syllable's tone mark moved to the other vowel."""

    def swap(match: re.Match[str]) -> str:
        word = unicodedata.normalize("NFD", match.group())
        found = TONE_STYLE.match(word)
        if not found or bool(found.group(3)) == bool(found.group(5)):
            return match.group()
        onset, first, tone_one, second, tone_two = found.groups()
        if (first + second).lower() not in {"oa", "oe", "uy"}:
            return match.group()
        moved = (f"{onset}{first}{second}{tone_one}" if tone_one
                 else f"{onset}{first}{tone_two}{second}")
        return unicodedata.normalize("NFC", moved)

    return WORD.sub(swap, text)


def with_typo(text: str, rng: random.Random) -> str | None:
    """`text` with two adjacent letters of one longer word swapped, if it has one."""
    spans = [m.span() for m in WORD.finditer(text) if len(m.group()) >= 4]
    if not spans:
        return None
    start, end = rng.choice(spans)
    i = rng.randrange(start, end - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def variants(question: BankQuestion) -> Iterator[tuple[str, str]]:
    text = question.text
    yield "as_typed", text
    plain = strip_diacritics(text)
    if plain != text:
        yield "no_diacritics", plain
        yield "nfd", unicodedata.normalize("NFD", text)
    toned = other_tone_style(text)
    if toned != text:
        yield "tone_style", toned
    typo = with_typo(text, random.Random(question.digest))
    if typo is not None:
        yield "typo", typo


def split(questions: Sequence[BankQuestion]) -> tuple[list[BankQuestion], list[BankQuestion]]:
    """(tune, held-out): per batch and kind, the questions whose hashes come first are
    held out."""
    by_kind: dict[tuple[int, str], list[BankQuestion]] = defaultdict(list)
    for question in questions:
        by_kind[question.batch, question.kind].append(question)
    heldout: set[BankQuestion] = set()
    for group in by_kind.values():
        ordered = sorted(group, key=lambda q: q.digest)
        heldout.update(ordered[: round(HELDOUT_SHARE * len(ordered))])
    return ([q for q in questions if q not in heldout], [q for q in questions if q in heldout])


def rows(questions: Sequence[BankQuestion]) -> list[dict]:
    """The lines of a question file: each question in each of its typing variants."""
    return [{"q": text, "accept": list(q.accept), "variant": variant, "kind": q.kind,
             "batch": q.batch + 1} for q in questions for variant, text in variants(q)]


def examples(lines: Iterable[dict]) -> dict[str, tuple[str, ...]]:
    """Entry id → the questions as typed that it answers first (knowledge.examples): what
    the wording model learns from the questions of `lines`, a tune file's or some of them.
    Only the first accepted id learns a question: a plain birth question that also accepts
    the joint birth-and-insurance procedure would teach that one to say "khai sinh" as
    often as birth registration does."""
    return grouped((line["accept"][0], line["q"]) for line in lines
                   if line["variant"] == "as_typed" and line["accept"])


def main() -> int:
    tune, heldout = split(read_bank())
    for name, part in (("tune", tune), ("heldout", heldout)):
        lines = rows(part)
        (HERE / f"{name}.jsonl").write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), "utf-8")
        print(f"{name}: {len(part)} questions, {len(lines)} lines")
    learned = examples(rows(tune))
    EXAMPLES_PATH.write_text(render(learned, EXAMPLES_HEADER), encoding="utf-8")
    print(f"{EXAMPLES_PATH.name}: {sum(map(len, learned.values()))} examples for "
          f"{len(learned)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
