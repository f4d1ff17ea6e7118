"""The webhook server: each signed event Zalo posts is in the inbox before the 200.

Zalo wants its 200 within 2 s, so nothing is handled inside the request: the event is
stored (a duplicate `msg_id` is ignored by the inbox) and handled after the answer.
Anything not signed with the OA Secret Key, or too old, is refused with 403. The
domain-verification file from the developer console is served at the root.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import tornado.httpserver
import tornado.web

from bot.channels.zalo.signature import HEADER, verified_event
from bot.config import ZaloSection

# Stores a verified event durably (the inbox, and when the person last wrote).
Store = Callable[[dict[str, Any]], Awaitable[None]]


class _EventHandler(tornado.web.RequestHandler):
    def initialize(self, section: ZaloSection, store: Store) -> None:
        self.section = section
        self.store = store

    async def post(self) -> None:
        event = verified_event(
            self.request.body, self.request.headers.get(HEADER, ""), self.section.app_id,
            self.section.oa_secret, int(time.time() * 1000),
        )
        if event is None:
            self.send_error(403)
            return
        await self.store(event)
        self.set_status(200)
        self.finish()


class _VerifierHandler(tornado.web.RequestHandler):
    def initialize(self, content: bytes) -> None:
        self.content = content

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.content)


class WebhookServer:
    def __init__(self, section: ZaloSection, verifier: Path | None, store: Store) -> None:
        routes: list[tuple[str, type[tornado.web.RequestHandler], dict[str, object]]] = [
            (section.webhook_path, _EventHandler, {"section": section, "store": store}),
        ]
        if verifier is not None:
            routes.append((f"/{verifier.name}", _VerifierHandler,
                           {"content": verifier.read_bytes()}))
        self._server = tornado.httpserver.HTTPServer(tornado.web.Application(routes))
        self._section = section

    def listen(self) -> None:
        self._server.listen(self._section.webhook_port, self._section.webhook_listen)

    async def close(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
