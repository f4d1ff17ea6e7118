"""The hotline's buttons ("t:…" data), re-checked against the tickets on every press."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.button_codec import ButtonData


@dataclass(frozen=True)
class ChooseTopic(ButtonData, code="t:o"):
    """The official picks the n-th configured topic for the ticket being opened."""

    index: int


@dataclass(frozen=True)
class Claim(ButtonData, code="t:c"):
    ticket: int


@dataclass(frozen=True)
class Close(ButtonData, code="t:x"):
    ticket: int


@dataclass(frozen=True)
class Reopen(ButtonData, code="t:r"):
    ticket: int


@dataclass(frozen=True)
class HandOver(ButtonData, code="t:h"):
    """Show the other teams, to hand the ticket to one."""

    ticket: int


@dataclass(frozen=True)
class MoveTo(ButtonData, code="t:m"):
    ticket: int
    team: int  # the index of the team in config


@dataclass(frozen=True)
class Rate(ButtonData, code="t:s"):
    ticket: int
    stars: int

    def __post_init__(self) -> None:
        if not 1 <= self.stars <= 5:
            raise ValueError(f"{self.stars} stars")


@dataclass(frozen=True)
class AddTo(ButtonData, code="t:a"):
    """The official writes more to one of their tickets (from /yeucau)."""

    ticket: int


@dataclass(frozen=True)
class Leave(ButtonData, code="t:q"):
    """Back to the knowledge base: "Hỏi câu khác" (and "no comment" after a rating)."""


Action = ChooseTopic | Claim | Close | Reopen | HandOver | MoveTo | Rate | AddTo | Leave
KINDS: tuple[type[ButtonData], ...] = (ChooseTopic, Claim, Close, Reopen, HandOver, MoveTo,
                                       Rate, AddTo, Leave)
