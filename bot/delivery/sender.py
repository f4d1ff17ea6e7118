"""The sender: drains one channel's outbox, most urgent first, within the chat app's limits.

- Answers to a person go out at once, held back only by that chat's pace; relays,
  reminders and broadcasts follow in that order, and bulk messages (reminders,
  broadcasts) also keep to one global rate (`[delivery] messages_per_second`).
- A chat that must wait (its pace, a 429's `retry_after`) is skipped, not waited for.
- The pipeline hands over the answers it has just committed (`offer`), so an answer
  costs no lookup; the outbox is still read for everything else, and at least every
  LOOKUP_SECONDS while offered answers keep the sender busy.
- At most `concurrency` messages are in flight at once, one per chat so that a chat's
  messages arrive in order. Which ones are in flight is kept only in memory: after a
  crash they are pending again, and they are the only messages that may be sent twice.
- Failures: 429 → that chat waits `retry_after`; 5xx, time-outs and the unexpected →
  retried with a growing delay, forever; 403 → the chat is marked inactive and nothing
  more is sent to it until it writes again; 400 → failed, with the reason kept and
  logged. A revoked token (`ChannelFatal`) stops the sender, and with it the process.
  Every message that fails for good is handed to `on_failed` (an apology, a note in a
  ticket's thread).
- A reminder to a person with accounts in two apps names the other one
  (`Envelope.fallback`): when this app cannot reach them for free when it is sent
  (`Elsewhere`: Zalo outside its window), or their chat here refuses the bot, the row
  moves to the other app's outbox, with its key: it is delivered in one app only.
- A photo or file from another chat app (`Envelope.upload`) is fetched from that app
  (`files`, by channel name), bounded in size and time, and handed to this channel
  with the envelope to upload; a file too big fails with the reason.
- A message with a `topic` goes to the thread opened for its ref in that chat (a
  Telegram forum topic), opening it first when there is none yet. A crash between
  opening the thread and recording it may leave one empty thread behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import islice

from bot.channels.base import Channel
from bot.delivery.backoff import Backoff
from bot.delivery.envelope import Envelope
from bot.delivery.errors import (
    ChannelFatal,
    DeliveryError,
    Elsewhere,
    Rejected,
    RetryLater,
    Transient,
    Unreachable,
)
from bot.delivery.files import FileSource
from bot.delivery.pacing import Gcra, SlidingWindow
from bot.storage import Storage
from bot.storage.outbox import DueMessage
from handlers.model import Address

log = logging.getLogger(__name__)

# How often the outbox is looked at with nothing to wake the sender: rows written by
# another process (an admin command) are picked up within this time.
POLL_SECONDS = 1.0
# While answers handed over by the pipeline keep it busy, the outbox is still looked at
# this often, for retries and for messages written elsewhere.
LOOKUP_SECONDS = 0.25


@dataclass(frozen=True)
class SenderSettings:
    messages_per_second: float = 25.0
    concurrency: int = 4
    retry: Backoff = field(default_factory=Backoff)
    # Only messages to this chat (a terminal showing one chat while another process
    # shows another); None: every chat of the channel.
    only_chat: str | None = None


class Sender:
    def __init__(
        self,
        channel: Channel,
        storage: Storage,
        settings: SenderSettings,
        *,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        on_failed: Callable[[Envelope, DeliveryError], Awaitable[None]] | None = None,
        files: Mapping[str, FileSource] | None = None,
    ) -> None:
        self._channel = channel
        self._storage = storage
        self._settings = settings
        self._clock = clock
        self._pacer = Gcra(monotonic)
        self._bulk = SlidingWindow(settings.messages_per_second, monotonic)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy_chats: set[object] = set()
        self._wake = asyncio.Event()
        self._fatal: ChannelFatal | None = None
        self._next_timer: float | None = None
        self._monotonic = monotonic
        self._on_failed = on_failed
        self._files = files or {}
        self._offered: dict[int, DueMessage] = {}
        self._next_lookup = 0.0
        self._marks: list[tuple[Envelope, str | None, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """New messages may be due: look at the outbox now."""
        self._wake.set()

    def offer(self, message: DueMessage) -> None:
        """A row the pipeline just committed (an answer), to send without looking it up.

        Only a shortcut: the outbox row stays the truth, so a crash leaves it pending and a
        lookup that finds it first sends it instead; either way it is started once.
        """
        only = self._settings.only_chat
        if only is None or message.address.chat_id == only:
            self._offered[message.id] = message
        self.wake()

    async def run(self) -> None:
        """Deliver until cancelled; raises `ChannelFatal` when the channel cannot go on."""
        try:
            while True:
                self._wake.clear()
                await self._start_due()
                if self._fatal is not None:
                    raise self._fatal
                await self._sleep()
        finally:
            stopping = [*self._in_flight.values(), *([self._marking] if self._marking else [])]
            for task in stopping:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*stopping, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until nothing that is due is pending or in flight (for the terminal chat)."""
        while True:
            if not self._in_flight and not await self._storage.outbox.due(
                self._channel.name, self._clock(), limit=1, chat_id=self._settings.only_chat
            ):
                return
            self.wake()
            await asyncio.sleep(0.005)

    async def _sleep(self) -> None:
        timeout = POLL_SECONDS
        if self._next_timer is not None:
            timeout = min(timeout, max(0.0, self._next_timer - self._monotonic()))
        self._next_timer = None
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can lose a cancellation
        # that arrives as the event is set, and a stopping sender would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    async def _start_due(self) -> None:
        free = self._settings.concurrency - len(self._in_flight)
        if free <= 0:
            return
        for message in await self._candidates(free):
            if free == 0:
                return
            if message.chat_inactive:
                self._offered.pop(message.id, None)
                await self._elsewhere(message.envelope(), Unreachable("chat inactive"))
                continue
            chat = message.address.chat
            if chat in self._busy_chats:
                continue
            envelope = message.envelope()
            # Acknowledging a button press shows nothing in the chat: no pace, no rate.
            paced = any(shown is not None
                        for shown in (envelope.reply, envelope.copy, envelope.upload))
            if paced and not self._may_send(message):
                continue
            if paced:
                self._pacer.take(chat, self._channel.pace(message.address))
                if message.priority.bulk:
                    self._bulk.take()
            self._offered.pop(message.id, None)
            self._busy_chats.add(chat)
            self._in_flight[message.id] = asyncio.create_task(
                self._deliver(envelope, message.attempts)
            )
            free -= 1

    async def _candidates(self, free: int) -> list[DueMessage]:
        """Due messages, most urgent first: those offered, and the outbox's when the offered
        do not fill the free places or the last lookup is LOOKUP_SECONDS old."""
        # Offered in the order they committed, nearly the order of urgency: only the first
        # few are looked at, so a burst of thousands costs no sorting.
        offered = list(islice(self._offered.values(), free * 8))
        now = self._monotonic()
        if len(offered) >= free and now < self._next_lookup:
            return sorted(offered, key=_urgency)
        self._next_lookup = now + LOOKUP_SECONDS
        due = await self._storage.outbox.due(
            self._channel.name, self._clock(), limit=free * 8, skip=list(self._in_flight),
            chat_id=self._settings.only_chat,
        )
        merged = {message.id: message for message in [*offered, *due]}
        return sorted(merged.values(), key=_urgency)

    def _may_send(self, message: DueMessage) -> bool:
        """True when the chat's pace and, for bulk messages, the global rate allow it now."""
        waits = [self._pacer.wait(message.address.chat, self._channel.pace(message.address))]
        if message.priority.bulk:
            waits.append(self._bulk.wait())
        wait = max(waits)
        if wait > 0:
            self._timer_in(wait)
        return wait == 0

    def _timer_in(self, seconds: float) -> None:
        at = self._monotonic() + seconds
        self._next_timer = at if self._next_timer is None else min(self._next_timer, at)

    async def _deliver(self, envelope: Envelope, attempts: int) -> None:
        outbox = self._storage.outbox
        last_id: str | None = None

        async def on_part(message_id: str, last: bool) -> None:
            nonlocal last_id
            if last:
                last_id = message_id
            else:
                await outbox.part_delivered(envelope.id, message_id)

        try:
            envelope = await self._fetched(await self._in_thread(envelope))
            await self._channel.send(envelope, on_part)
        except RetryLater as err:
            self._pacer.hold(envelope.address.chat, err.retry_after)
            until = self._clock() + timedelta(seconds=err.retry_after)
            await outbox.hold_chat(envelope.address, until)
            await outbox.retry_at(envelope.id, until, err.reason)
            self._timer_in(err.retry_after)
        except Unreachable as err:
            log.info("%s chat %s is unreachable: %s", envelope.address.channel,
                     envelope.address.chat_id, err.reason)
            await self._storage.chats.mark_inactive(envelope.address, err.reason, self._clock())
            await self._elsewhere(envelope, err)
        except Elsewhere as err:
            await self._elsewhere(envelope, err)
        except Rejected as err:
            log.warning("message %s to %s chat %s refused: %s", envelope.id,
                        envelope.address.channel, envelope.address.chat_id, err.reason)
            await self._fail(envelope, err)
        except ChannelFatal as err:
            self._fatal = err
        except Exception as err:  # Transient, or a bug: never lose the message
            if not isinstance(err, Transient):
                log.exception("unexpected error sending message %s; will retry", envelope.id)
            delay = self._settings.retry.delay(attempts)
            await outbox.retry_at(envelope.id, self._clock() + timedelta(seconds=delay), str(err))
            self._timer_in(delay)
        else:
            await self._mark_delivered(envelope, last_id)
        finally:
            self._in_flight.pop(envelope.id, None)
            self._busy_chats.discard(envelope.address.chat)
            self.wake()

    async def _fetched(self, envelope: Envelope) -> Envelope:
        """The envelope with its upload's content, fetched from the app that holds it."""
        upload = envelope.upload
        if upload is None:
            return envelope
        source = self._files.get(upload.channel)
        if source is None:
            raise Rejected(f"the file is in {upload.channel}, which is not served here")
        return replace(envelope, fetched=await source.fetch(upload.file))

    async def _mark_delivered(self, envelope: Envelope, last_id: str | None) -> None:
        """Record the delivery; messages delivered while the database was busy are
        recorded together, in one trip. The message counts as in flight until then."""
        done = asyncio.get_running_loop().create_future()
        self._marks.append((envelope, last_id, done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._write_marks())
        await done

    async def _write_marks(self) -> None:
        while self._marks:  # those delivered while the last batch was written, next
            marks, self._marks = self._marks, []
            try:
                await self._storage.outbox.delivered_together(
                    [(envelope, last_id) for envelope, last_id, _ in marks], self._clock())
            except Exception as err:  # each sender of the batch sees it
                for *_, done in marks:
                    if not done.done():  # cancelled when the sender stopped
                        done.set_exception(err)
            else:
                for *_, done in marks:
                    if not done.done():
                        done.set_result(None)

    async def _in_thread(self, envelope: Envelope) -> Envelope:
        """The envelope addressed to its ref's thread, opening the thread if needed."""
        address = envelope.address
        if envelope.topic is None or envelope.ref is None or address.thread_id is not None:
            return envelope
        outbox = self._storage.outbox
        known, thread = await outbox.thread_for(address.chat, envelope.ref)
        if not known:
            thread = await self._channel.open_thread(address, envelope.topic)
            await outbox.save_thread(address.chat, envelope.ref, thread)
        return replace(envelope, address=Address(address.channel, address.chat_id, thread))

    async def _elsewhere(self, envelope: Envelope, err: DeliveryError) -> None:
        """To the person's other app when the message names one and nothing of it went
        out here; else failed."""
        fallback = envelope.fallback
        if fallback is None or envelope.parts_done > 0:
            await self._fail(envelope, err)
            return
        log.info("message %s goes to %s instead: %s", envelope.id, fallback.channel, err.reason)
        await self._storage.outbox.redirect(envelope.id, fallback, err.reason, self._clock())

    async def _fail(self, envelope: Envelope, err: DeliveryError) -> None:
        await self._storage.outbox.failed(envelope.id, err.reason, self._clock())
        if self._on_failed is not None:
            try:
                await self._on_failed(envelope, err)
            except Exception:
                log.exception("reporting the failure of message %s failed", envelope.id)


def _urgency(message: DueMessage) -> tuple[int, int]:
    return (message.priority, message.id)
