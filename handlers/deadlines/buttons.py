"""Button data of reminders: done, details, snooze, and a broadcast's progress and stop.

`dl:<action>:<deadline num>:<occurrence as yyyymmddHHMM>` or `bc:<action>:<broadcast id>`;
every press is re-checked against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.callbacks import checked, number
from handlers.workdays import VIETNAM

PREFIXES = ("dl:", "bc:", "st:")
COMPACT = "%Y%m%d%H%M"


@dataclass(frozen=True)
class Done:
    deadline: int
    due: datetime


@dataclass(frozen=True)
class Details:
    deadline: int
    due: datetime


@dataclass(frozen=True)
class Snooze:
    deadline: int
    due: datetime


@dataclass(frozen=True)
class BroadcastProgress:
    broadcast: int


@dataclass(frozen=True)
class StopBroadcast:
    broadcast: int


@dataclass(frozen=True)
class ChooseAudience:
    """In /taohan or /thongbao: 0 is everyone, n the n-th position."""

    index: int


@dataclass(frozen=True)
class Confirm:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


Action = (Done | Details | Snooze | BroadcastProgress | StopBroadcast | ChooseAudience
          | Confirm | Cancel)
DEADLINE_ACTIONS = {"c": Done, "i": Details, "z": Snooze}
BROADCAST_ACTIONS = {"p": BroadcastProgress, "s": StopBroadcast}


def owns(data: str) -> bool:
    return data.startswith(PREFIXES)


def pack(action: Action) -> str:
    if isinstance(action, ChooseAudience):
        return checked(f"st:a:{action.index}")
    if isinstance(action, Confirm | Cancel):
        return checked(f"st:{'y' if isinstance(action, Confirm) else 'n'}")
    if isinstance(action, BroadcastProgress | StopBroadcast):
        kind = next(k for k, cls in BROADCAST_ACTIONS.items() if isinstance(action, cls))
        return checked(f"bc:{kind}:{action.broadcast}")
    kind = next(k for k, cls in DEADLINE_ACTIONS.items() if isinstance(action, cls))
    return checked(f"dl:{kind}:{action.deadline}:{action.due.astimezone(VIETNAM):{COMPACT}}")


def unpack(data: str) -> Action | None:
    """The action a button carries, or None for anything malformed."""
    parts = data.split(":")
    if parts[0] == "st":
        return _staff_step(parts)
    if len(parts) == 3 and parts[0] == "bc" and parts[1] in BROADCAST_ACTIONS:
        broadcast = number(parts[2])
        return None if broadcast is None else BROADCAST_ACTIONS[parts[1]](broadcast)
    if len(parts) != 4 or parts[0] != "dl" or parts[1] not in DEADLINE_ACTIONS:
        return None
    deadline = number(parts[2])
    if deadline is None or number(parts[3]) is None:
        return None
    try:
        due = datetime.strptime(parts[3], COMPACT).replace(tzinfo=VIETNAM)
    except ValueError:
        return None
    return DEADLINE_ACTIONS[parts[1]](deadline, due)


def _staff_step(parts: list[str]) -> Action | None:
    if parts == ["st", "y"]:
        return Confirm()
    if parts == ["st", "n"]:
        return Cancel()
    index = number(parts[2]) if len(parts) == 3 and parts[1] == "a" else None
    return None if index is None else ChooseAudience(index)
