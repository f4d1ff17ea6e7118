"""Routes one `Incoming` to the handler for it and returns what to send.

This is the single entry point the update pipeline calls, inside the transaction that
also stores the outgoing messages and marks the update handled. Errors propagate: the
pipeline rolls the whole update back and sends a polite message instead.
"""

from __future__ import annotations

from handlers import ask, commands, linking, onboarding
from handlers.commands import Audience, Command
from handlers.context import HandlerContext
from handlers.model import Block, Incoming, Outgoing, Reply
from handlers.onboarding import Onboarding, OnboardingSettings
from handlers.ports import User

Result = list[Reply | Outgoing]
"""Replies go to the chat that wrote; an `Outgoing` names its own address."""


class Dispatcher:
    def __init__(self, ctx: HandlerContext, onboarding: Onboarding | None = None) -> None:
        self.ctx = ctx
        self.onboarding = onboarding or Onboarding(ctx, OnboardingSettings())

    def menu(self) -> list[tuple[str, str]]:
        """The officials' commands for a chat app's menu, with their descriptions."""
        return [
            (command.name, self.ctx.texts(command.description_key))
            for command in commands.listed(Audience.OFFICIALS, self.onboarding.settings.enabled)
        ]

    async def handle(self, incoming: Incoming) -> Result:
        texts = self.ctx.texts
        sender = incoming.sender
        user = await self.ctx.storage.users.upsert(
            sender.channel, sender.id, sender.name, self.ctx.clock()
        )
        if incoming.button is not None:
            return [await self._press(user, incoming)]
        if incoming.text is None:
            return [Reply.text(texts("attachment_unsupported"))]
        replies = await self._text(user, incoming, _valid_text(incoming.text).strip())
        if incoming.attachments:  # a photo or file with a caption
            replies.insert(0, Reply.text(texts("attachment_caption_only")))
        return replies

    async def _text(self, user: User, incoming: Incoming, text: str) -> Result:
        name = _command(text)
        if name is not None and commands.find(name) is commands.LINK:
            argument = text.split(maxsplit=1)[1] if " " in text else ""
            return await linking.link(self.ctx, user, incoming, argument)
        if name is not None:
            return [await self._command(user, name, incoming)]
        step = await self.onboarding.reply_to_text(user, text)
        if step is not None:
            return [step]
        return [await ask.answer_question(self.ctx, user.id, text)]

    async def _command(self, user: User, name: str, incoming: Incoming) -> Reply:
        command = commands.find(name)
        if command is commands.START:
            return await self.onboarding.start(user)
        if command is commands.PROFILE:
            return await self.onboarding.show(user)
        if command is commands.EDIT_PROFILE:
            return await self.onboarding.edit(user)
        if command is commands.CANCEL:
            return await self.onboarding.cancel(user)
        if command is commands.PENDING:
            return await self.onboarding.list_pending(incoming)
        return self._help(command, name)

    def _help(self, command: Command | None, name: str) -> Reply:
        """What the bot can do; an unknown command is named, not silently ignored."""
        texts = self.ctx.texts
        blocks = [] if command else [Block(texts("unknown_command", command=f"/{name}"))]
        blocks.append(Block(texts("help")))
        listed = commands.listed(Audience.OFFICIALS, self.onboarding.settings.enabled)
        lines = [f"/{c.name} — {texts(c.description_key)}" for c in listed]
        blocks.append(Block(texts("help_commands", commands="\n".join(lines))))
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
