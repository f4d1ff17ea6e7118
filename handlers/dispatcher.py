"""Routes one `Incoming` to the handler for it and returns the replies to send.

This is the single entry point channels call. It never raises: an unexpected error is
logged with its trace and the person gets a polite message instead.
"""

from __future__ import annotations

import logging

from handlers import ask
from handlers.context import HandlerContext
from handlers.model import Incoming, Reply

log = logging.getLogger(__name__)

START_COMMANDS = {"start", "batdau"}
HELP_COMMANDS = {"help", "huongdan", "trogiup"}


class Dispatcher:
    def __init__(self, ctx: HandlerContext) -> None:
        self.ctx = ctx

    async def handle(self, incoming: Incoming) -> list[Reply]:
        try:
            return await self._route(incoming)
        except Exception:
            log.exception(
                "failed to handle a message from %s user %s",
                incoming.sender.channel,
                incoming.sender.id,
            )
            return [Reply.text(self.ctx.texts("error"))]

    async def _route(self, incoming: Incoming) -> list[Reply]:
        texts = self.ctx.texts
        sender = incoming.sender
        user = await self.ctx.storage.upsert_user(
            sender.channel, sender.id, sender.name, self.ctx.clock()
        )
        if incoming.button is not None:
            return [await ask.press(self.ctx, user.id, incoming.button)]
        if incoming.attachment is not None or incoming.text is None:
            return [Reply.text(texts("attachment_unsupported"))]
        text = incoming.text.strip()
        command = _command(text)
        if command in START_COMMANDS:
            return [Reply.text(texts("greeting", name=sender.name or texts("default_name")))]
        if command is not None:
            return [Reply.text(texts("help"))]
        return [await ask.answer_question(self.ctx, user.id, text)]


def _command(text: str) -> str | None:
    """`/start`, `/help@SomeBot arg` → the bare command name; plain text → None."""
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.split("@", 1)[0].lower()
