"""The hotline: an official's request becomes a ticket, relayed to a support team's chat,
and the team's answers come back; channel-independent, state in the database only.

`Hotline` is what the dispatcher routes to: the official's side (`official.py`), the
staff's (`staff.py`); `sla.sweep` and `failures.delivery_failed` run outside updates.
"""

from __future__ import annotations

import re

from handlers.context import HandlerContext
from handlers.hotline import buttons, reports
from handlers.hotline.official import OfficialSide
from handlers.hotline.settings import HotlineSettings
from handlers.hotline.staff import StaffSide
from handlers.model import Incoming, Reply, Result
from handlers.onboarding import Onboarding
from handlers.ports import User, ticket_of_ref
from knowledge.normalize import fold

STAFF_ACTIONS = (buttons.Claim, buttons.Close, buttons.HandOver, buttons.MoveTo)


class Hotline:
    def __init__(
        self, ctx: HandlerContext, settings: HotlineSettings, onboarding: Onboarding
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.official = OfficialSide(ctx, settings, onboarding)
        self.staff = StaffSide(ctx, settings, self.official)
        phrases = ctx.texts("hotline_phrase_words").split("|")
        self._asks = re.compile("|".join(re.escape(fold(p)) for p in phrases))

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def asks_for_staff(self, text: str) -> bool:
        """Plain words asking for a person: "cho tôi gặp cán bộ hỗ trợ"."""
        return self.enabled and self._asks.search(fold(text)) is not None

    def in_staff_chat(self, incoming: Incoming) -> bool:
        return self.enabled and incoming.chat.chat in self.settings.staff_chats()

    async def start(
        self, user: User, question: str | None = None, entry_id: str | None = None
    ) -> Reply:
        if not self.enabled:
            return Reply.text(self.ctx.texts("hotline_unavailable"))
        return await self.official.start(user, question, entry_id)

    async def press(self, user: User, incoming: Incoming, action: buttons.Action) -> Result:
        if not self.enabled:
            return [Reply.text(self.ctx.texts("button_expired"))]
        staff_reopen = isinstance(action, buttons.Reopen) and self.in_staff_chat(incoming)
        if isinstance(action, STAFF_ACTIONS) or staff_reopen:
            return await self.staff.press(incoming, action)
        return await self.official.press(user, incoming, action)

    async def official_message(self, user: User, incoming: Incoming) -> Result | None:
        """What an official wrote, when it belongs to a ticket: a reply to one of its
        messages, or anything while they are talking to the team. None otherwise."""
        if not self.enabled:
            return None
        if incoming.reply_to is not None:
            ref = await self.ctx.storage.outbox.ref_of(incoming.chat.chat, incoming.reply_to)
            number = ticket_of_ref(ref)
            ticket = await self.ctx.storage.tickets.get(number) if number is not None else None
            if ticket is not None and ticket.user_id == user.id:
                return await self.official.write(user, incoming, ticket)
        return await self.official.reply_to_text(user, incoming)

    async def staff_message(self, incoming: Incoming) -> Result | None:
        """A group message in a ticket's thread (replying to it, or in its forum topic)."""
        if not self.enabled:
            return None
        ticket = await self.staff.ticket_of(incoming)
        if ticket is None:
            return None
        text = (incoming.text or "").lstrip()
        if text.startswith("/") and not text.lower().startswith("/luu"):
            return None  # another command, written in the thread: the dispatcher's
        return await self.staff.message(incoming, ticket)

    async def cancel(self, user: User) -> Reply | None:
        return await self.official.cancel(user) if self.enabled else None

    async def mine(self, user: User) -> Reply:
        if not self.enabled:
            return Reply.text(self.ctx.texts("hotline_unavailable"))
        return await self.official.mine(user)

    async def staff_command(self, name: str, incoming: Incoming, argument: str) -> Reply:
        """/ds, /xem N, /thongke, and /luu outside a ticket, for staff only."""
        texts = self.ctx.texts
        if not self.enabled:
            return Reply.text(texts("hotline_unavailable"))
        if not self.settings.is_staff(incoming):
            return Reply.text(texts("ticket_staff_only"))
        match name:
            case "ds":
                return await reports.open_tickets(self.ctx)
            case "xem":
                return await reports.history(self.ctx, self.settings, argument)
            case "thongke":
                return await reports.statistics_this_month(self.ctx, self.settings)
        return Reply.text(texts("ticket_how_to_answer"))
