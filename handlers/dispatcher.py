"""Routes one `Incoming` to the handler for it and returns the replies to send.

This is the single entry point channels call. It never raises: an unexpected error is
logged with its trace and the person gets a polite message instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.storage import User
from handlers import ask, callbacks, onboarding
from handlers.context import HandlerContext
from handlers.model import Block, Button, Incoming, Reply, Style
from handlers.onboarding import Onboarding, OnboardingSettings

log = logging.getLogger(__name__)

START_COMMANDS = {"start", "batdau"}
HELP_COMMANDS = {"help", "huongdan", "trogiup"}
PROFILE_COMMANDS = {"hoso"}
EDIT_COMMANDS = {"capnhat"}
CANCEL_COMMANDS = {"huy"}
# (command, key of its description in the texts): the menu chat apps show.
MENU = (
    ("start", "command_start"),
    ("hoso", "command_hoso"),
    ("huy", "command_huy"),
    ("huongdan", "command_huongdan"),
)
REGISTRATION_COMMANDS = {"hoso", "huy"}


@dataclass(frozen=True)
class AskSupport:
    """Show how to reach the support team about a logged question.

    For now it shows the hotline contacts with the question quoted; the hotline issue
    turns the same button into a ticket.
    """

    question_id: int

    def pack(self) -> str:
        return f"h:{self.question_id}"

    @classmethod
    def unpack(cls, data: str) -> AskSupport | None:
        kind, _, number = data.partition(":")
        return cls(int(number)) if kind == "h" and number.isdigit() else None


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
            return [self._with_support_button(await self._press(user, incoming))]
        if incoming.attachment is not None or incoming.text is None:
            return [Reply.text(texts("attachment_unsupported"))]
        text = incoming.text.strip()
        command = _command(text)
        if command is not None:
            return [await self._command(user, command)]
        step = await self.onboarding.reply_to_text(user, text)
        if step is not None:
            return [step]
        return [self._with_support_button(await ask.answer_question(self.ctx, user.id, text))]

    async def _command(self, user: User, command: str) -> Reply:
        if command in START_COMMANDS:
            return await self.onboarding.start(user)
        if command in PROFILE_COMMANDS:
            return await self.onboarding.show(user)
        if command in EDIT_COMMANDS:
            return await self.onboarding.edit(user)
        if command in CANCEL_COMMANDS:
            return await self.onboarding.cancel(user)
        blocks = [Block(self.ctx.texts("help"))]
        if self.onboarding.settings.enabled:
            blocks.append(Block(self.ctx.texts("help_commands")))
        return Reply(tuple(blocks))

    async def _press(self, user: User, incoming: Incoming) -> Reply:
        data = incoming.button or ""
        if onboarding.owns(data):
            return await self.onboarding.press(user, incoming)
        support = AskSupport.unpack(data)
        if support is not None:
            return await self._support(user, support.question_id)
        return await ask.press(self.ctx, user.id, data)

    def _with_support_button(self, reply: Reply) -> Reply:
        """An answer card gets a button to ask the support team, when there is a hotline."""
        if not self._contacts():
            return reply
        actions = (callbacks.unpack(b.data) for row in reply.buttons for b in row)
        question_id = next(
            (a.question_id for a in actions if isinstance(a, callbacks.Feedback)), None
        )
        if question_id is None:
            return reply
        button = Button(self.ctx.texts("button_ask_support"), AskSupport(question_id).pack())
        return Reply(reply.blocks, (*reply.buttons, (button,)))

    async def _support(self, user: User, question_id: int) -> Reply:
        texts = self.ctx.texts
        question = await self.ctx.storage.get_question(question_id)
        if question is None or question.user_id != user.id or not self._contacts():
            return Reply.text(texts("button_expired"))
        return Reply(
            (
                Block(texts("support_intro")),
                Block(texts("support_quote", question=question.query), Style.NOTE),
                Block(texts("support_contacts", contacts=self._contacts())),
            )
        )

    def _contacts(self) -> str:
        support, texts = self.ctx.support, self.ctx.texts
        contacts = [
            texts("hotline_phone", phone=support.phone) if support.phone else "",
            texts("hotline_email", email=support.email) if support.email else "",
        ]
        return ", ".join(c for c in contacts if c)


def _command(text: str) -> str | None:
    """`/start`, `/help@SomeBot arg` → the bare command name; plain text → None."""
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.split("@", 1)[0].lower()
