"""What staff do in the support team's chat: /tiendo, /taohan and /thongbao.

/taohan and /thongbao are short exchanges kept in the `conversations` table (a restart
loses no step): the text (and due date), the audience, a preview with the recipient
count, then confirm.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from handlers.button_codec import pack
from handlers.context import HandlerContext
from handlers.deadlines.broadcasts import Broadcasts
from handlers.deadlines.buttons import ChooseAudience, Decide
from handlers.deadlines.progress import current_occurrence, progress
from handlers.deadlines.schedule import end_of_working_day
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.spec import Audience, DeadlineSpec
from handlers.deadlines.staff_report import progress_message
from handlers.deadlines.targeting import targets
from handlers.model import Block, Button, Incoming, Reply
from handlers.ports import Conversation, User
from handlers.workdays import VIETNAM, format_day
from knowledge.normalize import fold

BROADCAST_FLOW = "thongbao"
DEADLINE_FLOW = "taohan"
FLOWS = (BROADCAST_FLOW, DEADLINE_FLOW)
STATE_TTL = timedelta(hours=1)


class StaffDeadlines:
    def __init__(self, ctx: HandlerContext, settings: ReminderSettings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.broadcasts = Broadcasts(ctx)

    def in_staff_chat(self, incoming: Incoming) -> bool:
        staff = self.settings.staff_chat
        return staff is not None and incoming.chat.chat == staff.chat

    async def tiendo(self, argument: str) -> Reply:
        texts, store = self.ctx.texts, self.ctx.storage.deadlines
        if not argument:
            return Reply.text(texts("tiendo_usage"))
        stored = await store.find(argument.split()[0])
        now = self.ctx.clock()
        due = None if stored is None else current_occurrence(stored.spec, now, self.settings)
        if stored is None or due is None:
            return Reply.text(texts("tiendo_unknown", id=argument.split()[0]))
        units = progress(stored.spec, stored.num, due, await store.officials(),
                         await store.confirmations(""), self.settings.units)
        return progress_message(texts, stored, due, units, self.settings)

    async def start(self, user: User, flow: str, argument: str) -> Reply:
        if flow == BROADCAST_FLOW and argument:
            return await self._ask_audience(user, flow, {"text": argument})
        await self._set(user, flow, "text", {})
        return Reply.text(self.ctx.texts(
            "thongbao_ask_text" if flow == BROADCAST_FLOW else "taohan_ask_title"))

    async def cancel(self, user: User) -> Reply | None:
        if await self._conversation(user) is None:
            return None
        await self.ctx.storage.conversations.clear(user.id)
        return Reply.text(self.ctx.texts("staff_flow_cancelled"))

    async def reply_to_text(self, user: User, text: str) -> Reply | None:
        """The next step for typed text, or None when no staff exchange is under way."""
        conversation = await self._conversation(user)
        if conversation is None:
            return None
        data, texts = conversation.data, self.ctx.texts
        if conversation.step == "text" and conversation.flow == DEADLINE_FLOW:
            await self._set(user, DEADLINE_FLOW, "due", {"title": text})
            return Reply.text(texts("taohan_ask_due"))
        if conversation.step == "text":
            return await self._ask_audience(user, BROADCAST_FLOW, {"text": text})
        if conversation.step == "due":
            due = _typed_date(text)
            if due is None or due.date() < self.ctx.clock().astimezone(VIETNAM).date():
                return Reply.text(texts("taohan_bad_due", text=text[:40]))
            return await self._ask_audience(user, DEADLINE_FLOW,
                                            {**data, "due": due.date().isoformat()})
        if conversation.step in ("audience", "preview"):
            wanted = [part.strip() for part in text.split(",") if part.strip()]
            known = {fold(unit): unit for unit in self.settings.units}
            unknown = [name for name in wanted if fold(name) not in known]
            if unknown or not wanted:
                return Reply.text(texts("audience_unknown_units", units=", ".join(unknown)))
            audience = Audience(units=tuple(known[fold(name)] for name in wanted))
            return await self._preview(user, conversation, audience)
        return None

    async def press(self, user: User, action: ChooseAudience | Decide) -> Reply:
        texts = self.ctx.texts
        if isinstance(action, Decide) and not action.confirm:
            return await self.cancel(user) or Reply.text(texts("staff_flow_cancelled"))
        conversation = await self._conversation(user)
        if conversation is None:
            return Reply.text(texts("staff_flow_expired"))
        # The audience may be chosen again from the preview.
        if isinstance(action, ChooseAudience) and conversation.step in ("audience", "preview"):
            positions = self.settings.positions
            if action.index > len(positions):
                return Reply.text(texts("staff_flow_expired"))
            audience = Audience(everyone=True) if action.index == 0 else \
                Audience(positions=(positions[action.index - 1],))
            return await self._preview(user, conversation, audience)
        if isinstance(action, Decide) and conversation.step == "preview":
            await self.ctx.storage.conversations.clear(user.id)
            return await self._confirm(user, conversation)
        return Reply.text(texts("staff_flow_expired"))

    async def _ask_audience(self, user: User, flow: str, data: dict[str, Any]) -> Reply:
        await self._set(user, flow, "audience", data)
        texts = self.ctx.texts
        choices = [texts("audience_everyone"), *self.settings.positions]
        buttons = tuple((Button(label, pack(ChooseAudience(i))),)
                        for i, label in enumerate(choices))
        return Reply((Block(texts("audience_prompt")),), buttons)

    async def _preview(self, user: User, conversation: Conversation,
                       audience: Audience) -> Reply:
        texts = self.ctx.texts
        officials = targets(audience, await self.ctx.storage.deadlines.officials())
        active = [o for o in officials if not o.inactive]
        if not active:
            return Reply.text(texts("thongbao_nobody"))
        data = {**conversation.data, "audience": _audience_record(audience)}
        await self._set(user, conversation.flow, "preview", data)
        described = self._describe(audience)
        if conversation.flow == BROADCAST_FLOW:
            body = texts("thongbao_preview", text=data["text"], audience=described,
                         count=len(active), skipped=len(officials) - len(active))
        else:
            due = end_of_working_day(datetime.fromisoformat(data["due"]).date(), self.settings)
            body = texts("taohan_preview", title=data["title"], due=format_day(due.date()),
                         audience=described, count=len(active))
        buttons = ((Button(texts("button_confirm_send"), pack(Decide(confirm=True))),
                    Button(texts("button_cancel"), pack(Decide(confirm=False)))),)
        return Reply((Block(body),), buttons)

    async def _confirm(self, user: User, conversation: Conversation) -> Reply:
        data = conversation.data
        audience = Audience(**{k: tuple(v) if isinstance(v, list) else v
                               for k, v in data["audience"].items()})
        creator = f"{user.channel}:{user.external_id} {user.display_name}".strip()
        if conversation.flow == BROADCAST_FLOW:
            return await self.broadcasts.send(data["text"], audience, creator)
        now = self.ctx.clock()
        spec = DeadlineSpec(
            id=f"taohan-{now.astimezone(VIETNAM):%Y%m%d-%H%M%S}-{user.id}",
            title=data["title"], due=datetime.fromisoformat(data["due"]).date(),
            source=self.ctx.texts("taohan_source", staff=user.display_name or creator),
            remind=self.settings.remind, audience=audience,
        )
        await self.ctx.storage.deadlines.save([spec], f"chat:{spec.id}", now)
        officials = targets(audience, await self.ctx.storage.deadlines.officials())
        return Reply.text(self.ctx.texts("taohan_created", title=spec.title, id=spec.id,
                                         count=sum(not o.inactive for o in officials)))

    def _describe(self, audience: Audience) -> str:
        texts = self.ctx.texts
        if audience.everyone:
            return texts("audience_everyone")
        if audience.units:
            return texts("audience_units", units=", ".join(audience.units))
        return texts("audience_positions", positions=", ".join(audience.positions))

    async def _conversation(self, user: User) -> Conversation | None:
        conversation = await self.ctx.storage.conversations.get(user.id)
        if conversation is None or conversation.flow not in FLOWS:
            return None
        if self.ctx.clock() - conversation.updated_at > STATE_TTL:
            await self.ctx.storage.conversations.clear(user.id)
            return None
        return conversation

    async def _set(self, user: User, flow: str, step: str, data: dict[str, Any]) -> None:
        await self.ctx.storage.conversations.set(user.id, flow, step, data, self.ctx.clock())


def _audience_record(audience: Audience) -> dict[str, Any]:
    return {"everyone": audience.everyone, "units": list(audience.units),
            "positions": list(audience.positions), "teams": list(audience.teams)}


def _typed_date(text: str) -> datetime | None:
    try:
        return datetime.strptime(re.sub(r"[.-]", "/", text.strip()), "%d/%m/%Y")
    except ValueError:
        return None
