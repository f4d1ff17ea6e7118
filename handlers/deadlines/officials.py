"""What officials do with deadlines: /viec, /hantra and the reminder buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.context import HandlerContext
from handlers.deadlines.buttons import DeadlineAct, OnDeadline
from handlers.deadlines.digest import (
    Group,
    Item,
    due_phrase,
    item_blocks,
    item_buttons,
    left_phrase,
    ordered,
)
from handlers.deadlines.progress import current_occurrence, done_scope
from handlers.deadlines.schedule import morning, occurrence_key, occurrences
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.targeting import concerns
from handlers.model import Address, Block, Reply
from handlers.ports import Official, StoredDeadline
from handlers.workdays import VIETNAM, format_day, hantra_phrase, parse_hantra

VIEC_SHOWN = 10


class OfficialDeadlines:
    def __init__(self, ctx: HandlerContext, settings: ReminderSettings) -> None:
        self.ctx = ctx
        self.settings = settings

    async def open_items(self, official: Official, now: datetime) -> list[Item]:
        """The official's deadlines not confirmed yet, in the order of a digest."""
        store = self.ctx.storage.deadlines
        done = {(c.deadline, c.occurrence, c.scope) for c in await store.confirmations("")}
        items = []
        for stored in await store.all():
            if not concerns(stored.spec.audience, official):
                continue
            due = current_occurrence(stored.spec, now, self.settings)
            if due is None or due < now - timedelta(days=self.settings.overdue_days):
                continue
            if (stored.num, occurrence_key(due), done_scope(stored.spec, official)) in done:
                continue
            items.append(Item(stored, due, Group.OVERDUE if due < now else Group.SOON))
        return ordered(items)

    async def viec(self, user_id: int) -> Reply:
        texts = self.ctx.texts
        official = await self.ctx.storage.deadlines.official(user_id)
        if official is None:
            return Reply.text(texts("deadline_needs_profile"))
        now = self.ctx.clock()
        items = (await self.open_items(official, now))[:VIEC_SHOWN]
        if not items:
            return Reply.text(texts("viec_none"))
        blocks = [Block(texts("viec_header", count=len(items)))]
        blocks += item_blocks(texts, items, now.astimezone(VIETNAM).date(), self.settings)
        return Reply(tuple(blocks), item_buttons(texts, items))

    def hantra(self, argument: str) -> Reply:
        today = self.ctx.clock().astimezone(VIETNAM).date()
        try:
            days, start = parse_hantra(argument, today)
        except ValueError as err:
            return Reply.text(str(err))
        return Reply.text(hantra_phrase(self.settings.calendar, days, start))

    async def press(self, user_id: int, action: OnDeadline, chat: Address) -> Reply:
        """A reminder's button, pressed by an official in their chat or by anyone in a
        team chat the deadline names (the team's confirmation counts for the team)."""
        texts, store = self.ctx.texts, self.ctx.storage.deadlines
        official = await store.official(user_id)
        stored = await store.get(action.deadline)
        team = None if stored is None else self._team(stored, chat)
        if stored is None or not self._is_occurrence(stored, action.due) or (
            team is None and (official is None or not concerns(stored.spec.audience, official))
        ):
            return Reply.text(texts("deadline_not_yours"))
        now, title = self.ctx.clock(), stored.spec.title
        occurrence = occurrence_key(action.due)
        if action.act is DeadlineAct.DETAILS:
            return self._details(stored, action.due, now)
        if team is not None:
            if action.act is DeadlineAct.SNOOZE:
                return Reply.text(texts("deadline_snooze_private"))
            if not await store.confirm(stored.num, occurrence, f"team:{team}", user_id, now):
                return Reply.text(texts("deadline_done_already", title=title))
            return Reply.text(texts("deadline_done_unit", unit=team, title=title))
        assert official is not None
        if action.act is DeadlineAct.SNOOZE:
            until = morning(now.astimezone(VIETNAM).date() + timedelta(days=1), self.settings)
            await store.snooze(stored.num, occurrence, user_id, until)
            return Reply.text(texts("deadline_snoozed", title=title,
                                    day=format_day(until.date())))
        scope = done_scope(stored.spec, official)
        if not await store.confirm(stored.num, occurrence, scope, user_id, now):
            return Reply.text(texts("deadline_done_already", title=title))
        if stored.spec.done_by == "unit":
            return Reply.text(texts("deadline_done_unit", unit=official.unit, title=title))
        return Reply.text(texts("deadline_done_person", title=title))

    def _team(self, stored: StoredDeadline, chat: Address) -> str | None:
        teams = self.settings.teams
        return next((name for name in stored.spec.audience.teams
                     if name in teams and teams[name].chat == chat.chat), None)

    def _is_occurrence(self, stored: StoredDeadline, due: datetime) -> bool:
        """True when `due` is a due time of the deadline as it is now (not an edited one)."""
        minute = timedelta(minutes=1)
        return occurrences(stored.spec, due - minute, due + minute, self.settings) == [due]

    def _details(self, stored: StoredDeadline, due: datetime, now: datetime) -> Reply:
        texts, spec = self.ctx.texts, stored.spec
        dash = "—"
        return Reply.text(texts(
            "deadline_details", title=spec.title, due=due_phrase(texts, due, self.settings),
            left=left_phrase(texts, now.astimezone(VIETNAM).date(), due, self.settings),
            assignee=spec.assignee or dash, source=spec.source or dash,
            details=spec.details,
        ).strip())
