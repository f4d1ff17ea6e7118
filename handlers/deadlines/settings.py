"""The `[reminders]` settings as handlers see them (built from config in `bot/app.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta

from handlers.model import Address
from handlers.workdays import WorkCalendar

DEFAULT_REMIND = ("7d", "3d", "1d", "0d")


@dataclass(frozen=True)
class ReminderSettings:
    send_at: time = time(7, 30)  # the morning digest
    day_ends_at: time = time(17, 0)  # a due date means the end of that working day
    remind: tuple[str, ...] = DEFAULT_REMIND
    # Overdue deadlines are reminded (and missed reminders still sent) this many days after.
    overdue_days: int = 7
    # A reminder sent this long after its time is marked late (the bot was down).
    late_after: timedelta = timedelta(minutes=15)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    staff_chat: Address | None = None
    supervisors_chat: Address | None = None  # the overdue report; None: the staff chat
    units: tuple[str, ...] = ()  # the registered communes and wards
    positions: tuple[str, ...] = ()
    teams: Mapping[str, Address] = field(default_factory=dict)  # hotline teams' chats

    @property
    def report_chat(self) -> Address | None:
        return self.supervisors_chat or self.staff_chat
