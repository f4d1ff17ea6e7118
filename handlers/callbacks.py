"""The buttons of an answer: another section, a suggestion, a rating, the hotline.

Each names a logged question; the handlers re-check that it is the presser's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.button_codec import ButtonData
from knowledge.entry import Section


@dataclass(frozen=True)
class ShowSection(ButtonData, code="s"):
    """Show another part of the answer to a logged question."""

    question_id: int
    section: Section


@dataclass(frozen=True)
class PickSuggestion(ButtonData, code="p"):
    """Choose the n-th suggestion offered for a logged question."""

    question_id: int
    index: int


@dataclass(frozen=True)
class Feedback(ButtonData, code="f"):
    question_id: int
    useful: bool


class Flaw(StrEnum):
    """What an official says was wrong with an answer they rated 👎."""

    WRONG_PROCEDURE = "wrong"
    OUTDATED = "outdated"
    MISSING = "missing"


@dataclass(frozen=True)
class FeedbackReason(ButtonData, code="w"):
    """Say what was wrong with the answer to a logged question."""

    question_id: int
    flaw: Flaw


@dataclass(frozen=True)
class AskSupport(ButtonData, code="h"):
    """Take a logged question to the support team: a ticket carrying it, or (with no
    hotline teams configured) their contacts with the question quoted."""

    question_id: int


Action = ShowSection | PickSuggestion | Feedback | FeedbackReason | AskSupport
KINDS: tuple[type[ButtonData], ...] = (ShowSection, PickSuggestion, Feedback, FeedbackReason,
                                       AskSupport)
