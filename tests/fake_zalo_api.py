"""A stand-in for Zalo's OA Open API on 127.0.0.1, and people who write to the OA.

One server answers for all of Zalo's hosts (`[zalo] api_base`): the OAuth token
endpoint (a refresh rotates the pair and spends the old refresh token), `message/cs`
(checks the access token, 2,000 characters, button limits; answers Zalo's error
codes), uploads (`upload/image` up to 1 MB answers an attachment id, `upload/file` up to
5 MB a token, -210 beyond; a `cs` message may carry either) and ZNS. Files people send
are served from `/cdn/…` (`host_file`), as Zalo's CDN gives them in events. It records
every call for assertions and can be told to answer the next calls with an error code
or to hold the token endpoint for a while.
`ZaloUser` posts signed webhook events to the bot, as Zalo does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import tornado.web

from bot.app import serve
from bot.channels.zalo.signature import HEADER, mac
from bot.config import load_config
from bot.storage import Storage
from handlers.texts import Texts
from tests.loopback import LoopbackServer
from tests.test_telegram_webhook import free_port, until_listening

APP_ID = "2553928453557884079"
APP_SECRET = "appSecret-Kq81xZ"
OA_SECRET = "oaSecretKey-zz42Lm"
OA_ID = "4318700123456789"
TEXT_LIMIT = 2000
BUTTON_TITLE_LIMIT = 100
BUTTON_PAYLOAD_LIMIT = 1000
BUTTON_TYPES = {"oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.phone", "oa.open.sms"}
INVALID_REFRESH = -14014
IMAGE_LIMIT = 1024 * 1024
FILE_LIMIT = 5 * 1024 * 1024
TOO_BIG = -210


@dataclass(frozen=True)
class Call:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    error: int


@dataclass
class FakeZalo:
    calls: list[Call] = field(default_factory=list)
    expires_in: str = "90000"
    token_delay: float = 0.0  # seconds the token endpoint takes to answer
    issued: list[str] = field(default_factory=list)  # every token handed out, for log checks
    _access: set[str] = field(default_factory=set)
    _refresh: set[str] = field(default_factory=set)
    _errors: dict[str, deque[int]] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    hosted: dict[str, bytes] = field(default_factory=dict)  # /cdn/ name → content
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id → name, content
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _server: LoopbackServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        return self._server.base_url

    async def start(self) -> None:
        self._server = LoopbackServer(
            tornado.web.Application([(r"(/.*)", _Handler, {"fake": self})]))

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.close()

    # Driving the fake from a test.

    def issue_pair(self) -> tuple[str, str]:
        """A new (access, refresh) pair, as the developer console or a code exchange gives."""
        serial = next(self._serial)
        access, refresh = f"access-{serial}-Tq9", f"refresh-{serial}-Rw7"
        self._access.add(access)
        self._refresh.add(refresh)
        self.issued += [access, refresh]
        return access, refresh

    def host_file(self, name: str, content: bytes) -> str:
        """The address Zalo's event gives for a photo or file someone sent."""
        self.hosted[name] = content
        return f"{self.base_url}/cdn/{name}"

    def attached(self, user_id: str) -> list[tuple[str, bytes]]:
        """(file name, content) of each photo or file sent to one person, in order."""
        found = []
        for message in self.sent(user_id):
            attachment = message.get("attachment") or {}
            payload = attachment.get("payload") or {}
            if attachment.get("type") == "file":
                found.append(self.uploads[payload["token"]])
            for element in payload.get("elements") or []:
                found.append(self.uploads[element["attachment_id"]])
        return found

    def revoke_access(self) -> None:
        """Every access token issued so far is invalid from now on (-216)."""
        self._access.clear()

    def fail_next(self, path: str, code: int, times: int = 1) -> None:
        """The next `times` calls to `path` are answered with Zalo error `code`."""
        self._errors.setdefault(path, deque()).extend([code] * times)

    def clear_failures(self) -> None:
        self._errors.clear()

    def made(self, path: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.path == path and (c.error == 0 or not ok_only)]

    def sent(self, user_id: str) -> list[dict[str, Any]]:
        """The `message` objects delivered to one person, in order."""
        return [c.body["message"] for c in self.made("/v3.0/oa/message/cs")
                if c.body["recipient"]["user_id"] == user_id]

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 5.0) -> Any:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)
        return condition()

    # Answering the bot.

    async def answer(self, path: str, body: dict[str, Any], headers: dict[str, str],
                     files: dict[str, tuple[str, bytes]] | None = None) -> Any:
        if files:
            body = {**body, "file": files.get("file")}
        if path == "/v4/oa/access_token":
            await asyncio.sleep(self.token_delay)
        queued = self._errors.get(path)
        if queued:
            answer: dict[str, Any] = {"error": queued.popleft(), "message": "injected"}
        else:
            handler = {"/v4/oa/access_token": self._token,
                       "/v3.0/oa/message/cs": self._message_cs,
                       "/v2.0/oa/upload/image": self._upload_image,
                       "/v2.0/oa/upload/file": self._upload_file,
                       "/message/template": self._zns}.get(path)
            answer = handler(body, headers) if handler else {"error": -404, "message": "no API"}
        self.calls.append(Call(path, body, headers, int(answer.get("error", 0))))
        async with self._changed:
            self._changed.notify_all()
        return answer

    def _token(self, form: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        if headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return {"error": -14002, "error_name": "Invalid app secret"}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self._refresh:
                return {"error": INVALID_REFRESH, "error_name": "Invalid refresh token",
                        "error_description": "the refresh token is used or expired"}
            self._refresh.discard(form["refresh_token"])  # it works once
        elif form.get("grant_type") != "authorization_code" or not form.get("code"):
            return {"error": -14001, "error_name": "Invalid grant"}
        access, refresh = self.issue_pair()
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.expires_in}

    def _authorised(self, headers: dict[str, str]) -> bool:
        return headers.get("access_token", "") in self._access

    def _message_cs(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        if not self._authorised(headers):
            return {"error": -216, "message": "Access token is invalid"}
        message = body.get("message") or {}
        text = message.get("text", "")
        attachment = message.get("attachment")
        kind = (attachment or {}).get("type")
        media = kind == "file" or (kind == "template" and (attachment or {}).get(
            "payload", {}).get("template_type") == "media")
        if (not text and not media) or len(text) > TEXT_LIMIT:
            return {"error": -201, "message": "text is empty or longer than 2000 characters"}
        if media and not self._known_media(attachment or {}):
            return {"error": -201, "message": "attachment_id or token is invalid"}
        if attachment is not None:
            for button in attachment.get("payload", {}).get("buttons", []):
                payload = button.get("payload", "")
                if button.get("type") == "oa.open.url":  # {"url": …}
                    payload = payload.get("url", "") if isinstance(payload, dict) else None
                if (button.get("type") not in BUTTON_TYPES
                        or not 0 < len(button.get("title", "")) <= BUTTON_TITLE_LIMIT
                        or not isinstance(payload, str) or not payload
                        or len(payload) > BUTTON_PAYLOAD_LIMIT):
                    return {"error": -201, "message": "button is invalid"}
        user_id = body.get("recipient", {}).get("user_id")
        return {"error": 0, "message": "Success",
                "data": {"message_id": f"m{next(self._serial):06x}", "user_id": user_id}}

    def _known_media(self, attachment: dict[str, Any]) -> bool:
        payload = attachment.get("payload") or {}
        if attachment.get("type") == "file":
            return payload.get("token") in self.uploads
        elements = payload.get("elements") or []
        return bool(elements) and all(e.get("media_type") == "image"
                                      and e.get("attachment_id") in self.uploads
                                      for e in elements)

    def _upload_image(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        return self._upload(body, headers, IMAGE_LIMIT, "attachment_id")

    def _upload_file(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        return self._upload(body, headers, FILE_LIMIT, "token")

    def _upload(self, body: dict[str, Any], headers: dict[str, str], limit: int,
                answer: str) -> dict[str, Any]:
        if not self._authorised(headers):
            return {"error": -216, "message": "Access token is invalid"}
        file = body.get("file")
        if file is None:
            return {"error": -201, "message": "no file in the request"}
        if len(file[1]) > limit:
            return {"error": TOO_BIG, "message": "file size is over the limit"}
        ref = f"{answer}-{next(self._serial)}"
        self.uploads[ref] = file
        return {"error": 0, "message": "Success", "data": {answer: ref}}

    def _zns(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        if not self._authorised(headers):
            return {"error": -216, "message": "Access token is invalid"}
        phone = str(body.get("phone", ""))
        if not (phone.startswith("84") and phone.isdigit()) or not body.get("template_id"):
            return {"error": -108, "message": "phone or template invalid"}
        return {"error": 0, "message": "Success",
                "data": {"msg_id": f"z{next(self._serial):06x}",
                         "sent_time": str(int(time.time() * 1000)),
                         "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}


class _Handler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeZalo) -> None:
        self.fake = fake

    async def post(self, path: str) -> None:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(self.request.body or b"{}")
        else:
            body = {k: v[-1].decode() for k, v in self.request.body_arguments.items()}
        headers = {k.lower(): v for k, v in self.request.headers.items()}
        files = {k: (v[-1].filename, v[-1].body) for k, v in self.request.files.items()}
        answer = await self.fake.answer(path, body, headers, files)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(answer))

    async def get(self, path: str) -> None:
        """Zalo's CDN: the photos and files people sent."""
        content = self.fake.hosted.get(path.removeprefix("/cdn/"))
        if not path.startswith("/cdn/") or content is None:
            self.set_status(404)
            self.finish()
            return
        self.finish(content)


@dataclass
class ZaloUser:
    """Someone writing to the OA from the Zalo app; Zalo signs and posts each event."""

    fake: FakeZalo
    webhook: str
    id: str
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def event(self, text: str, name: str = "user_send_text", **message: Any) -> dict[str, Any]:
        return {
            "app_id": APP_ID, "user_id_by_app": f"9{self.id}", "event_name": name,
            "timestamp": str(int(time.time() * 1000)),
            "sender": {"id": self.id}, "recipient": {"id": OA_ID},
            "message": {"msg_id": f"{self.id}-{next(self._serial)}-{time.monotonic_ns()}",
                        "text": text, **message},
        }

    async def post(
        self, event: dict[str, Any], *, secret: str = OA_SECRET, raw: bytes | None = None,
        signed: bytes | None = None, client: httpx.AsyncClient | None = None,
    ) -> httpx.Response:
        """Post `event` signed with `secret`; `signed` is the body the signature covers
        (default: the body sent)."""
        body = raw if raw is not None else json.dumps(event, ensure_ascii=False).encode()
        signature = mac(APP_ID, signed if signed is not None else body,
                        str(event["timestamp"]), secret)
        headers = {HEADER: f"mac={signature}", "Content-Type": "application/json"}
        if client is not None:
            return await client.post(self.webhook, content=body, headers=headers)
        async with httpx.AsyncClient() as own:
            return await own.post(self.webhook, content=body, headers=headers)

    async def says(self, text: str) -> dict[str, Any]:
        event = self.event(text)
        response = await self.post(event)
        assert response.status_code == 200, response.status_code
        return event

    async def ask(self, text: str, replies: int = 1) -> list[dict[str, Any]]:
        """Say `text` and wait for the bot's next `replies` messages to this person."""
        before = len(self.fake.sent(self.id))
        await self.says(text)
        await self.fake.wait_for(lambda: len(self.fake.sent(self.id)) >= before + replies)
        return self.fake.sent(self.id)[before:]

    async def answer(self, text: str) -> list[dict[str, Any]]:
        """Say `text` and return every message of the answer, however many parts it has
        (the bot handles one person's messages in order: a /huongdan after it ends it)."""
        before = len(self.fake.sent(self.id))
        await self.says(text)
        await self.says("/huongdan")
        help_text = Texts.load()("help")

        def until_help() -> list[dict[str, Any]] | None:
            sent = self.fake.sent(self.id)[before:]
            ends = [n for n, message in enumerate(sent) if help_text in message["text"]]
            return sent[:ends[0]] if ends else None

        return await self.fake.wait_for(until_help)


def zalo_config(fake: FakeZalo, port: int, extra: str = "") -> str:
    return (f'[zalo]\napp_id = "{APP_ID}"\napp_secret = "{APP_SECRET}"\n'
            f'oa_secret = "{OA_SECRET}"\napi_base = "{fake.base_url}"\n'
            f'webhook_port = {port}\n{extra}\n')


async def store_tokens(
    database: Path, access: str, refresh: str, expires_in: timedelta = timedelta(hours=25)
) -> None:
    now = datetime.now(UTC)
    storage = await Storage.open(database)
    try:
        await storage.zalo_tokens.store(APP_ID, access, refresh, now + expires_in, now)
    finally:
        await storage.close()


@dataclass
class RunningZalo:
    fake: FakeZalo
    webhook: str
    task: asyncio.Task[int]

    def user(self, user_id: str) -> ZaloUser:
        return ZaloUser(self.fake, self.webhook, user_id)


@asynccontextmanager
async def running_zalo_bot(
    tmp_path: Path,
    config_text: str = "",
    *,
    zalo: str = "",
    clock: Callable[[], datetime] | None = None,
    fake: FakeZalo | None = None,
    tokens: bool = True,
) -> AsyncIterator[RunningZalo]:
    """The bot serving Zalo (only) as `commune-bot run` would, against a fake OA API.

    `tokens`: store a valid pair first (as `commune-bot zalo auth` does).
    """
    if fake is None:
        fake = FakeZalo()
        await fake.start()
    port = free_port()
    config_path = tmp_path / "config.toml"
    config_path.write_text(f'[bot]\ndata_dir = "data"\n{config_text}\n'
                           + zalo_config(fake, port, zalo), encoding="utf-8")
    if tokens:
        await store_tokens(tmp_path / "data" / "commune-bot.sqlite3", *fake.issue_pair())
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_config(config_path, environ={}), stop=stop,
                                     clock=clock))
    try:
        listening = asyncio.create_task(until_listening(port))
        await asyncio.wait([listening, task], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            listening.cancel()
        yield RunningZalo(fake, f"http://127.0.0.1:{port}/zalo", task)
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 5)
        finally:
            await fake.stop()
