"""What staff read: the overdue report for the supervisors' chat and /tiendo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.deadlines.digest import due_phrase
from handlers.deadlines.progress import UnitProgress
from handlers.deadlines.settings import ReminderSettings
from handlers.model import Block, Reply, Style
from handlers.ports import StoredDeadline
from handlers.texts import Texts
from handlers.workdays import VIETNAM, format_day


def report_message(texts: Texts,
                   lines: Sequence[tuple[StoredDeadline, datetime, Sequence[UnitProgress]]],
                   now: datetime, settings: ReminderSettings) -> Reply | None:
    """Per overdue deadline, the units that have not confirmed; None when all have."""
    blocks = [Block(texts("report_title", day=format_day(now.astimezone(VIETNAM).date())),
                    Style.TITLE)]
    for stored, due, units in sorted(lines, key=lambda line: line[1]):
        missing = [u for u in units if not u.complete]
        if not missing:
            continue
        names = ", ".join(_unit_name(texts, stored, u) for u in missing)
        blocks.append(Block(texts("report_item", title=stored.spec.title,
                                  due=due_phrase(texts, due, settings), missing=len(missing),
                                  total=len(units), units=names)))
    return Reply(tuple(blocks)) if len(blocks) > 1 else None


def progress_message(texts: Texts, stored: StoredDeadline, due: datetime,
                     units: Sequence[UnitProgress], settings: ReminderSettings) -> Reply:
    """/tiendo: completion per unit, the units still missing first."""
    done = sum(u.complete for u in units)
    blocks = [Block(texts("tiendo_header", title=stored.spec.title,
                          due=due_phrase(texts, due, settings), done=done, total=len(units)),
                    Style.TITLE)]
    for unit in sorted(units, key=lambda u: u.complete):
        if stored.spec.done_by == "person":
            mark = "✅" if unit.complete else "⏳"
            line = texts("tiendo_person", mark=mark, unit=unit.unit, done=unit.people_done,
                         people=unit.people)
        elif unit.done is not None:
            when = unit.done.done_at.astimezone(VIETNAM)
            line = texts("tiendo_done", unit=unit.unit, when=f"{when:%H:%M %d/%m/%Y}")
        else:
            line = texts("tiendo_missing", unit=unit.unit)
        blocks.append(Block(line))
    return Reply(tuple(blocks))


def _unit_name(texts: Texts, stored: StoredDeadline, unit: UnitProgress) -> str:
    if stored.spec.done_by == "person":
        return texts("report_person_unit", unit=unit.unit, done=unit.people_done,
                     people=unit.people)
    return unit.unit
