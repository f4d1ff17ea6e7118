"""Button data of reminders (done, details, snooze), of a broadcast (progress, stop) and
of the staff's /taohan and /thongbao steps (audience, confirm or cancel).

`dl:<act>:<deadline num>:<occurrence, to the minute>`, `bc:<broadcast id>:<stop>`,
`st:a:<audience index>`, `st:d:<confirm>`; every press is re-checked against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from handlers.button_codec import ButtonData


class DeadlineAct(StrEnum):
    DONE = "c"
    DETAILS = "i"
    SNOOZE = "z"


@dataclass(frozen=True)
class OnDeadline(ButtonData, code="dl"):
    """A reminder's button, for one occurrence (its due time) of a deadline."""

    act: DeadlineAct
    deadline: int
    due: datetime


@dataclass(frozen=True)
class OnBroadcast(ButtonData, code="bc"):
    broadcast: int
    stop: bool = False  # else: show the progress


@dataclass(frozen=True)
class ChooseAudience(ButtonData, code="st:a"):
    """In /taohan or /thongbao: 0 is everyone, n the n-th position."""

    index: int


@dataclass(frozen=True)
class Decide(ButtonData, code="st:d"):
    confirm: bool  # else: cancel


Action = OnDeadline | OnBroadcast | ChooseAudience | Decide
KINDS: tuple[type[ButtonData], ...] = (OnDeadline, OnBroadcast, ChooseAudience, Decide)
