"""Questions people asked, by the entry that answers them: more lines for the wording model.

An entry's names and cases are written by curators; citizens tell the same matter in
other words ("không cưới", "chỉ mang tên mẹ"). The tuning split of the project's question
bank (`bench/questions/tune.jsonl`) holds several hundred such questions, each with the
entries that answer it. `bench/make_questions.py` writes them to `examples.tsv`, and the
wording model (knowledge.wording) learns from them as it learns from an entry's
situations. The held-out split is never written here, so it still measures questions
the model has not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

EXAMPLES_PATH = Path(__file__).with_name("examples.tsv")


class ExamplesError(ValueError):
    """The examples file is unreadable or malformed; the message names the file and line."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
        self.path, self.line, self.reason = path, line, reason


def load_examples(path: Path = EXAMPLES_PATH) -> dict[str, tuple[str, ...]]:
    """Entry id → the questions it answers. Lines: entry id <TAB> question; "#" comments.
    A missing file is no examples: a knowledge base without a bank still searches."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise ExamplesError(path, 0, f"cannot read the examples file: {err}") from None
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        entry_id, tab, question = line.partition("\t")
        if not tab or not entry_id.strip() or not question.strip():
            raise ExamplesError(path, number, "expected an entry id, a tab and a question")
        pairs.append((entry_id.strip(), question.strip()))
    return grouped(pairs)


def grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """(entry id, question) pairs → entry id → its questions, in order."""
    found: dict[str, list[str]] = {}
    for entry_id, question in pairs:
        found.setdefault(entry_id, []).append(question)
    return {entry_id: tuple(questions) for entry_id, questions in found.items()}


def render(examples: Mapping[str, Iterable[str]], header: str) -> str:
    """The file `load_examples` reads, `header` as its comment lines."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for entry_id in sorted(examples):
        lines += [f"{entry_id}\t{question}" for question in examples[entry_id]]
    return "\n".join(lines) + "\n"
