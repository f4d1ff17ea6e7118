"""The Telegram channel: long polling or a webhook into the inbox, envelopes out.

python-telegram-bot's `Bot` does the HTTP; its `Application` is not used, because an
update must be in the database before Telegram is told it arrived (the next
getUpdates offset, the webhook's 200), and the outbox's sender owns rate limits and
retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Bot, BotCommand, InputFile, LinkPreviewOptions, ReplyParameters, Update
from telegram import Message as TelegramMessage
from telegram import User as TelegramUser
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, TelegramError
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.channels.base import InboxSink, Pace, PartDelivered
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.convert import private_text_incoming, update_incoming
from bot.channels.telegram.errors import delivery_error, is_transient
from bot.channels.telegram.render import as_notice, render
from bot.channels.telegram.transport import AiohttpRequest
from bot.channels.telegram.webhook import WebhookServer
from bot.config import TelegramSection
from bot.delivery.backoff import Backoff, retry_transient
from bot.delivery.envelope import Envelope
from bot.delivery.errors import ChannelFatal, Rejected, Transient
from bot.delivery.files import Fetched, download, fetched
from handlers.model import Address, Attachment, AttachmentKind, Incoming

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# Answers cite laws and portals; previews of those links would bury the answer.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PRIVATE_PACE = Pace(interval=1.0, burst=3)  # about one a second, the parts of one answer at once
GROUP_PACE = Pace(interval=3.0, burst=2)  # 20 a minute
POLL_TIMEOUT = 25
TOPIC_NAME_LIMIT = 128
NOT_A_FORUM = "not a forum"  # createForumTopic's 400 in a plain group
# The calls made for every update, answered as plain JSON (see TelegramChannel._call).
PLAIN_CALLS = ("getUpdates", "sendMessage")
PHOTO_LIMIT = 10 * 1024 * 1024  # sendPhoto's; a larger photo goes as a file (up to 50 MB)


def api_root(base_url: str) -> str:
    """The Bot API server's root, from either form people write: `http://host:8081` or
    python-telegram-bot's own `http://host:8081/bot`."""
    root = base_url.rstrip("/")
    return root.removesuffix("/bot")


class TelegramChannel:
    name = CHANNEL

    def __init__(
        self,
        section: TelegramSection,
        menu: Sequence[tuple[str, str]],
        webhook_secret: str,
        backoff: Backoff,
    ) -> None:
        # Durations as timedelta (python-telegram-bot's next major version); otherwise
        # every 429 logs a deprecation warning.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        warnings.filterwarnings("ignore", f"Please use 'Bot.({'|'.join(PLAIN_CALLS)})'",
                                PTBUserWarning)
        root = api_root(section.base_url) if section.base_url else ""
        self.bot = Bot(
            section.token,
            base_url=f"{root}/bot" if root else "https://api.telegram.org/bot",
            base_file_url=f"{root}/file/bot" if root else "https://api.telegram.org/file/bot",
            request=AiohttpRequest(connections=16),
            get_updates_request=AiohttpRequest(connections=1),
        )
        self._section = section
        self._menu = menu
        self._secret = webhook_secret
        self._backoff = backoff
        self._me: TelegramUser | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._webhook: WebhookServer | None = None

    async def start(self, inbox: InboxSink) -> None:
        await self._retrying("getMe", self.bot.initialize)
        self._me = self.bot.bot
        self._tasks.append(asyncio.create_task(self._set_menu()))
        if self._section.webhook_url:
            self._webhook = WebhookServer(self._section, self._secret, self.name, inbox)
            self._webhook.listen()  # a port in use fails here, at start
            await self._retrying("setWebhook", lambda: self.bot.set_webhook(
                self._section.webhook_url, secret_token=self._secret,
                allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
            ))
            log.info("webhook for @%s listening on %s:%s", self._me.username,
                     self._section.webhook_listen, self._section.webhook_port)
        else:
            await self._retrying("deleteWebhook",
                                 lambda: self.bot.delete_webhook(drop_pending_updates=False))
            self._tasks.append(asyncio.create_task(self._poll(inbox)))
            log.info("polling for @%s", self._me.username)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._webhook is not None:
            await self._webhook.close()
            self._webhook = None
        with contextlib.suppress(TelegramError, RuntimeError):
            await self.bot.shutdown()

    async def wait_closed(self) -> None:
        await self._failed

    def parse(self, payload: Mapping[str, Any]) -> Incoming | None:
        assert self._me is not None, "updates are handled after start"
        if (incoming := private_text_incoming(payload)) is not None:
            return incoming
        return update_incoming(Update.de_json(dict(payload), self.bot), self._me)

    def pace(self, address: Address) -> Pace:
        return PRIVATE_PACE if not address.chat_id.startswith("-") else GROUP_PACE

    async def open_thread(self, address: Address, name: str) -> str | None:
        """A forum topic for a ticket; None in a plain group (staff then reply to messages)."""
        try:
            topic = await self.bot.create_forum_topic(address.chat_id, name[:TOPIC_NAME_LIMIT])
        except BadRequest as err:
            if NOT_A_FORUM in str(err).lower():
                return None
            raise delivery_error(err) from err
        except TelegramError as err:
            raise delivery_error(err) from err
        return str(topic.message_thread_id)

    async def send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        try:
            await self._send(envelope, on_part)
        except TelegramError as err:
            raise delivery_error(err) from err

    async def _send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        chat_id = envelope.address.chat_id
        thread = int(envelope.address.thread_id) if envelope.address.thread_id else None
        parts = render(envelope.reply) if envelope.reply is not None else []
        if envelope.press_id and envelope.parts_done == 0:
            notice = as_notice(envelope.reply) if envelope.reply is not None else ""
            shown = await self._acknowledge(envelope.press_id, notice)
            if envelope.reply is None or (notice is not None and shown):
                return
        if envelope.fetched is not None:
            uploaded = await self._upload(chat_id, envelope.fetched, thread)
            await on_part(str(uploaded.message_id), True)
            return
        if envelope.copy is not None:
            source = envelope.copy
            copied = await self.bot.copy_message(
                chat_id, source.from_chat.chat_id, int(source.message_id),
                message_thread_id=thread,
            )
            await on_part(str(copied.message_id), True)
            return
        for index in range(envelope.parts_done, len(parts)):
            part = parts[index]
            reply_to = None
            if envelope.reply_to and index == 0:
                reply_to = ReplyParameters(int(envelope.reply_to), allow_sending_without_reply=True)
            sent = await self._call(
                "sendMessage", chat_id=chat_id, text=part.text, parse_mode=ParseMode.HTML,
                reply_markup=part.markup, link_preview_options=NO_PREVIEW,
                message_thread_id=thread, reply_parameters=reply_to,
            )
            await on_part(str(sent["message_id"]), index == len(parts) - 1)

    async def fetch(self, file: Attachment) -> Fetched:
        """A photo or file someone sent the bot: `getFile` gives its address (the Bot API
        hands out files of at most 20 MB), then a bounded download."""
        try:
            found = await self.bot.get_file(file.file_id)
        except BadRequest as err:
            raise Rejected(f"Telegram cannot give the file: {err}") from None
        except TelegramError as err:
            raise Transient(f"getFile failed: {err}") from None
        if not found.file_path:
            raise Rejected("Telegram gave no address for the file")
        content = await download(found.file_path)
        return fetched(file, content, found.file_path.rsplit("/", 1)[-1])

    async def _upload(self, chat_id: str, file: Fetched, thread: int | None) -> TelegramMessage:
        upload = InputFile(file.content, filename=file.name)
        if file.kind is AttachmentKind.PHOTO and len(file.content) <= PHOTO_LIMIT:
            return await self.bot.send_photo(chat_id, upload, message_thread_id=thread)
        return await self.bot.send_document(chat_id, upload, message_thread_id=thread)

    async def _acknowledge(self, press_id: str, notice: str | None) -> bool:
        """Answer a press; False when Telegram refuses because the press is too old.

        Presses made while the bot was down arrive late, and Telegram no longer accepts
        an answer to them: the press is still acted on, its notice then sent as a message.
        """
        try:
            await self.bot.answer_callback_query(press_id, notice or None)
        except BadRequest as err:
            log.info("button press %s not acknowledged: %s", press_id, err)
            return False
        return True

    async def _poll(self, inbox: InboxSink) -> None:
        """Long polling: each batch is in the inbox before the next call confirms it."""
        offset: int | None = None
        tries = 0
        while True:
            try:
                updates = await self._call(
                    "getUpdates", offset=offset, timeout=POLL_TIMEOUT,
                    allowed_updates=ALLOWED_UPDATES,
                    read_timeout=POLL_TIMEOUT + self.bot.request.read_timeout,
                )
            except InvalidToken as err:
                self._fail(err)
                return
            except TelegramError as err:
                delay = self._backoff.delay(tries)
                tries += 1
                log.warning("getUpdates failed (%s); retrying in %.1f s", err, delay)
                await asyncio.sleep(delay)
                continue
            tries = 0
            if updates:
                await inbox.receive(self.name, [(str(u["update_id"]), u) for u in updates])
                offset = updates[-1]["update_id"] + 1

    async def _call(self, method: str, read_timeout: float | None = None,
                    **params: Any) -> Any:
        """A Bot API method answered with plain JSON.

        The calls made for every update (`PLAIN_CALLS`) skip python-telegram-bot's
        objects for the answer, which is half their CPU (`bench/telegram_http.py`);
        PTB still builds the request and raises its errors.
        """
        try:
            return await self.bot.do_api_request(
                method, api_kwargs={key: v for key, v in params.items() if v is not None},
                read_timeout=BaseRequest.DEFAULT_NONE if read_timeout is None else read_timeout,
            )
        except EndPointNotFound as err:  # a method that exists is "not found" for a bad token
            raise InvalidToken(str(err)) from err

    def _fail(self, err: InvalidToken) -> None:
        log.error("Telegram rejected the bot token (%s): revoked or mistyped; stopping", err)
        if not self._failed.done():
            self._failed.set_exception(ChannelFatal("the Telegram bot token was rejected"))

    async def _set_menu(self) -> None:
        commands = [BotCommand(name, description) for name, description in self._menu]
        try:
            await self._retrying("setMyCommands", lambda: self.bot.set_my_commands(commands))
        except ChannelFatal as err:
            log.warning("the command menu was not set: %s", err)

    async def _retrying(self, what: str, attempt: Any) -> Any:
        try:
            return await retry_transient(what, attempt, is_transient, self._backoff)
        except InvalidToken as err:
            raise ChannelFatal(f"Telegram rejected the bot token at {what} ({err})") from None
