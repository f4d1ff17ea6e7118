"""Typed button data: what a button means, packed into a short string.

Chat apps carry button data back verbatim (Telegram allows 64 bytes), and anyone can forge
it, so data only names a logged question and an action; handlers re-check ownership and
existence on every press.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.entry import Section

MAX_BYTES = 64
MAX_NUMBER = 2**63 - 1  # SQLite's largest integer: a bigger id cannot name a row
SECTION_VALUES = frozenset(section.value for section in Section)


@dataclass(frozen=True)
class ShowSection:
    """Show another part of the answer to a logged question."""

    question_id: int
    section: Section


@dataclass(frozen=True)
class PickSuggestion:
    """Choose the n-th suggestion offered for a logged question."""

    question_id: int
    index: int


@dataclass(frozen=True)
class Feedback:
    question_id: int
    useful: bool


class Flaw(StrEnum):
    """What an official says was wrong with an answer they rated 👎."""

    WRONG_PROCEDURE = "wrong"
    OUTDATED = "outdated"
    MISSING = "missing"


@dataclass(frozen=True)
class FeedbackReason:
    """Say what was wrong with the answer to a logged question."""

    question_id: int
    flaw: Flaw


@dataclass(frozen=True)
class AskSupport:
    """Take a logged question to the support team: a ticket carrying it, or (with no
    hotline teams configured) their contacts with the question quoted."""

    question_id: int


Action = ShowSection | PickSuggestion | Feedback | FeedbackReason | AskSupport
FLAW_VALUES = frozenset(flaw.value for flaw in Flaw)


def pack(action: Action) -> str:
    match action:
        case ShowSection(question_id, section):
            data = f"s:{question_id}:{section.value}"
        case PickSuggestion(question_id, index):
            data = f"p:{question_id}:{index}"
        case Feedback(question_id, useful):
            data = f"f:{question_id}:{int(useful)}"
        case FeedbackReason(question_id, flaw):
            data = f"w:{question_id}:{flaw.value}"
        case AskSupport(question_id):
            data = f"h:{question_id}:"
    return checked(data)


def checked(data: str) -> str:
    """`data` unchanged, or ValueError when a chat app could not carry it back."""
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


def number(text: str) -> int | None:
    """A non-negative id or index written in ASCII digits; None for anything else."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_NUMBER else None


def unpack(data: str) -> Action | None:
    """The action a button carries, or None for anything malformed."""
    parts = data.split(":")
    question_id = number(parts[1]) if len(parts) == 3 else None
    if question_id is None:
        return None
    kind, value = parts[0], parts[2]
    if kind == "s" and value in SECTION_VALUES:
        return ShowSection(question_id, Section(value))
    if kind == "p" and (index := number(value)) is not None:
        return PickSuggestion(question_id, index)
    if kind == "f" and value in ("0", "1"):
        return Feedback(question_id, value == "1")
    if kind == "w" and value in FLAW_VALUES:
        return FeedbackReason(question_id, Flaw(value))
    if kind == "h" and not value:
        return AskSupport(question_id)
    return None
