"""Routes one `Incoming` to the handler for it and returns what to send.

This is the single entry point the update pipeline calls, inside the transaction that
also stores the outgoing messages and marks the update handled. Errors propagate: the
pipeline rolls the whole update back and sends a polite message instead.
"""

from __future__ import annotations

from dataclasses import replace

from handlers import ask, callbacks, commands, linking, onboarding
from handlers.button_codec import ButtonCodec
from handlers.commands import Audience, Command, Feature
from handlers.context import HandlerContext
from handlers.deadlines import buttons as deadline_buttons
from handlers.deadlines.router import COMMANDS as DEADLINE_COMMANDS
from handlers.deadlines.router import DeadlineHandlers
from handlers.deadlines.settings import ReminderSettings
from handlers.hotline import Hotline, buttons
from handlers.hotline.settings import HotlineSettings
from handlers.model import Block, ChatKind, Incoming, Reply, Result
from handlers.onboarding import KINDS as ONBOARDING_BUTTONS
from handlers.onboarding import Onboarding, OnboardingSettings
from handlers.ports import User


class Dispatcher:
    def __init__(
        self,
        ctx: HandlerContext,
        onboarding: Onboarding | None = None,
        hotline: HotlineSettings | None = None,
        deadlines: DeadlineHandlers | None = None,
        *,
        two_apps: bool = False,
    ) -> None:
        self.ctx = ctx
        self.two_apps = two_apps  # Telegram and Zalo both served: /lienket links accounts
        self.onboarding = onboarding or Onboarding(ctx, OnboardingSettings())
        self.hotline = Hotline(ctx, hotline or HotlineSettings(), self.onboarding)
        self.deadlines = deadlines or DeadlineHandlers(ctx, ReminderSettings())
        # Every feature's buttons, read by one codec that refuses two with one code.
        self.buttons = ButtonCodec([*callbacks.KINDS, *buttons.KINDS, *deadline_buttons.KINDS,
                                    *ONBOARDING_BUTTONS])

    @property
    def features(self) -> set[Feature]:
        switched = {Feature.REGISTRATION: self.onboarding.settings.enabled,
                    Feature.HOTLINE: self.hotline.enabled, Feature.LINKING: self.two_apps}
        return {feature for feature, on in switched.items() if on}

    def menu(self) -> list[tuple[str, str]]:
        """The officials' commands for a chat app's menu, with their descriptions."""
        return [
            (command.name, self.ctx.texts(command.description_key))
            for command in commands.listed(Audience.OFFICIALS, self.features)
        ]

    def prepare(self, incoming: Incoming) -> None:
        """Work that needs no database, for the pipeline to do before the update takes
        its turn on it, so that other updates' database work goes on meanwhile: the
        search of what looks like a question. The searcher remembers recent questions
        (`knowledge.recent`), so `handle` asking it again costs nothing."""
        if incoming.chat_kind is ChatKind.PRIVATE and incoming.text and not incoming.button:
            text = _valid_text(incoming.text).strip()
            if text and _command(text) is None:
                self.ctx.index.search(text)

    async def handle(self, incoming: Incoming) -> Result:
        texts = self.ctx.texts
        sender = incoming.sender
        user = await self.ctx.storage.users.upsert(
            sender.channel, sender.id, sender.name, self.ctx.clock()
        )
        if incoming.text is not None:
            incoming = replace(incoming, text=_valid_text(incoming.text))
        if incoming.button is not None:
            return await self._press(user, incoming)
        if incoming.chat_kind is ChatKind.GROUP:
            in_ticket = await self.hotline.staff_message(incoming)
            if in_ticket is not None:
                return in_ticket
            if not incoming.addressed:
                return []
        text = incoming.text.strip() if incoming.text is not None else None
        name = _command(text) if text else None
        if name is not None and commands.find(name) is commands.LINK and self.two_apps:
            return await linking.link(self.ctx, user, incoming, _argument(text or ""))
        if name is not None:
            return [await self._command(user, name, incoming, text or "")]
        if text:  # a step of /taohan or /thongbao in the staff chat
            step = await self.deadlines.reply_to_text(user, incoming, text)
            if step is not None:
                return [step]
        if self.hotline.in_staff_chat(incoming):
            return []  # staff talking among themselves
        if incoming.chat_kind is ChatKind.PRIVATE:
            joined = await self.hotline.official_message(user, incoming)
            if joined is not None:
                return joined
        if not text:
            return [Reply.text(texts("attachment_unsupported"))]
        replies = await self._text(user, text)
        if incoming.attachments:  # a photo or file with a caption
            replies.insert(0, Reply.text(texts("attachment_caption_only")))
        return replies

    async def _text(self, user: User, text: str) -> Result:
        step = await self.onboarding.reply_to_text(user, text)
        if step is not None:
            return [step]
        if self.hotline.asks_for_staff(text):
            return [await self.hotline.start(user)]
        return [await ask.answer_question(self.ctx, user.id, text)]

    async def _command(self, user: User, name: str, incoming: Incoming, text: str) -> Reply:
        command = commands.find(name)
        argument = _argument(text)
        if command in DEADLINE_COMMANDS:
            assert command is not None
            return await self.deadlines.command(user, command, incoming, argument)
        if command is commands.START:
            return await self.onboarding.start(user)
        if command is commands.PROFILE:
            return await self.onboarding.show(user)
        if command is commands.EDIT_PROFILE:
            return await self.onboarding.edit(user)
        if command is commands.CANCEL:
            return (await self.deadlines.cancel(user) or await self.hotline.cancel(user)
                    or await self.onboarding.cancel(user))
        if command is commands.PENDING:
            return await self.onboarding.list_pending(incoming)
        if command is commands.ASK_SUPPORT:
            return await self.hotline.start(user)
        if command is commands.MY_TICKETS:
            return await self.hotline.mine(user)
        if command is not None and command.audience is Audience.STAFF:
            return await self.hotline.staff_command(command.name, incoming, argument)
        return self._help(command, name)

    def _help(self, command: Command | None, name: str) -> Reply:
        """What the bot can do; an unknown command is named, not silently ignored."""
        texts = self.ctx.texts
        blocks = [] if command else [Block(texts("unknown_command", command=f"/{name}"))]
        blocks.append(Block(texts("help")))
        listed = commands.listed(Audience.OFFICIALS, self.features)
        lines = [f"/{c.name} — {texts(c.description_key)}" for c in listed]
        blocks.append(Block(texts("help_commands", commands="\n".join(lines))))
        return Reply(tuple(blocks))

    async def _press(self, user: User, incoming: Incoming) -> Result:
        action = self.buttons.unpack(incoming.button or "")
        if isinstance(action, onboarding.Action):
            return [await self.onboarding.press(user, incoming, action)]
        if isinstance(action, buttons.Action):
            return await self.hotline.press(user, incoming, action)
        if isinstance(action, deadline_buttons.Action):
            return [await self.deadlines.press(user, incoming, action)]
        if not isinstance(action, callbacks.Action):
            return [Reply.text(self.ctx.texts("button_expired"))]
        question = await ask.asked_for_support(self.ctx, user.id, action)
        if question is not None:
            return [await self.hotline.start(user, question.query, question.answer_id)]
        return [await ask.press(self.ctx, user.id, action)]


def _valid_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes from a terminal, broken escapes in a
    chat app's JSON) replaced, so that it can be stored and shown."""
    return text.encode("utf-8", errors="replace").decode("utf-8")


def _argument(text: str) -> str:
    """What follows a command: `/xem 12` → "12"."""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _command(text: str) -> str | None:
    """`/start`, `/help@SomeBot arg` → the bare command name; plain text → None."""
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.split("@", 1)[0].lower()
