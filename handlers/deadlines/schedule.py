"""When a deadline falls due (its occurrences) and when each reminder is due, in Vietnam time.

- A due date means the end of that working day (`day_ends_at`); a date that is a day off
  moves to the next working day (Civil Code 2015, art. 148(5): a period whose last day
  is a day off ends on the next working day). A date-time is kept as written.
- `monthly:D`: day D of every month, the month's last day when it is shorter (monthly:31
  is every month's end, 28 or 29 February). `quarterly:D`: day D of each quarter's last
  month (March, June, September, December). `yearly:MM-DD`: once a year (02-29 is
  28 February in other years). These move off days off like a due date.
  `cron:…`: five crontab fields, fired exactly, without moving.
- An occurrence is named by its local due time (`2026-03-31T17:00`), so a deadline whose
  due changes has a new occurrence and is announced and reminded again.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.spec import RECURRENCE, DeadlineSpec, offset_minutes
from handlers.workdays import VIETNAM, WorkCalendar

OCCURRENCE_FORMAT = "%Y-%m-%dT%H:%M"


def occurrence_key(due: datetime) -> str:
    return due.astimezone(VIETNAM).strftime(OCCURRENCE_FORMAT)


def end_of_working_day(day: date, settings: ReminderSettings) -> datetime:
    """`day`'s end of office, moved to the next working day when `day` is a day off."""
    working = day if settings.calendar.is_working_day(day) else \
        settings.calendar.next_working_day(day)
    return datetime.combine(working, settings.day_ends_at, tzinfo=VIETNAM)


def occurrences(spec: DeadlineSpec, start: datetime, end: datetime,
                settings: ReminderSettings) -> list[datetime]:
    """The due times of `spec` after `start` and up to `end`, in order."""
    if spec.recurrence is None:
        due = _single_due(spec, settings)
        return [due] if start < due <= end else []
    found = []
    for due in _recurring(spec.recurrence, start, settings):
        if due > end:
            break
        if due > start:
            found.append(due)
    return found


def next_occurrence(spec: DeadlineSpec, after: datetime,
                    settings: ReminderSettings) -> datetime | None:
    """The first due time after `after`, if any."""
    if spec.recurrence is None:
        due = _single_due(spec, settings)
        return due if due > after else None
    return next(iter(d for d in _recurring(spec.recurrence, after, settings) if d > after), None)


def _single_due(spec: DeadlineSpec, settings: ReminderSettings) -> datetime:
    if isinstance(spec.due, datetime):
        return spec.due.replace(tzinfo=VIETNAM)
    assert spec.due is not None
    return end_of_working_day(spec.due, settings)


def _recurring(recurrence: str, start: datetime, settings: ReminderSettings
               ) -> Iterator[datetime]:
    """Due times from around `start` on (a few before it may come first)."""
    match = RECURRENCE.match(recurrence)
    assert match is not None, "checked on import"
    if match["cron"]:
        trigger = CronTrigger.from_crontab(match["cron"], timezone=VIETNAM)
        previous = None
        moment = start.astimezone(VIETNAM)
        while True:
            fire = trigger.get_next_fire_time(previous, moment)
            if fire is None:
                return
            yield fire
            previous, moment = fire, fire + timedelta(seconds=1)
    # Start a month early: a date moved off a day off may land after `start`.
    year, month = start.astimezone(VIETNAM).year, start.astimezone(VIETNAM).month - 1
    while True:
        if month == 0:
            year, month = year - 1, 12
        day = _day_in(match, year, month)
        if day is not None:
            yield end_of_working_day(day, settings)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _day_in(match: object, year: int, month: int) -> date | None:
    groups = match.groupdict()  # type: ignore[attr-defined]
    last = calendar.monthrange(year, month)[1]
    if groups["month_day"]:
        return date(year, month, min(int(groups["month_day"]), last))
    if groups["quarter_day"]:
        return date(year, month, min(int(groups["quarter_day"]), last)) if month % 3 == 0 \
            else None
    if int(groups["month"]) == month:
        return date(year, month, min(int(groups["day"]), last))
    return None


def reminder_time(due: datetime, offset: str, settings: ReminderSettings) -> datetime:
    """When the `offset` reminder of an occurrence due at `due` is due.

    Day offsets ride the morning digest of that day (`send_at`), never after the due
    time itself; hour and minute offsets are counted back from the due time.
    """
    amount, unit = offset_minutes(offset)
    if unit == "d":
        day = due.astimezone(VIETNAM).date() - timedelta(days=amount)
        return min(datetime.combine(day, settings.send_at, tzinfo=VIETNAM), due)
    return due - timedelta(hours=amount) if unit == "h" else due - timedelta(minutes=amount)


def morning(day: date, settings: ReminderSettings) -> datetime:
    """The morning digest's time on `day`."""
    return datetime.combine(day, settings.send_at, tzinfo=VIETNAM)


def working_days_left(today: date, due: datetime, work: WorkCalendar) -> int:
    """Working days from `today` to the due date (0 on it, negative once past)."""
    return work.working_days_between(today, due.astimezone(VIETNAM).date())
