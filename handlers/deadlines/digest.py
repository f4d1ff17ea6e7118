"""The reminder messages: one digest per person and sweep, grouped overdue first, then
due soon, then new, oldest due first, with the buttons of each item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from functools import lru_cache

from handlers.button_codec import pack
from handlers.deadlines.buttons import DeadlineAct, OnDeadline
from handlers.deadlines.schedule import working_days_left
from handlers.deadlines.settings import ReminderSettings
from handlers.model import Block, Button, Reply, Style
from handlers.ports import StoredDeadline
from handlers.texts import Texts
from handlers.workdays import VIETNAM, WorkCalendar, format_day


class Group(IntEnum):
    """A digest's sections, in the order shown."""

    OVERDUE = 0
    SOON = 1
    NEW = 2


BUTTON_TEXTS = ((DeadlineAct.DONE, "button_deadline_done"),
                (DeadlineAct.DETAILS, "button_deadline_details"),
                (DeadlineAct.SNOOZE, "button_deadline_snooze"))
GROUP_TEXTS = {Group.OVERDUE: "deadline_group_overdue", Group.SOON: "deadline_group_soon",
               Group.NEW: "deadline_group_new"}


@dataclass(frozen=True)
class Item:
    deadline: StoredDeadline
    due: datetime
    group: Group


def due_phrase(texts: Texts, due: datetime, settings: ReminderSettings) -> str:
    """ "thứ Ba 31/03/2026" (the end of the working day) or with its time when it has one."""
    local = due.astimezone(VIETNAM)
    if local.time() == settings.day_ends_at:
        return format_day(local.date())
    return texts("deadline_due_at", day=format_day(local.date()), time=f"{local:%H:%M}")


@lru_cache(maxsize=4096)
def _days_left(today: date, due: datetime, calendar: WorkCalendar) -> int:
    """Cached: a sweep asks the same few questions for thousands of recipients."""
    return working_days_left(today, due, calendar)


def left_phrase(texts: Texts, today: date, due: datetime, settings: ReminderSettings) -> str:
    left = _days_left(today, due, settings.calendar)
    if due.astimezone(VIETNAM).date() == today:
        return texts("deadline_left_today")
    if left < 0 or due.astimezone(VIETNAM).date() < today:
        return texts("deadline_overdue_by", days=max(-left, 1))
    return texts("deadline_left", days=left)


def item_buttons(texts: Texts, items: Sequence[Item]) -> tuple[tuple[Button, ...], ...]:
    """Done, details and snooze for each item, numbered when there are several."""
    rows = []
    for number, item in enumerate(items, 1):
        suffix = f" ({number})" if len(items) > 1 else ""
        rows.append(tuple(Button(texts(label) + suffix, data)
                          for (_, label), data in zip(BUTTON_TEXTS, _data(item), strict=True)))
    return tuple(rows)


def _data(item: Item) -> tuple[str, ...]:
    return _packed(item.deadline.num, item.due)


@lru_cache(maxsize=4096)
def _packed(num: int, due: datetime) -> tuple[str, ...]:
    return tuple(pack(OnDeadline(act, num, due)) for act, _ in BUTTON_TEXTS)


def ordered(items: Sequence[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.group, i.due, i.deadline.spec.title))


def item_blocks(texts: Texts, items: Sequence[Item], today: date,
                settings: ReminderSettings, headings: bool = True) -> list[Block]:
    """The items under their group headings, numbered in the order of `items`."""
    blocks: list[Block] = []
    group = None
    for number, item in enumerate(items, 1):
        if headings and item.group is not group:
            group = item.group
            blocks.append(Block(texts(GROUP_TEXTS[group]), Style.HEADING))
        blocks.append(Block(texts(
            "deadline_item", number=number, title=item.deadline.spec.title,
            due=due_phrase(texts, item.due, settings),
            left=left_phrase(texts, today, item.due, settings),
        )))
    return blocks


def digest(texts: Texts, items: Sequence[Item], now: datetime, late: bool,
           settings: ReminderSettings) -> Reply:
    items = ordered(items)
    today = now.astimezone(VIETNAM).date()
    only_new = all(item.group is Group.NEW for item in items)
    title = texts("deadline_notice_title") if only_new else \
        texts("deadline_digest_title", day=format_day(today))
    blocks = [Block(title, Style.TITLE)]
    if late:
        blocks.append(Block(texts("deadline_late"), Style.NOTE))
    blocks += item_blocks(texts, items, today, settings, headings=not only_new)
    return Reply(tuple(blocks), item_buttons(texts, items))
