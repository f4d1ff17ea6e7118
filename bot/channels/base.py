"""The contract every chat app's adapter keeps, so the application runs them alike.

A channel receives updates and hands each, raw, to the inbox before anything else
(`InboxSink`); it turns a stored update into an `Incoming`; and it delivers envelopes
from the outbox, returning the chat app's message ids or raising one of
`bot.delivery.errors`. Rate limits and retries are not its business: the sender keeps
them, using the pace the channel declares for each kind of chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery.envelope import Envelope
from handlers.model import Address, Incoming


class InboxSink(Protocol):
    async def receive(self, channel: str, updates: list[tuple[str, Mapping[str, Any]]]) -> None:
        """Store (update id, raw payload) pairs durably; duplicates are ignored."""


@dataclass(frozen=True)
class Pace:
    """At most `burst` messages at once to one chat, then one every `interval` seconds."""

    interval: float = 0.0
    burst: int = 1


class Channel(Protocol):
    name: str

    async def start(self, inbox: InboxSink) -> None:
        """Connect (retrying what is transient) and begin receiving into `inbox`."""

    async def stop(self) -> None:
        """Stop receiving and close connections."""

    async def wait_closed(self) -> None:
        """Return when the channel has ended by itself (the terminal chat's end of input);
        raise `ChannelFatal` when it cannot go on (a revoked token)."""

    def parse(self, payload: Mapping[str, Any]) -> Incoming | None:
        """The `Incoming` a stored update holds; None for what the bot ignores."""

    def pace(self, address: Address) -> Pace:
        """How fast one chat may be written to."""

    async def open_thread(self, address: Address, name: str) -> str | None:
        """Open a thread named `name` in the chat (a Telegram forum topic) and return its
        id; None when the chat has no threads. Raises `bot.delivery.errors` like `send`."""

    async def send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        """Deliver `envelope` from part `envelope.parts_done` on; `on_part` records each
        delivered part's message id (`last` for the final part) before the next is sent."""


class PartDelivered(Protocol):
    async def __call__(self, message_id: str, last: bool) -> None: ...
