"""What handlers need from storage: small protocols and the records they return.

Handlers depend on these, never on the SQLite classes, so that another database can
stand behind them without touching the conversation logic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class User:
    id: int
    channel: str
    external_id: str
    display_name: str


class Registration(StrEnum):
    """How far an official's registration has come; staff tools need APPROVED."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"


@dataclass(frozen=True)
class Profile:
    user_id: int
    display_name: str
    unit: str | None
    position: str | None
    registration: Registration
    revision: int

    @property
    def approved(self) -> bool:
        """May use what needs a known official: the hotline, reminders, staff tools."""
        return self.registration is Registration.APPROVED


@dataclass(frozen=True)
class Conversation:
    """The step a person is at in a multi-message exchange, with what they chose so far."""

    user_id: int
    flow: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    user_id: int
    query: str
    normalized_query: str
    intent: str
    answer_id: str | None
    facet: str | None
    candidate_ids: tuple[str, ...]
    feedback: int | None


class UserStore(Protocol):
    async def upsert(
        self, channel: str, external_id: str, display_name: str, now: datetime
    ) -> User: ...

    async def get(self, user_id: int) -> User | None: ...

    async def profile(self, user_id: int) -> Profile | None: ...

    async def pending_profiles(self, limit: int) -> list[Profile]: ...

    async def save_profile(
        self, user_id: int, unit: str, position: str, registration: Registration, now: datetime
    ) -> Profile: ...

    async def approve(
        self, user_id: int, revision: int, approved_by: str, now: datetime
    ) -> bool: ...


class QuestionStore(Protocol):
    async def log(
        self,
        *,
        user_id: int,
        query: str,
        normalized_query: str,
        intent: str,
        answer_id: str | None,
        facet: str | None,
        score: float,
        candidate_ids: Sequence[str],
        now: datetime,
    ) -> int: ...

    async def get(self, question_id: int) -> QuestionRecord | None: ...

    async def set_feedback(
        self, question_id: int, user_id: int, value: int, now: datetime
    ) -> bool: ...


class ConversationStore(Protocol):
    async def get(self, user_id: int) -> Conversation | None: ...

    async def set(
        self, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> None: ...

    async def clear(self, user_id: int) -> None: ...


class LinkOutcome(StrEnum):
    LINKED = "linked"
    UNKNOWN = "unknown"  # no such code, used or expired
    ALREADY = "already"  # both accounts are already the same person
    SAME_APP = "same_app"  # typed in the app that asked for it


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    other: User | None = None  # the account that asked for the code (its person)


class LinkStore(Protocol):
    async def issue(self, user_id: int, expires_at: datetime, now: datetime) -> str: ...

    async def redeem(self, code: str, user: User, now: datetime) -> LinkResult: ...


class HandlerStorage(Protocol):
    """The stores handlers are given, one per aggregate."""

    @property
    def users(self) -> UserStore: ...

    @property
    def questions(self) -> QuestionStore: ...

    @property
    def conversations(self) -> ConversationStore: ...

    @property
    def links(self) -> LinkStore: ...
