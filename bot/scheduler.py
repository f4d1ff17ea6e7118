"""The reminder sweep's trigger. APScheduler only triggers: a sweep at start and every
minute, on the service's scheduler (which also runs the hotline's response-time watch).

What is due is decided by the sweep from the database (`handlers.deadlines.sweep`), never
by scheduled jobs, so a restart, a clock jump or a missed minute changes nothing: the
next sweep finds what is due and the ledger keeps it from going out twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler

from bot.storage import Storage
from handlers.deadlines.sweep import Reminders

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


class ReminderScheduler:
    def __init__(self, storage: Storage, reminders: Reminders,
                 clock: Callable[[], datetime], wake: Callable[[], None]) -> None:
        self._storage = storage
        self._reminders = reminders
        self._clock = clock
        self._wake = wake

    async def sweep(self, now: datetime) -> int:
        """One sweep at `now`, in one transaction: claims and messages commit together."""
        async with self._storage.transaction():
            written = await self._reminders.sweep(now)
        if written:
            log.info("reminders: %d messages written", written)
            self._wake()
        return written

    async def _tick(self) -> None:
        try:
            await self.sweep(self._clock())
        except Exception:
            log.exception("reminder sweep failed; the next one tries again")

    def schedule(self, scheduler: BaseScheduler) -> None:
        """A sweep at once, then every minute, on the service's scheduler."""
        scheduler.add_job(self._tick, "interval", seconds=SWEEP_SECONDS, id="reminders",
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
                          misfire_grace_time=None)
