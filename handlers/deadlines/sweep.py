"""The sweep: what has come due, claimed in the delivery ledger, written as digests.

Every minute (and once at start) the scheduler calls `Reminders.sweep(now)` inside one
transaction. It recomputes from the database which (deadline, occurrence, recipient,
kind) rows are due, claims the ones not yet in the ledger (unique, so an overlapping or
repeated sweep claims nothing twice) and writes one outbox row per recipient, keyed by
its first ledger row. Claims and messages commit together: a crash in the middle leaves
neither, and the next sweep does the whole run again.

Kinds: `notice` (a deadline, or a new due time, announced), `remind:<offset>`,
`overdue:<date>` (each morning while overdue), `snooze:<time>` ("Nhắc lại mai") and, for
the supervisors' chat, `report:<date>`.

Downtime: what came due while the bot was down is claimed at the next sweep and marked
late, if still relevant: before the due time, or overdue by at most `overdue_days`.
Several reminders of one occurrence missed together make one item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.context import HandlerContext
from handlers.deadlines.digest import Group, Item, digest
from handlers.deadlines.progress import done_scope, progress
from handlers.deadlines.schedule import (
    morning,
    next_occurrence,
    occurrence_key,
    occurrences,
    reminder_time,
)
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.spec import DeadlineSpec, offset_minutes
from handlers.deadlines.staff_report import report_message
from handlers.deadlines.targeting import reach, targets
from handlers.model import Address, Outgoing, Priority
from handlers.ports import Claim, Official, StoredDeadline
from handlers.workdays import VIETNAM

SUPERVISORS = "supervisors"


@dataclass(frozen=True)
class Due:
    """A kind of reminder due for one occurrence: its ledger kind, time and group."""

    kind: str
    at: datetime
    group: Group


@dataclass(frozen=True)
class Recipient:
    key: str  # "user:<id>" or "team:<name>"
    address: Address
    scope: str  # what their confirmation is recorded under
    user_id: int | None = None
    fallback: Address | None = None  # the person's other app (see `targeting.reach`)


class Reminders:
    def __init__(self, ctx: HandlerContext, settings: ReminderSettings) -> None:
        self.ctx = ctx
        self.settings = settings

    async def sweep(self, now: datetime) -> int:
        """Claim and write what is due at `now`; returns the messages written.

        Call it inside a transaction (the scheduler does), so that claims and messages
        commit together.
        """
        store, settings = self.ctx.storage.deadlines, self.settings
        since = now - timedelta(days=settings.overdue_days + 1)
        since_key = occurrence_key(since)
        claimed = await store.claimed(since_key)
        done = {(c.deadline, c.occurrence, c.scope) for c in await store.confirmations(since_key)}
        snoozes = await store.snoozes(since_key)
        officials = [o for o in await store.officials() if not o.inactive]
        wanted: list[tuple[Claim, Recipient, Item]] = []
        reports: list[tuple[Claim, StoredDeadline, datetime]] = []
        for stored in await store.all():
            horizon = now + timedelta(days=_longest_days(stored.spec.remind) + 1)
            start = max(since, stored.created_at)
            dues = occurrences(stored.spec, start, horizon, settings)
            # The first due time after an announcement is announced however far ahead.
            first = next_occurrence(stored.spec, stored.announced_at, settings)
            if first is not None and first > now and first not in dues:
                dues.append(first)
            for due in dues:
                occurrence = occurrence_key(due)
                base = self._due(stored, due, now, announce=due == first)
                for recipient in self._recipients(stored, officials):
                    if (stored.num, occurrence, recipient.scope) in done:
                        continue
                    snooze = snoozes.get((stored.num, occurrence, recipient.user_id or 0))
                    kinds = base if snooze is None else self._snoozed(base, snooze, due, now)
                    for item_due in kinds:
                        claim = Claim(stored.num, occurrence, recipient.key, item_due.kind,
                                      late=item_due.group is not Group.NEW
                                      and item_due.at < now - settings.late_after)
                        if _row(claim) not in claimed:
                            wanted.append((claim, recipient, Item(stored, due, item_due.group)))
                report = self._report_due(due, now)
                if report and settings.report_chat is not None:
                    claim = Claim(stored.num, occurrence, SUPERVISORS, report)
                    if _row(claim) not in claimed:
                        reports.append((claim, stored, due))
        written = await self._write_digests(wanted, now)
        return written + await self._write_report(reports, officials, now)

    def _recipients(self, stored: StoredDeadline, officials: Sequence[Official]
                    ) -> list[Recipient]:
        spec = stored.spec
        found = [_person(spec, official) for official in targets(spec.audience, officials)]
        for team in spec.audience.teams:
            address = self.settings.teams.get(team)
            if address is not None:
                found.append(Recipient(f"team:{team}", address, f"team:{team}"))
        return found

    def _due(self, stored: StoredDeadline, due: datetime, now: datetime,
             announce: bool) -> list[Due]:
        """The kinds due at `now` for one occurrence."""
        settings, spec = self.settings, stored.spec
        found = []
        if announce and now < due:
            found.append(Due("notice", stored.announced_at, Group.NEW))
        for offset in spec.remind:
            at = reminder_time(due, offset, settings)
            if stored.announced_at < at <= now < due:
                found.append(Due(f"remind:{offset}", at, Group.SOON))
        today = morning(now.astimezone(VIETNAM).date(), settings)
        if due < today <= now <= due + timedelta(days=settings.overdue_days):
            found.append(Due(f"overdue:{today.date().isoformat()}", today, Group.OVERDUE))
        return found

    def _snoozed(self, found: list[Due], snooze: datetime, due: datetime,
                 now: datetime) -> list[Due]:
        """What a person who pressed "Nhắc lại mai" gets: nothing until `snooze`, then
        one reminder at it."""
        settings = self.settings
        kept = [d for d in found if d.group is Group.NEW or d.at >= snooze]
        if snooze <= now <= due + timedelta(days=settings.overdue_days):
            group = Group.OVERDUE if due < now else Group.SOON
            kept.append(Due(f"snooze:{occurrence_key(snooze)}", snooze, group))
        return kept

    def _report_due(self, due: datetime, now: datetime) -> str | None:
        today = morning(now.astimezone(VIETNAM).date(), self.settings)
        if due < today <= now <= due + timedelta(days=self.settings.overdue_days):
            return f"report:{today.date().isoformat()}"
        return None

    async def _write_digests(self, wanted: list[tuple[Claim, Recipient, Item]],
                             now: datetime) -> int:
        ids = await self.ctx.storage.deadlines.claim([claim for claim, _, _ in wanted], now)
        by_recipient: dict[str, list[tuple[int, Claim, Recipient, Item]]] = defaultdict(list)
        for ledger_id, (claim, recipient, item) in zip(ids, wanted, strict=True):
            if ledger_id is not None:
                by_recipient[recipient.key].append((ledger_id, claim, recipient, item))
        for key, rows in by_recipient.items():
            items: dict[tuple[int, datetime], Item] = {}
            for _, _, _, item in rows:
                seen = items.get((item.deadline.num, item.due))
                if seen is None or item.group < seen.group:
                    items[(item.deadline.num, item.due)] = item
            late = any(claim.late for _, claim, _, _ in rows)
            reply = digest(self.ctx.texts, list(items.values()), now, late, self.settings)
            first = min(ledger_id for ledger_id, _, _, _ in rows)
            await self.ctx.outbox.send(Outgoing(
                reply, rows[0][2].address, key=f"reminder:{key}:{first}",
                ref=f"reminder:{first}", priority=Priority.REMINDER,
                fallback=rows[0][2].fallback,
            ))
        return len(by_recipient)

    async def _write_report(self, reports: list[tuple[Claim, StoredDeadline, datetime]],
                            officials: Sequence[Official], now: datetime) -> int:
        if not reports or self.settings.report_chat is None:
            return 0
        store = self.ctx.storage.deadlines
        ids = await store.claim([claim for claim, _, _ in reports], now)
        claimed = [(stored, due) for ledger_id, (_, stored, due) in zip(ids, reports, strict=True)
                   if ledger_id is not None]
        if not claimed:
            return 0
        confirmations = await store.confirmations("")
        lines = []
        for stored, due in claimed:
            units = progress(stored.spec, stored.num, due, officials, confirmations,
                             self.settings.units)
            lines.append((stored, due, units))
        reply = report_message(self.ctx.texts, lines, now, self.settings)
        if reply is None:
            return 0
        first = min(i for i in ids if i is not None)
        await self.ctx.outbox.send(Outgoing(reply, self.settings.report_chat,
                                            key=f"reminder:{SUPERVISORS}:{first}",
                                            priority=Priority.REMINDER))
        return 1


def _person(spec: DeadlineSpec, official: Official) -> Recipient:
    address, fallback = reach(official)
    return Recipient(f"user:{official.user_id}", address, done_scope(spec, official),
                     official.user_id, fallback)


def _row(claim: Claim) -> tuple[int, str, str, str]:
    return (claim.deadline, claim.occurrence, claim.recipient, claim.kind)


def _longest_days(remind: Sequence[str]) -> int:
    """How many days before a due time its earliest reminder comes."""
    days = [amount if unit == "d" else 1 for amount, unit in map(offset_minutes, remind)]
    return max(days, default=0)
