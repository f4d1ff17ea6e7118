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

from handlers.model import Address


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
    feedback_reason: str | None = None


@dataclass(frozen=True)
class QuestionCount:
    """A question (or an answered entry) curators should look at, and how often it came."""

    subject: str  # the folded question, or the entry id for disliked answers
    times: int
    example: str  # one question as it was typed
    reasons: tuple[str, ...] = ()  # what the 👎 said was wrong, one per rating that told


@dataclass(frozen=True)
class Official:
    """A registered, approved official, as reminders and broadcasts reach them."""

    user_id: int
    channel: str
    external_id: str
    display_name: str
    unit: str
    position: str
    inactive: bool = False  # every chat of theirs refuses the bot's messages
    # Their accounts in other chat apps, linked with /lienket (the person is `user_id`).
    elsewhere: tuple[Address, ...] = ()


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

    async def last_answered(
        self, user_id: int, since: datetime, before_id: int | None = None
    ) -> QuestionRecord | None: ...

    async def set_feedback(
        self, question_id: int, user_id: int, value: int, now: datetime
    ) -> bool: ...

    async def set_feedback_reason(
        self, question_id: int, user_id: int, reason: str, now: datetime
    ) -> bool: ...


class ConversationStore(Protocol):
    async def get(self, user_id: int) -> Conversation | None: ...

    async def set(
        self, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> None: ...

    async def clear(self, user_id: int) -> None: ...


@dataclass(frozen=True)
class StoredDeadline:
    """A deadline as the database holds it; `num` names it in buttons."""

    num: int
    spec: Any  # handlers.deadlines.spec.DeadlineSpec
    origin: str
    created_at: datetime
    announced_at: datetime


@dataclass(frozen=True)
class Claim:
    """One ledger row: a reminder of one occurrence of a deadline to one recipient."""

    deadline: int
    occurrence: str
    recipient: str
    kind: str
    late: bool = False


@dataclass(frozen=True)
class Confirmation:
    deadline: int
    occurrence: str
    scope: str
    user_id: int
    done_at: datetime


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    missing: list[str]  # in the database from the same file, not in it any more
    pruned: list[str]


@dataclass(frozen=True)
class BroadcastProgress:
    id: int
    text: str
    recipients: int
    skipped: int
    sent: int
    pending: int
    failed: int
    stopped: bool


class DeadlineStore(Protocol):
    async def save(self, specs: Sequence[Any], origin: str, now: datetime,
                   prune: bool = False) -> ImportResult: ...

    async def all(self) -> list[StoredDeadline]: ...

    async def get(self, num: int) -> StoredDeadline | None: ...

    async def find(self, deadline_id: str) -> StoredDeadline | None: ...

    async def officials(self) -> list[Official]: ...

    async def official(self, user_id: int) -> Official | None: ...

    async def claimed(self, since_occurrence: str) -> set[tuple[int, str, str, str]]: ...

    async def claim(self, claims: Sequence[Claim], now: datetime) -> list[int | None]: ...

    async def confirmations(self, since_occurrence: str) -> list[Confirmation]: ...

    async def confirm(self, deadline: int, occurrence: str, scope: str, user_id: int,
                      now: datetime) -> bool: ...

    async def snooze(self, deadline: int, occurrence: str, user_id: int,
                     until: datetime) -> None: ...

    async def snoozes(self, since_occurrence: str) -> dict[tuple[int, str, int], datetime]: ...

    async def create_broadcast(self, text: str, audience: str, created_by: str,
                               recipients: int, skipped: int, now: datetime) -> int: ...

    async def broadcast(self, broadcast_id: int) -> BroadcastProgress | None: ...

    async def stop_broadcast(self, broadcast_id: int, now: datetime) -> int: ...


class TicketState(StrEnum):
    OPEN = "open"  # waiting for a staff member to claim it
    CLAIMED = "claimed"
    CLOSED = "closed"


@dataclass(frozen=True)
class NewTicket:
    user_id: int
    official: Address  # the official's chat
    topic: str
    team: str
    question: str
    official_name: str = ""
    unit: str = ""
    position: str = ""
    entry_id: str | None = None


@dataclass(frozen=True)
class Ticket:
    id: int
    user_id: int
    official: Address
    topic: str
    team: str
    official_name: str
    unit: str
    position: str
    question: str
    entry_id: str | None
    state: TicketState
    claimed_by: str | None
    claimed_name: str | None
    opened_at: datetime
    waiting_since: datetime
    first_answer_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    comment: str | None
    nudged_at: datetime | None
    escalated_at: datetime | None

    @property
    def ref(self) -> str:
        """What the ticket's messages are recorded under (`Outgoing.ref`)."""
        return f"{TICKET_REF}{self.id}"


TICKET_REF = "ticket:"


def ticket_of_ref(ref: str | None) -> int | None:
    """The ticket number a message ref names ("ticket:12" → 12), else None."""
    if not ref or not ref.startswith(TICKET_REF):
        return None
    number = ref.removeprefix(TICKET_REF)
    return int(number) if number.isdigit() else None


@dataclass(frozen=True)
class TicketEvent:
    kind: str  # official, staff, note, claim, close, reopen, handoff, failure
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class KbDraft:
    id: int
    ticket_id: int
    question: str
    answer: str
    author: str
    created_at: datetime


class TicketStore(Protocol):
    async def create(self, ticket: NewTicket, now: datetime) -> Ticket: ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def of_user(self, user_id: int, limit: int) -> list[Ticket]: ...

    async def unfinished(self) -> list[Ticket]: ...

    async def opened_between(self, start: datetime, end: datetime) -> list[Ticket]: ...

    async def claim(self, ticket_id: int, staff_id: str, staff_name: str) -> bool: ...

    async def close(self, ticket_id: int, now: datetime) -> bool: ...

    async def reopen(self, ticket_id: int, now: datetime) -> bool: ...

    async def hand_over(self, ticket_id: int, team: str, now: datetime) -> bool: ...

    async def answered(self, ticket_id: int, now: datetime) -> bool: ...

    async def rate(self, ticket_id: int, user_id: int, rating: int) -> bool: ...

    async def comment(self, ticket_id: int, user_id: int, text: str) -> bool: ...

    async def nudged(self, ticket_id: int, now: datetime) -> bool: ...

    async def escalated(self, ticket_id: int, now: datetime) -> bool: ...

    async def add_event(
        self, ticket_id: int, kind: str, author: str, text: str, now: datetime
    ) -> None: ...

    async def events(self, ticket_id: int) -> list[TicketEvent]: ...

    async def save_draft(
        self, ticket_id: int, question: str, answer: str, author: str, now: datetime
    ) -> int: ...


class MessageRefStore(Protocol):
    """What delivered messages and opened threads belong to, recorded at delivery."""

    async def ref_of(self, address: Address, message_id: str) -> str | None: ...

    async def ref_of_thread(self, address: Address) -> str | None: ...


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
    def tickets(self) -> TicketStore: ...

    @property
    def outbox(self) -> MessageRefStore: ...

    @property
    def links(self) -> LinkStore: ...

    @property
    def deadlines(self) -> DeadlineStore: ...
