"""Routes one `Incoming` to the handler for it and returns the replies to send.

This is the single entry point channels call. It never raises: an unexpected error is
logged with its trace and the person gets a polite message instead.
"""

from __future__ import annotations

import logging

from bot.storage import User
from handlers import ask, onboarding
from handlers.context import HandlerContext
from handlers.model import Block, Incoming, Reply
from handlers.onboarding import Onboarding, OnboardingSettings

log = logging.getLogger(__name__)

START_COMMANDS = {"start", "batdau"}
PROFILE_COMMANDS = {"hoso"}
EDIT_COMMANDS = {"capnhat"}
CANCEL_COMMANDS = {"huy"}
# For the support team's chat only; not in the officials' menu.
STAFF_PENDING_COMMANDS = {"choduyet"}
# (command, key of its description in the texts): the menu chat apps show.
MENU = (
    ("start", "command_start"),
    ("hoso", "command_hoso"),
    ("huy", "command_huy"),
    ("huongdan", "command_huongdan"),
)
REGISTRATION_COMMANDS = {"hoso", "huy"}


class Dispatcher:
    def __init__(self, ctx: HandlerContext, onboarding: Onboarding | None = None) -> None:
        self.ctx = ctx
        self.onboarding = onboarding or Onboarding(ctx, OnboardingSettings())

    def menu(self) -> list[tuple[str, str]]:
        """The commands worth listing in a chat app's menu, with their descriptions."""
        enabled = self.onboarding.settings.enabled
        return [
            (command, self.ctx.texts(key))
            for command, key in MENU
            if enabled or command not in REGISTRATION_COMMANDS
        ]

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
            return [await self._press(user, incoming)]
        if incoming.text is None:
            return [Reply.text(texts("attachment_unsupported"))]
        replies = await self._text(user, incoming, _valid_text(incoming.text).strip())
        if incoming.attachment is not None:  # a photo or file with a caption
            replies.insert(0, Reply.text(texts("attachment_caption_only")))
        return replies

    async def _text(self, user: User, incoming: Incoming, text: str) -> list[Reply]:
        command = _command(text)
        if command is not None:
            return [await self._command(user, command, incoming)]
        step = await self.onboarding.reply_to_text(user, text)
        if step is not None:
            return [step]
        return [await ask.answer_question(self.ctx, user.id, text)]

    async def _command(self, user: User, command: str, incoming: Incoming) -> Reply:
        if command in START_COMMANDS:
            return await self.onboarding.start(user)
        if command in PROFILE_COMMANDS:
            return await self.onboarding.show(user)
        if command in EDIT_COMMANDS:
            return await self.onboarding.edit(user)
        if command in CANCEL_COMMANDS:
            return await self.onboarding.cancel(user)
        if command in STAFF_PENDING_COMMANDS:
            return await self.onboarding.list_pending(incoming)
        # /huongdan, /help and any command the bot does not know: say what it can do.
        blocks = [Block(self.ctx.texts("help"))]
        if self.onboarding.settings.enabled:
            blocks.append(Block(self.ctx.texts("help_commands")))
        return Reply(tuple(blocks))

    async def _press(self, user: User, incoming: Incoming) -> Reply:
        data = incoming.button or ""
        if onboarding.owns(data):
            return await self.onboarding.press(user, incoming)
        return await ask.press(self.ctx, user.id, data)


def _valid_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes from a terminal, broken escapes in a
    chat app's JSON) replaced, so that it can be stored and shown."""
    return text.encode("utf-8", errors="replace").decode("utf-8")


def _command(text: str) -> str | None:
    """`/start`, `/help@SomeBot arg` → the bare command name; plain text → None."""
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.split("@", 1)[0].lower()
