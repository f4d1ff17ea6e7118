"""The hotline's buttons, typed and packed into short data ("t:…"), re-checked on press."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks import checked, number

PREFIX = "t"


@dataclass(frozen=True)
class ChooseTopic:
    """The official picks the n-th configured topic for the ticket being opened."""

    index: int


@dataclass(frozen=True)
class Claim:
    ticket: int


@dataclass(frozen=True)
class Close:
    ticket: int


@dataclass(frozen=True)
class Reopen:
    ticket: int


@dataclass(frozen=True)
class HandOver:
    """Show the other teams, to hand the ticket to one."""

    ticket: int


@dataclass(frozen=True)
class MoveTo:
    ticket: int
    team: int  # the index of the team in config


@dataclass(frozen=True)
class Rate:
    ticket: int
    stars: int


@dataclass(frozen=True)
class AddTo:
    """The official writes more to one of their tickets (from /yeucau)."""

    ticket: int


@dataclass(frozen=True)
class Leave:
    """Back to the knowledge base: "Hỏi câu khác" (and "no comment" after a rating)."""


Action = ChooseTopic | Claim | Close | Reopen | HandOver | MoveTo | Rate | AddTo | Leave
CODES: dict[type, str] = {ChooseTopic: "o", Claim: "c", Close: "x", Reopen: "r",
                          HandOver: "h", MoveTo: "m", Rate: "s", AddTo: "a", Leave: "q"}
ARITY = {ChooseTopic: 1, Claim: 1, Close: 1, Reopen: 1, HandOver: 1, MoveTo: 2, Rate: 2,
         AddTo: 1, Leave: 0}


def pack(action: Action) -> str:
    values = [str(value) for value in vars(action).values()]
    return checked(":".join([PREFIX, CODES[type(action)], *values]))


def owns(data: str) -> bool:
    return data.startswith(f"{PREFIX}:")


def unpack(data: str) -> Action | None:
    """The action a button carries, or None for anything malformed."""
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != PREFIX:
        return None
    kind = next((cls for cls, code in CODES.items() if code == parts[1]), None)
    values = [number(part) for part in parts[2:]]
    if kind is None or len(values) != ARITY[kind] or None in values:
        return None
    action: Action = kind(*values)
    if isinstance(action, Rate) and not 1 <= action.stars <= 5:
        return None
    return action
