"""The webhook server: each update Telegram posts is in the inbox before the 200.

Telegram sends the secret given to setWebhook in the X-Telegram-Bot-Api-Secret-Token
header; any request without it is refused (403). Tornado comes with
python-telegram-bot's webhooks extra.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.web

from bot.channels.base import InboxSink
from bot.config import TelegramSection

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, secret: str, channel: str, inbox: InboxSink) -> None:
        self.secret = secret
        self.channel = channel
        self.inbox = inbox

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.send_error(403)
            return
        try:
            update = json.loads(self.request.body)
            update_id = str(int(update["update_id"]))
        except (ValueError, KeyError, TypeError):
            self.send_error(400)
            return
        await self.inbox.receive(self.channel, [(update_id, update)])
        self.set_status(200)
        self.finish()


class WebhookServer:
    def __init__(
        self, section: TelegramSection, secret: str, channel: str, inbox: InboxSink
    ) -> None:
        path = urlsplit(section.webhook_url).path or "/"
        app = tornado.web.Application(
            [(path, _UpdateHandler, {"secret": secret, "channel": channel, "inbox": inbox})]
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self._section = section

    def listen(self) -> None:
        self._server.listen(self._section.webhook_port, self._section.webhook_listen)

    async def close(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
