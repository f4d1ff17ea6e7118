"""Who has confirmed a deadline's occurrence: per unit, for /tiendo, the CLI report,
`deadlines list` and the overdue report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.deadlines.schedule import next_occurrence, occurrence_key, occurrences
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.spec import DeadlineSpec
from handlers.deadlines.targeting import fold, targets, units_concerned
from handlers.ports import Confirmation, Official


def unit_scope(unit: str) -> str:
    return f"unit:{fold(unit)}"


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


def done_scope(spec: DeadlineSpec, official: Official) -> str:
    """What one official's confirmation covers: their unit, or only themselves."""
    return unit_scope(official.unit) if spec.done_by == "unit" else user_scope(official.user_id)


def current_occurrence(spec: DeadlineSpec, now: datetime,
                       settings: ReminderSettings) -> datetime | None:
    """The occurrence people work on now: one overdue within `overdue_days`, else the
    next; for a one-off deadline long past, its due time."""
    window = now - timedelta(days=settings.overdue_days)
    past = occurrences(spec, window, now, settings)
    if past:
        return past[-1]
    upcoming = next_occurrence(spec, now, settings)
    if upcoming is not None or spec.recurrence is not None:
        return upcoming
    return next_occurrence(spec, datetime.min.replace(tzinfo=now.tzinfo), settings)


@dataclass(frozen=True)
class UnitProgress:
    unit: str
    people: int
    people_done: int
    done: Confirmation | None  # the unit's own confirmation (done_by = "unit")

    @property
    def complete(self) -> bool:
        return self.done is not None or (self.people > 0 and self.people_done == self.people)


def progress(spec: DeadlineSpec, num: int, occurrence: datetime,
             officials: Sequence[Official], confirmations: Sequence[Confirmation],
             configured_units: Sequence[str]) -> list[UnitProgress]:
    key = occurrence_key(occurrence)
    done = {c.scope: c for c in confirmations if c.deadline == num and c.occurrence == key}
    concerned = targets(spec.audience, officials)
    rows = []
    for unit in units_concerned(spec.audience, officials, configured_units):
        people = [o for o in concerned if fold(o.unit) == fold(unit)]
        people_done = sum(user_scope(o.user_id) in done for o in people)
        unit_done = done.get(unit_scope(unit)) if spec.done_by == "unit" else None
        rows.append(UnitProgress(unit, len(people), people_done, unit_done))
    return rows
