"""The Zalo OA channel: signed webhook events into the inbox, envelopes out over httpx.

Every call takes the access token from `TokenSource`; when Zalo calls it invalid
(-216), the token is refreshed once and the call retried once. A dead refresh token
stops this channel alone (`ChannelFatal` from `wait_closed` and `send`): the other
channels go on, and Zalo's messages wait in the outbox for a new authorisation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bot.channels.base import InboxSink, Pace, PartDelivered
from bot.channels.zalo import CHANNEL
from bot.channels.zalo.api import ZaloApi, ZaloApiError
from bot.channels.zalo.convert import event_incoming, person_of, submitted_phone, update_id
from bot.channels.zalo.errors import TOKEN_INVALID, delivery_error
from bot.channels.zalo.render import render
from bot.channels.zalo.tokens import TokenDead, TokenSource
from bot.channels.zalo.webhook import WebhookServer
from bot.channels.zalo.window import Route, decide
from bot.config import ZaloSection
from bot.delivery.envelope import Envelope
from bot.delivery.errors import ChannelFatal, Elsewhere, Rejected, Unreachable
from bot.delivery.files import Fetched, FileTooBig, download, fetched
from bot.storage import Storage
from handlers.model import Address, Attachment, AttachmentKind, Incoming, Priority

log = logging.getLogger(__name__)
T = TypeVar("T")

PACE = Pace(interval=1.0, burst=3)  # no published limit; like a Telegram private chat
# A ZNS template takes its parameters by name; the bot fills this one with the message.
ZNS_TEXT_PARAMETER = "noi_dung"
ZNS_TEXT_LIMIT = 400
# Zalo's upload limits (not confirmed: vendors' code, see the README).
IMAGE_LIMIT = 1024 * 1024
FILE_LIMIT = 5 * 1024 * 1024
# The proactive refresh looks again at least this often (a reactive refresh may have
# changed the expiry meanwhile) and after a failed attempt.
CHECK_SECONDS = 3600.0
RETRY_SECONDS = 60.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class ZaloChannel:
    name = CHANNEL

    def __init__(
        self,
        section: ZaloSection,
        storage: Storage,
        on_dead: Callable[[str], Awaitable[None]],
        *,
        verifier: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._section = section
        self._storage = storage
        self._verifier = verifier
        self._clock = clock
        self._api = ZaloApi(section.app_id, section.app_secret, section.api_base)
        self.tokens = TokenSource(section.app_id, self._api, storage.zalo_tokens, clock, on_dead)
        self._webhook: WebhookServer | None = None
        self._refused_fresh: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def start(self, inbox: InboxSink) -> None:
        try:
            await self.tokens.ensure_alive()
        except TokenDead as err:
            raise ChannelFatal(str(err)) from None
        self._webhook = WebhookServer(self._section, self._verifier,
                                      lambda event: self._store(inbox, event))
        self._webhook.listen()  # a port in use fails here, at start
        self._tasks.append(asyncio.create_task(self._keep_fresh()))
        log.info("Zalo webhook listening on %s:%s%s", self._section.webhook_listen,
                 self._section.webhook_port, self._section.webhook_path)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.tokens.settle()
        if self._webhook is not None:
            await self._webhook.close()

    async def wait_closed(self) -> None:
        await self._failed

    def parse(self, payload: Mapping[str, Any]) -> Incoming | None:
        return event_incoming(payload, update_id(payload))

    def pace(self, address: Address) -> Pace:
        return PACE

    async def send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        try:
            await self._send(envelope, on_part)
        except TokenDead as err:
            self._fail(err)
            raise ChannelFatal(str(err)) from None
        except (ZaloApiError, httpx.HTTPError) as err:
            raise delivery_error(err) from None

    async def _send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        if envelope.copy is not None:
            raise Rejected("Zalo cannot copy a message from another chat")
        if envelope.reply is None and envelope.fetched is None:
            return  # a button press's acknowledgement: Zalo has none
        user = envelope.address.chat_id
        contact = await self._storage.zalo_contacts.get(user)
        kind = (envelope.ref or envelope.key).split(":", 1)[0]
        decision = decide(contact, envelope.priority, kind, self._section.zns.templates,
                          self._clock())
        if decision.route is not Route.FREE and envelope.priority.bulk and envelope.fallback:
            raise Elsewhere(decision.reason or f"outside Zalo's free window ({decision.route})")
        if decision.route is Route.NONE:
            if envelope.priority is Priority.REMINDER:
                raise Rejected(decision.reason)  # the chat itself stays reachable
            raise Unreachable(decision.reason)
        if envelope.fetched is not None:
            message = await self._attachment(envelope.fetched)
            message_id = await self._authorised(
                lambda token: self._api.send_cs(token, user, message))
            await self._storage.zalo_contacts.replied(user)
            await on_part(message_id, True)
            return
        assert envelope.reply is not None
        if decision.route is Route.ZNS:
            assert contact is not None and contact.phone is not None
            data = {ZNS_TEXT_PARAMETER: envelope.reply.plain_text[:ZNS_TEXT_LIMIT]}
            message_id = await self._authorised(lambda token: self._api.send_zns(
                token, contact.phone or "", decision.template_id, data, envelope.key))
            await on_part(message_id, True)
            return
        parts = render(envelope.reply)
        for index in range(envelope.parts_done, len(parts)):
            part = parts[index]
            message_id = await self._authorised(
                lambda token, part=part: self._api.send_cs(token, user, part))
            await self._storage.zalo_contacts.replied(user)
            await on_part(message_id, index == len(parts) - 1)

    async def fetch(self, file: Attachment) -> Fetched:
        """A photo or file a person sent the OA: the event gave its address."""
        if not file.file_id.startswith(("https://", "http://")):
            raise Rejected("Zalo gave no address for the file")
        content = await download(file.file_id)
        return fetched(file, content, file.file_id.split("?", 1)[0].rsplit("/", 1)[-1])

    async def _attachment(self, file: Fetched) -> dict[str, Any]:
        """A `cs` message carrying `file`, uploaded first: a photo of at most 1 MB as an
        image, anything else (a larger photo too) as a file of at most 5 MB."""
        image = file.kind is AttachmentKind.PHOTO and len(file.content) <= IMAGE_LIMIT
        if not image and len(file.content) > FILE_LIMIT:
            raise FileTooBig(len(file.content), FILE_LIMIT)
        kind = "image" if image else "file"
        ref = await self._authorised(
            lambda token: self._api.upload(token, kind, file.name, file.content))
        if image:
            return {"attachment": {"type": "template", "payload": {
                "template_type": "media",
                "elements": [{"media_type": "image", "attachment_id": ref}]}}}
        return {"attachment": {"type": "file", "payload": {"token": ref}}}

    async def _authorised(self, call: Callable[[str], Awaitable[T]]) -> T:
        """`call(token)`; on an invalid token, one refresh and one retry.

        A token refused right after its refresh is not refreshed again (the app lacks
        the OA's permissions, or Zalo is unwell): the message is retried later with it.
        """
        token = await self.tokens.access_token()
        try:
            return await call(token)
        except ZaloApiError as err:
            if err.code not in TOKEN_INVALID or token == self._refused_fresh:
                raise
            log.info("Zalo calls the access token invalid (%s); refreshing once", err.code)
        fresh = await self.tokens.refresh(token)
        try:
            return await call(fresh)
        except ZaloApiError as err:
            if err.code in TOKEN_INVALID:
                self._refused_fresh = fresh
                log.warning("Zalo refuses a new access token too (%s): check that the app "
                            "has the OA's permissions", err.code)
            raise

    async def _store(self, inbox: InboxSink, event: dict[str, Any]) -> None:
        """A verified event into the inbox, with when its person wrote, in one transaction
        (one turn of the database, however busy handling keeps it)."""
        person = person_of(event)
        if person is None:
            return  # the OA's own echoes and receipts are not kept
        message = event.get("message")
        msg_id = message.get("msg_id") if isinstance(message, dict) else None
        phone = submitted_phone(event)
        now = self._clock()
        async with self._storage.transaction():
            await self._storage.zalo_contacts.wrote(person, str(msg_id) if msg_id else None, now)
            if phone is not None:
                await self._storage.zalo_contacts.set_phone(person, phone, now)
            await inbox.receive(CHANNEL, [(update_id(event), event)])

    async def _keep_fresh(self) -> None:
        """Refresh the token when less than an hour is left, without waiting for a -216."""
        while True:
            try:
                await self.tokens.access_token()
                wait = min(await self.tokens.next_check(), CHECK_SECONDS)
            except TokenDead as err:
                self._fail(err)
                return
            except httpx.HTTPError as err:
                log.warning("Zalo token refresh failed (%s); retrying in %.0f s",
                            type(err).__name__, RETRY_SECONDS)
                wait = RETRY_SECONDS
            await asyncio.sleep(wait)

    def _fail(self, err: TokenDead) -> None:
        if not self._failed.done():
            self._failed.set_exception(ChannelFatal(str(err)))
