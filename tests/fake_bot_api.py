"""A stand-in for Telegram's Bot API on 127.0.0.1, and people who talk to the bot through it.

The real python-telegram-bot Application talks to it over HTTP exactly as it would to
Telegram (`[telegram] base_url`): getMe, long-polling getUpdates serving queued updates,
sendMessage and friends. It checks what Telegram checks where it matters here (HTML that
Telegram can parse, 4,096 characters, 64-byte button data, command names), records every
call for assertions, and can answer 429 with a `retry_after`. Files people sent
(`host_file`) are given out as Telegram does: `getFile` (at most 20 MB) names a path,
downloaded from `/file/bot<token>/<path>`; sendPhoto (10 MB) and sendDocument take
multipart uploads, whose bytes are kept in the call's params.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import tornado.web

from bot.app import serve
from bot.config import load_config
from tests.loopback import LoopbackServer

TOKEN = "123456:TEST-token_9aZ"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Trợ lý xã",
    "username": "tro_ly_xa_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters whose values PTB sends as plain strings; everything else is JSON.
TEXT_PARAMETERS = {"text", "caption", "callback_query_id", "secret_token", "url", "parse_mode"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "tg-spoiler", "span", "blockquote", "tg-emoji"}
HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
MESSAGE_LIMIT = 4096
SEND_METHODS = {"sendMessage", "copyMessage", "sendPhoto", "sendDocument"}
NOTICE_LIMIT = 200
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile's
PHOTO_LIMIT = 10 * 1024 * 1024
DOCUMENT_LIMIT = 50 * 1024 * 1024


class BadRequest(Exception):
    """Answered as Telegram's 400 Bad Request with this description."""


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float  # when the request arrived (Telegram's limits count arrivals)
    answered: float = 0.0
    result: Any = None  # what the method returned (the message sent…), when it succeeded


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    pushed: list[dict[str, Any]] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _resent: list[dict[str, Any]] = field(default_factory=list)
    _stalled: dict[int, float] = field(default_factory=dict)
    arrived: list[Call] = field(default_factory=list)  # every call as it starts
    _failures: dict[str, deque[int]] = field(default_factory=dict)
    _rejections: dict[str, deque[str]] = field(default_factory=dict)
    _server_errors: dict[str, deque[tuple[int, float]]] = field(default_factory=dict)
    _chat_limits: dict[int, int] = field(default_factory=dict)  # chat → 429s still to answer
    blocked: set[int] = field(default_factory=set)  # chats whose person blocked the bot
    _chat_retry_after: int = 1
    delivered: int = 0  # messages sent successfully, counted as they come (cheap to wait on)
    # sendMessage calls answered 200, per chat: what `sent` reads (tests wait on it often).
    _sent_to: dict[Any, list[Call]] = field(default_factory=dict)
    _flood_until: float = 0.0  # until then (monotonic) every send gets 429
    _flood_retry_after: int = 1
    revoked: bool = False
    timeout: float = 5.0  # how long `wait_for` waits by default
    _chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    _topics: dict[int, set[int]] = field(default_factory=dict)  # forum chat → topic ids
    _files: dict[str, bytes] = field(default_factory=dict)  # file id → content
    downloads: list[str] = field(default_factory=list)  # file paths downloaded
    _next_update_id: int = 1000
    _next_message_id: int = 1
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _closed: bool = False
    _server: LoopbackServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        return self._server.base_url

    async def start(self) -> None:
        self._server = LoopbackServer(tornado.web.Application([
            (r"/bot(?P<token>[^/]+)/(?P<method>\w+)", _MethodHandler, {"api": self}),
            (r"/file/bot(?P<token>[^/]+)/(?P<path>.+)", _FileHandler, {"api": self}),
        ]))

    async def stop(self) -> None:
        async with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._server is not None:
            await self._server.close()

    # Driving the fake from a test.

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        self._updates.append(update)
        self.pushed.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again, as Telegram does when it never saw it confirmed."""
        update = next(u for u in self.pushed if u["update_id"] == update_id)
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())

    def resend(self, update_id: int) -> None:
        """Serve an update again although the bot confirmed it, as a webhook's retry does
        when Telegram missed the bot's 200: the bot already has it in its inbox."""
        update = next(u for u in self.pushed if u["update_id"] == update_id)
        self._resent.append(update)
        asyncio.get_running_loop().create_task(self._notify())

    def stall_chat(self, chat_id: int, seconds: float) -> None:
        """The next message to one chat hangs `seconds`, then fails with 500: a send in
        flight that never arrives (the bot is killed meanwhile, or retries it)."""
        self._stalled[chat_id] = seconds

    def fail_next(self, method: str, retry_after: int) -> None:
        """The next call to `method` gets 429 Too Many Requests."""
        self._failures.setdefault(method, deque()).append(retry_after)

    def reject_next(self, method: str, description: str) -> None:
        """The next call to `method` gets 400 Bad Request."""
        self._rejections.setdefault(method, deque()).append(description)

    def break_next(self, method: str, times: int = 1, status: int = 500,
                   hang: float = 0.0) -> None:
        """The next `times` calls to `method` fail with `status` after `hang` seconds
        (a hang longer than the client's time-out is a time-out)."""
        for _ in range(times):
            self._server_errors.setdefault(method, deque()).append((status, hang))

    def limit_chat(self, chat_id: int, times: int, retry_after: int = 1) -> None:
        """The next `times` messages to one chat get 429 with `retry_after`."""
        self._chat_limits[chat_id] = times
        self._chat_retry_after = retry_after

    def flood(self, seconds: float, retry_after: int = 1) -> None:
        """For `seconds` from now every message send gets 429 with `retry_after`, as when
        the bot exceeds Telegram's overall limit."""
        self._flood_until = time.monotonic() + seconds
        self._flood_retry_after = retry_after

    def revoke_token(self) -> None:
        """From now on every call is refused with 401, as after /revoke in BotFather."""
        self.revoked = True
        asyncio.get_running_loop().create_task(self._notify())  # ends a waiting getUpdates

    def remember_chat(self, chat: dict[str, Any]) -> None:
        self._chats[chat["id"]] = chat

    def new_message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id

    async def wait_for(self, condition: Callable[[], Any], timeout: float | None = None) -> Any:
        """Wait until `condition()` is truthy (checked after every call), and return it."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout or self.timeout)
        return condition()

    def made(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def sent(self, chat_id: int) -> list[Call]:
        """Messages delivered to a chat, in order."""
        return list(self._sent_to.get(chat_id, ()))

    def host_file(self, file_id: str, content: bytes) -> None:
        """The content of a file someone sent (a photo size's or a document's file id)."""
        self._files[file_id] = content

    def file_at(self, path: str) -> bytes | None:
        file_id = path.split("/", 1)[-1]
        return self._files.get(file_id)

    def uploaded(self, chat_id: int) -> list[Call]:
        """Photos and documents uploaded into a chat, in order."""
        return [c for c in self.calls if c.method in ("sendPhoto", "sendDocument")
                and c.status == 200 and c.params["chat_id"] == chat_id]

    def copied(self, chat_id: int) -> list[Call]:
        """Messages copied into a chat (copyMessage), in order."""
        return [c for c in self.made("copyMessage") if c.params["chat_id"] == chat_id]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # Answering the bot.

    async def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        arrived = time.monotonic()
        if token != TOKEN or self.revoked:
            return _error(401, "Unauthorized")
        self.arrived.append(Call(method, params, 0, arrived))
        await self._notify()
        status, body = await self._dispatch(method, params)
        call = Call(method, params, status, arrived, time.monotonic(),
                    body.get("result") if status == 200 else None)
        self.calls.append(call)
        self.delivered += status == 200 and method in SEND_METHODS
        if status == 200 and method == "sendMessage":
            self._sent_to.setdefault(params.get("chat_id"), []).append(call)
        await self._notify()
        return status, body

    async def _dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        if self._server_errors.get(method):
            status, hang = self._server_errors[method].popleft()
            await asyncio.sleep(hang)
            return _error(status, "Internal Server Error")
        chat_id = params.get("chat_id")
        if method in SEND_METHODS and chat_id in self._stalled:
            await asyncio.sleep(self._stalled.pop(chat_id))
            return _error(500, "Internal Server Error")
        if method in SEND_METHODS and chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if method in SEND_METHODS and time.monotonic() < self._flood_until:
            retry_after = self._flood_retry_after
            return _error(429, f"Too Many Requests: retry after {retry_after}",
                          parameters={"retry_after": retry_after})
        if method in SEND_METHODS and self._chat_limits.get(chat_id):
            self._chat_limits[chat_id] -= 1
            retry_after = self._chat_retry_after
            return _error(429, f"Too Many Requests: retry after {retry_after}",
                          parameters={"retry_after": retry_after})
        if self._failures.get(method):
            retry_after = self._failures[method].popleft()
            return _error(429, f"Too Many Requests: retry after {retry_after}",
                          parameters={"retry_after": retry_after})
        if self._rejections.get(method):
            return _error(400, f"Bad Request: {self._rejections[method].popleft()}")
        handler = getattr(self, f"_{_snake(method)}", None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            return 200, {"ok": True, "result": await handler(params)}
        except BadRequest as err:
            return _error(400, f"Bad Request: {err}")

    async def _get_me(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset", 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        with suppress(TimeoutError):
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._updates or self._resent
                                           or self._closed or self.revoked),
                    timeout=params.get("timeout", 0),
                )
        again, self._resent = self._resent, []
        return [*again, *self._updates[:100]]

    async def _send_message(self, params: dict[str, Any]) -> Any:
        visible = _check_text(params)
        _check_markup(params)
        self._check_thread(params)
        message = self._message(params["chat_id"], visible, params.get("reply_markup"))
        if params.get("message_thread_id") is not None:
            message |= {"message_thread_id": params["message_thread_id"],
                        "is_topic_message": True}
        return message

    async def _edit_message_text(self, params: dict[str, Any]) -> Any:
        visible = _check_text(params)
        _check_markup(params)
        message = self._message(params["chat_id"], visible, params.get("reply_markup"))
        return {**message, "message_id": params["message_id"]}

    async def _answer_callback_query(self, params: dict[str, Any]) -> Any:
        if len(params.get("text", "")) > NOTICE_LIMIT:
            raise BadRequest("MESSAGE_TOO_LONG")
        return True

    async def _copy_message(self, params: dict[str, Any]) -> Any:
        if not params.get("from_chat_id") or not params.get("message_id"):
            raise BadRequest("message to copy not found")
        self._check_thread(params)
        return {"message_id": self.new_message_id()}

    async def _get_file(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        content = self._files.get(file_id)
        if content is None:
            raise BadRequest("invalid file_id")
        if len(content) > DOWNLOAD_LIMIT:
            raise BadRequest("file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
                "file_path": f"files/{file_id}"}

    async def _send_photo(self, params: dict[str, Any]) -> Any:
        return self._upload(params, "photo", PHOTO_LIMIT)

    async def _send_document(self, params: dict[str, Any]) -> Any:
        return self._upload(params, "document", DOCUMENT_LIMIT)

    def _upload(self, params: dict[str, Any], field_name: str, limit: int) -> dict[str, Any]:
        upload = params.get(field_name)
        if not isinstance(upload, dict):
            raise BadRequest(f"there is no {field_name} in the request")
        if len(upload["content"]) > limit:
            raise BadRequest("file is too big")
        self._check_thread(params)
        message = self._message(params["chat_id"], "", None)
        del message["text"]
        file = {"file_id": f"up{message['message_id']}", "file_unique_id": "u",
                "file_size": len(upload["content"])}
        message[field_name] = [{**file, "width": 1280, "height": 960}] \
            if field_name == "photo" else {**file, "file_name": upload["filename"]}
        return message

    async def _create_forum_topic(self, params: dict[str, Any]) -> Any:
        chat = self._chats.get(params["chat_id"], {})
        if not chat.get("is_forum"):
            raise BadRequest("the chat is not a forum")
        if not 1 <= len(params.get("name", "")) <= 128:
            raise BadRequest("TOPIC_NAME_INVALID")
        thread = self.new_message_id()  # a topic's id is the id of its first message
        self._topics.setdefault(params["chat_id"], set()).add(thread)
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    def _check_thread(self, params: dict[str, Any]) -> None:
        thread = params.get("message_thread_id")
        if thread is not None and thread not in self._topics.get(params["chat_id"], set()):
            raise BadRequest("message thread not found")

    async def _set_my_commands(self, params: dict[str, Any]) -> Any:
        for command in params["commands"]:
            if not COMMAND.match(command["command"]):
                raise BadRequest("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise BadRequest("BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {}
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = params
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _message(self, chat_id: Any, text: str, markup: Any) -> dict[str, Any]:
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private"})
        message = {"message_id": self.new_message_id(), "date": int(time.time()), "chat": chat,
                   "from": BOT_USER, "text": text}
        if markup:
            message["reply_markup"] = markup
        return message


class _MethodHandler(tornado.web.RequestHandler):
    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    async def post(self, token: str, method: str) -> None:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            # Like the Bot API: "5001" is the chat 5001, an object may come as JSON text.
            params = {key: _decode(key, value) if isinstance(value, str) else value
                      for key, value in json.loads(self.request.body or b"{}").items()}
        else:
            params = {key: _decode(key, values[-1].decode())
                      for key, values in self.request.body_arguments.items()}
            for key, files in self.request.files.items():  # multipart uploads
                params[key] = {"filename": files[-1].filename, "content": files[-1].body}
        status, body = await self.api.answer(token, method, params)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    get = post


class _FileHandler(tornado.web.RequestHandler):
    """The Bot API's file downloads: the path `getFile` gave, under the bot's token."""

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    async def get(self, token: str, path: str) -> None:
        content = self.api.file_at(path) if token == TOKEN else None
        if content is None:
            self.set_status(404)
            self.finish()
            return
        self.api.downloads.append(path)
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(content)


def _error(code: int, description: str, **extra: Any) -> tuple[int, Any]:
    return code, {"ok": False, "error_code": code, "description": description, **extra}


def _decode(key: str, value: str) -> Any:
    if key in TEXT_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _snake(method: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


class _TelegramHtml(HTMLParser):
    """Telegram's HTML: a few tags, properly nested; four named entities; nothing bare."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise BadRequest(f"can't parse entities: Unsupported start tag \"{tag}\"")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise BadRequest(f"can't parse entities: Unmatched end tag \"{tag}\"")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise BadRequest("can't parse entities: Unsupported start tag")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in HTML_ENTITIES:
            raise BadRequest(f"can't parse entities: Unsupported entity \"{name}\"")
        self.visible.append(HTML_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        self.visible.append(chr(int(name[1:], 16) if name.startswith("x") else int(name)))

    def unknown_decl(self, data: str) -> None:
        raise BadRequest("can't parse entities")


def _check_text(params: dict[str, Any]) -> str:
    text = params.get("text", "")
    if params.get("parse_mode") == "HTML":
        parser = _TelegramHtml()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise BadRequest(f"can't parse entities: Can't find end tag \"{parser.open[-1]}\"")
        text = "".join(parser.visible)
    if not text.strip():
        raise BadRequest("message text is empty")
    if len(text.encode("utf-16-le")) // 2 > MESSAGE_LIMIT:
        raise BadRequest("message is too long")
    return text


def _check_markup(params: dict[str, Any]) -> None:
    for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                raise BadRequest("BUTTON_DATA_INVALID")
            if ("callback_data" in button) == ("url" in button):
                raise BadRequest("can't parse inline keyboard button: exactly one of "
                                 "callback_data and url is needed here")
            if "url" in button and not button["url"].startswith(("http://", "https://")):
                raise BadRequest("BUTTON_URL_INVALID")


@dataclass
class Person:
    """Someone using Telegram: writes in a private chat (or a group) and presses buttons."""

    api: FakeBotApi
    id: int
    first_name: str
    chat: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.chat:
            self.chat = {"id": self.id, "type": "private", "first_name": self.first_name}
        self.api.remember_chat(self.chat)

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name,
                "language_code": "vi"}

    def says(self, text: str, **extra: Any) -> int:
        return self.api.push("message", self.message(text, **extra))

    def message(self, text: str, **extra: Any) -> dict[str, Any]:
        """A text message as Telegram delivers it, with the entities its clients add."""
        return {**self._message(), "text": text, "entities": _entities(text), **extra}

    def sends(self, **content: Any) -> int:
        """A message without text: sticker=…, voice=…, location=…"""
        return self.api.push("message", {**self._message(), **content})

    def sends_photo(self, file_id: str, caption: str | None = None, **extra: Any) -> int:
        """A photo as Telegram delivers it: its sizes, the largest last, each with a file id."""
        sizes = [{"file_id": f"{file_id}-{w}", "file_unique_id": f"u{file_id}-{w}",
                  "width": w, "height": w * 3 // 4, "file_size": w * 90} for w in (90, 1280)]
        content: dict[str, Any] = {"photo": sizes, **extra}
        if caption is not None:
            content["caption"] = caption
        return self.api.push("message", {**self._message(), **content})

    def replies(self, to: Call, text: str, **extra: Any) -> int:
        """Telegram's reply to a message the bot sent (`to`, a call that succeeded)."""
        return self.says(text, reply_to_message=to.result, **extra)

    def says_in_topic(self, thread_id: int, text: str, **extra: Any) -> int:
        """A message in a forum topic: it "replies" to the topic's first message."""
        root = {"message_id": thread_id, "date": int(time.time()), "chat": self.chat,
                "from": BOT_USER, "forum_topic_created": {"name": "#", "icon_color": 7322096}}
        return self.says(text, message_thread_id=thread_id, is_topic_message=True,
                         reply_to_message=root, **extra)

    def presses(self, data: str, on: Call | None = None) -> int:
        """Press a button with `data` (forged, if no message of the bot carries it)."""
        message = self._message()
        if on is not None and on.result and on.result["chat"]["id"] == self.chat["id"]:
            message = on.result  # the message as sent: its id, its forum topic
        elif on is not None:
            message = {**message, "from": BOT_USER, "text": on.params["text"],
                       "reply_markup": on.params.get("reply_markup")}
        query = {"id": str(self.api.new_message_id()), "from": self.user, "message": message,
                 "chat_instance": f"ci{self.chat['id']}", "data": data}
        return self.api.push("callback_query", query)

    async def ask(self, text: str, replies: int = 1) -> list[Call]:
        """Say `text` and wait for the bot's next `replies` messages in this chat."""
        before = len(self.api.sent(self.chat["id"]))
        self.says(text)
        return await self._messages_after(before, replies)

    async def tap(
        self, data: str, on: Call | None = None, replies: int = 0
    ) -> tuple[Call, list[Call]]:
        """Press a button; the bot's answerCallbackQuery and its next `replies` messages."""
        before = len(self.api.sent(self.chat["id"]))
        update_id = self.presses(data, on)
        query_id = next(u["callback_query"]["id"] for u in self.api.pushed
                        if u["update_id"] == update_id)
        answer = await self.api.wait_for(lambda: next(
            (c for c in self.api.made("answerCallbackQuery")
             if c.params["callback_query_id"] == query_id), None))
        return answer, await self._messages_after(before, replies)

    async def _messages_after(self, before: int, count: int) -> list[Call]:
        chat_id = self.chat["id"]
        await self.api.wait_for(lambda: len(self.api.sent(chat_id)) >= before + count)
        return self.api.sent(chat_id)[before:]

    def _message(self) -> dict[str, Any]:
        return {"message_id": self.api.new_message_id(), "date": int(time.time()),
                "chat": self.chat, "from": self.user}


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's clients attach: a leading command, @mentions."""
    found = []
    command = re.match(r"/\w+(@\w+)?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for mention in re.finditer(r"(?<!\w)@\w+", text):
        found.append({"type": "mention", "offset": _utf16(text[: mention.start()]),
                      "length": _utf16(mention.group())})
    return found


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def buttons(call: Call) -> list[tuple[str, str]]:
    """(label, data) of the inline buttons a sent message carries that send data back."""
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
            for b in row if "callback_data" in b]


def links(call: Call) -> list[tuple[str, str]]:
    """(label, url) of the link buttons a sent message carries."""
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b["url"]) for row in markup.get("inline_keyboard", [])
            for b in row if "url" in b]


def button_data(call: Call, label_part: str) -> str:
    return next(data for label, data in buttons(call) if label_part in label)


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    config_text: str = "",
    *,
    telegram: str = "",
    clock: Callable[[], datetime] | None = None,
    api: FakeBotApi | None = None,
) -> AsyncIterator[FakeBotApi]:
    """The bot, run by `serve` as `commune-bot run` would, against a fake API.

    `config_text` adds sections to the configuration, `telegram` adds [telegram] keys;
    pass a started `api` to queue updates before the bot starts.
    """
    if api is None:
        api = FakeBotApi()
        await api.start()
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[bot]\ndata_dir = "data"\n{config_text}\n[telegram]\ntoken = "{TOKEN}"\n'
        f'base_url = "{api.base_url}"\n{telegram}\n',
        encoding="utf-8",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_config(config_path, environ={}), stop=stop,
                                            clock=clock))
    try:
        # Polling starts by deleting any webhook; webhook mode by setting it.
        await api.wait_for(
            lambda: api.made("deleteWebhook") or api.made("setWebhook") or task.done()
        )
        if task.done():
            task.result()
        yield api
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 5)
        finally:
            await api.stop()
