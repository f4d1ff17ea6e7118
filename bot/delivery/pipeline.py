"""The path of an update: inbox row → handled in its own task → outbox rows, in one
transaction with the handler's state and the mark that the update was handled.

Updates of one chat are handled in the order they arrived (a registration step, then a
question); different chats never wait for each other. Handling writes to the database
only — sending is the senders' job — so one slow chat delays no one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.channels.base import Channel
from bot.delivery.envelope import ack_payload, payload_json
from bot.delivery.flood import FloodLimiter, Verdict
from bot.storage import Storage
from bot.storage.inbox import InboxRow
from bot.storage.outbox import DueMessage, NewMessage
from handlers.dispatcher import Dispatcher, Result
from handlers.model import Address, Incoming, Outgoing, Reply
from handlers.texts import Texts

log = logging.getLogger(__name__)


class AlreadyHandled(Exception):
    """Another task handled this update first: roll this handling back."""


class OutboxWriter:
    """Handlers' way to reach other chats (`HandlerContext.outbox`): rows written in the
    transaction of the update being handled."""

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self._storage = storage
        self._clock = clock

    async def send(self, message: Outgoing) -> None:
        if message.address is None:
            raise ValueError("a message to another chat needs its address")
        await self.write([message], default_keys=[message.key or uuid.uuid4().hex])

    async def write(
        self,
        messages: Sequence[Outgoing],
        default_keys: Sequence[str],
        press_id: str | None = None,
        chat: Address | None = None,
    ) -> list[DueMessage]:
        """Outbox rows for `messages`; those without an address go to `chat`. Returns the
        rows added (a key already stored adds none)."""
        rows = []
        for message, key in zip(messages, default_keys, strict=True):
            address = message.address or chat
            if address is None:
                raise ValueError("a message without an address needs the chat that wrote")
            # The press is acknowledged with the first message to the chat that pressed.
            ack = press_id if press_id and address == chat else None
            press_id = None if ack else press_id
            rows.append(NewMessage(message.key or key, address, int(message.priority),
                                   payload_json(message, ack), message.ref))
        return await self._storage.outbox.enqueue(rows, self._clock())


class UpdatePipeline:
    """The inbox sink every channel writes to, and the handling of what it received."""

    def __init__(
        self,
        storage: Storage,
        channels: Mapping[str, Channel],
        dispatcher: Dispatcher,
        flood: FloodLimiter,
        texts: Texts,
        clock: Callable[[], datetime],
        wake_senders: Callable[[], None],
        offer: Callable[[Sequence[DueMessage]], None],
    ) -> None:
        self._storage = storage
        self._channels = channels
        self._dispatcher = dispatcher
        self._flood = flood
        self._texts = texts
        self._clock = clock
        self._wake_senders = wake_senders
        self._offer = offer
        self._outbox = OutboxWriter(storage, clock)
        self._last: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def outbox(self) -> OutboxWriter:
        return self._outbox

    async def receive(self, channel: str, updates: list[tuple[str, Mapping[str, Any]]]) -> None:
        """Store updates durably, then handle the new ones (redeliveries are ignored)."""
        for row in await self._storage.inbox.receive(channel, updates, self._clock()):
            self._schedule(row)

    async def handle_backlog(self, channels: Sequence[str]) -> int:
        """Handle what `channels` received but did not handle before the last stop."""
        backlog = await self._storage.inbox.unhandled(channels)
        for row in backlog:
            self._schedule(row)
        return len(backlog)

    async def drain(self) -> None:
        """Wait until every update received so far is handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _schedule(self, row: InboxRow) -> None:
        incoming = self._parse(row)
        # One chat's updates in order: each waits for the one before it.
        chat: Hashable = incoming.chat.chat if incoming else ("update", row.id)
        before = self._last.get(chat)
        task = asyncio.create_task(self._handle_after(before, row, incoming))
        self._last[chat] = task
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._last.get(chat) is finished:
                del self._last[chat]

        task.add_done_callback(done)

    def _parse(self, row: InboxRow) -> Incoming | None:
        channel = self._channels.get(row.channel)
        if channel is None:
            log.warning("update %s of %s: no such channel is running", row.update_id, row.channel)
            return None
        try:
            return channel.parse(row.payload)
        except Exception:
            log.exception("update %s of %s cannot be read; ignored", row.update_id, row.channel)
            return None

    async def _handle_after(
        self, before: asyncio.Task[None] | None, row: InboxRow, incoming: Incoming | None
    ) -> None:
        if before is not None:
            await asyncio.gather(before, return_exceptions=True)
        try:
            await self._handle(row, incoming)
        except Exception:
            log.exception("update %s of %s failed; it is handled again at the next start",
                          row.update_id, row.channel)
        self._wake_senders()

    async def _handle(self, row: InboxRow, incoming: Incoming | None) -> None:
        if incoming is None:
            await self._storage.inbox.mark_handled(row.id, self._clock())
            return
        verdict = self._flood.check(f"{incoming.sender.channel}:{incoming.sender.id}")
        if verdict is Verdict.ALLOW:
            self._dispatcher.prepare(incoming)
        try:
            async with self._storage.transaction():
                result: Result = []
                if verdict is Verdict.ALLOW:
                    result = await self._dispatcher.handle(incoming)
                elif verdict is Verdict.WARN:
                    result = [Reply.text(self._texts("flood_limited"))]
                added = await self._finish(row, incoming, result)
        except AlreadyHandled:
            return
        except Exception:
            log.exception("failed to handle update %s from %s user %s", row.update_id,
                          incoming.sender.channel, incoming.sender.id)
            async with self._storage.transaction():
                added = await self._finish(row, incoming, [Reply.text(self._texts("error"))])
        # Committed: the answers go to their senders at once, without a lookup.
        self._offer(added)

    async def _finish(self, row: InboxRow, incoming: Incoming, result: Result) -> list[DueMessage]:
        """Store the outgoing messages and mark the update handled, in the open transaction."""
        if not await self._storage.inbox.mark_handled(row.id, self._clock()):
            raise AlreadyHandled
        messages = [item if isinstance(item, Outgoing) else Outgoing(item) for item in result]
        keys = [f"{row.channel}:{row.update_id}:{n}" for n in range(len(messages))]
        added = await self._outbox.write(messages, keys, incoming.press_id, incoming.chat)
        if incoming.press_id and not any(
            (m.address or incoming.chat) == incoming.chat for m in messages
        ):
            # Nothing to say in the chat that pressed: acknowledge the press alone.
            added += await self._storage.outbox.enqueue(
                [NewMessage(f"{row.channel}:{row.update_id}:ack", incoming.chat, 0,
                            ack_payload(incoming.press_id))],
                self._clock(),
            )
        await self._storage.chats.mark_active(incoming.chat)
        return added
