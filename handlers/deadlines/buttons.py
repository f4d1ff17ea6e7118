"""Button data of reminders (done, details, snooze), of a broadcast (progress, stop) and
of the staff's /taohan and /thongbao steps (audience, confirm or cancel).

`dl:<act>:<deadline num>:<occurrence as yyyymmddHHMM>`, `bc:<act>:<broadcast id>`,
`st:a:<audience index>`, `st:y`, `st:n`; every press is re-checked against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from handlers.callbacks import checked, number
from handlers.workdays import VIETNAM

PREFIXES = ("dl:", "bc:", "st:")
COMPACT = "%Y%m%d%H%M"


class DeadlineAct(StrEnum):
    DONE = "c"
    DETAILS = "i"
    SNOOZE = "z"


@dataclass(frozen=True)
class OnDeadline:
    """A reminder's button, for one occurrence (its due time) of a deadline."""

    act: DeadlineAct
    deadline: int
    due: datetime


@dataclass(frozen=True)
class OnBroadcast:
    broadcast: int
    stop: bool = False  # else: show the progress


@dataclass(frozen=True)
class ChooseAudience:
    """In /taohan or /thongbao: 0 is everyone, n the n-th position."""

    index: int


@dataclass(frozen=True)
class Decide:
    confirm: bool  # else: cancel


Action = OnDeadline | OnBroadcast | ChooseAudience | Decide


def owns(data: str) -> bool:
    return data.startswith(PREFIXES)


def pack(action: Action) -> str:
    match action:
        case OnDeadline(act, deadline, due):
            data = f"dl:{act.value}:{deadline}:{due.astimezone(VIETNAM):{COMPACT}}"
        case OnBroadcast(broadcast, stop):
            data = f"bc:{'s' if stop else 'p'}:{broadcast}"
        case ChooseAudience(index):
            data = f"st:a:{index}"
        case Decide(confirm):
            data = f"st:{'y' if confirm else 'n'}"
    return checked(data)


def unpack(data: str) -> Action | None:
    """The action a button carries, or None for anything malformed."""
    parts = data.split(":")
    values = [number(part) for part in parts[2:]]
    if None in values:
        return None
    match parts[0], parts[1:2], len(parts):
        case "st", ["y" | "n"], 2:
            return Decide(parts[1] == "y")
        case "st", ["a"], 3:
            return ChooseAudience(values[0])  # type: ignore[arg-type]
        case "bc", ["p" | "s"], 3:
            return OnBroadcast(values[0], parts[1] == "s")  # type: ignore[arg-type]
        case "dl", [act], 4 if act in set(DeadlineAct):
            try:
                due = datetime.strptime(parts[3], COMPACT).replace(tzinfo=VIETNAM)
            except ValueError:
                return None
            return OnDeadline(DeadlineAct(act), values[0], due)  # type: ignore[arg-type]
    return None
