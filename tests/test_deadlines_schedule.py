"""Occurrences and recurrence in Vietnam time: month ends, February, days off; reminder
offsets; who a deadline concerns; /hantra around Tết and National Day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from handlers.deadlines.schedule import occurrences, reminder_time
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.spec import Audience, DeadlineSpec
from handlers.deadlines.targeting import concerns
from handlers.ports import Official
from handlers.workdays import WorkCalendar
from tests.deadline_helpers import world
from tests.factories import VN

SETTINGS = ReminderSettings()


def dues(recurrence: str, start: date, end: date,
         settings: ReminderSettings = SETTINGS) -> list[str]:
    spec = DeadlineSpec("r", "Báo cáo", recurrence=recurrence)
    found = occurrences(spec, datetime.combine(start, datetime.min.time(), VN),
                        datetime.combine(end, datetime.min.time(), VN), settings)
    return [f"{d:%a %d/%m/%Y %H:%M}" for d in found]


def test_monthly_31_is_every_months_end_and_february_has_28_or_29_days() -> None:
    assert dues("monthly:31", date(2027, 10, 1), date(2028, 4, 1)) == [
        "Mon 01/11/2027 17:00",  # 31/10/2027 is a Sunday: the next working day
        "Tue 30/11/2027 17:00",
        "Fri 31/12/2027 17:00",
        "Mon 31/01/2028 17:00",
        "Tue 29/02/2028 17:00",  # a leap year
        "Fri 31/03/2028 17:00",
    ]
    # 28/02/2026 is a Saturday.
    assert dues("monthly:30", date(2026, 2, 1), date(2026, 3, 3)) == ["Mon 02/03/2026 17:00"]


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 2/9/2026: National Day (31/8–2/9 off); Tết 2027: 4–10 February off.
    assert dues("yearly:09-01", date(2026, 8, 1), date(2026, 10, 1)) == [
        "Thu 03/09/2026 17:00"]
    assert dues("monthly:5", date(2027, 2, 1), date(2027, 3, 1)) == ["Thu 11/02/2027 17:00"]
    spec = DeadlineSpec("d", "Đề án", due=date(2026, 2, 17))
    start, end = datetime(2026, 1, 1, tzinfo=VN), datetime(2026, 12, 1, tzinfo=VN)
    assert occurrences(spec, start, end, SETTINGS) == [datetime(2026, 2, 23, 17, tzinfo=VN)]
    province = ReminderSettings(calendar=WorkCalendar(extra_days_off=[date(2026, 9, 3)]))
    assert dues("yearly:09-01", date(2026, 8, 1), date(2026, 10, 1), province) == [
        "Fri 04/09/2026 17:00"]


def test_quarterly_yearly_and_cron_recurrences() -> None:
    assert dues("quarterly:15", date(2026, 1, 1), date(2027, 1, 1)) == [
        "Mon 16/03/2026 17:00", "Mon 15/06/2026 17:00", "Tue 15/09/2026 17:00",
        "Tue 15/12/2026 17:00"]
    assert dues("yearly:02-29", date(2027, 1, 1), date(2029, 1, 1)) == [
        "Mon 01/03/2027 17:00", "Tue 29/02/2028 17:00"]  # 28/02/2027 is a Sunday
    assert dues("cron:0 8 1 * *", date(2026, 12, 15), date(2027, 2, 15)) == [
        "Fri 01/01/2027 08:00", "Mon 01/02/2027 08:00"]  # exact, not moved


def test_reminder_offsets_ride_the_morning_digest_or_count_back_from_the_due_time() -> None:
    due = datetime(2026, 3, 31, 10, 0, tzinfo=VN)
    assert reminder_time(due, "7d", SETTINGS) == datetime(2026, 3, 24, 7, 30, tzinfo=VN)
    assert reminder_time(due, "0d", SETTINGS) == datetime(2026, 3, 31, 7, 30, tzinfo=VN)
    assert reminder_time(due, "2h", SETTINGS) == datetime(2026, 3, 31, 8, 0, tzinfo=VN)
    assert reminder_time(due, "30m", SETTINGS) == datetime(2026, 3, 31, 9, 30, tzinfo=VN)
    early = datetime(2026, 3, 31, 7, 0, tzinfo=VN)
    assert reminder_time(early, "0d", SETTINGS) == early  # never after the due time


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience(everyone=True), {"lan", "hoa", "tuan"}),
        (Audience(units=("xa tan hung",)), {"lan", "tuan"}),
        (Audience(positions=("Chủ tịch UBND",)), {"lan", "hoa"}),
        (Audience(units=("Xã Tân Hưng",), positions=("Chủ tịch UBND",)), {"lan"}),
        (Audience(teams=("Tổ hỗ trợ chung",)), set()),
    ],
)
def test_audience_targeting_by_unit_and_position(audience: Audience, expected: set[str]) -> None:
    officials = [
        Official(1, "telegram", "1", "lan", "Xã Tân Hưng", "Chủ tịch UBND"),
        Official(2, "telegram", "2", "hoa", "Xã An Bình", "Chủ tịch UBND"),
        Official(3, "zalo", "3", "tuan", "Xã Tân Hưng", "Công chức Tư pháp – Hộ tịch"),
    ]
    assert {o.display_name for o in officials if concerns(audience, o)} == expected


@pytest.mark.parametrize(
    ("argument", "answer"),
    [
        ("3 12/02/2026", "3 ngày làm việc sau thứ Năm 12/02/2026 là thứ Ba 24/02/2026"),
        ("3 03/02/2027", "3 ngày làm việc sau thứ Tư 03/02/2027 là thứ Hai 15/02/2027"),
        ("3 28/08/2026", "3 ngày làm việc sau thứ Sáu 28/08/2026 là thứ Hai 07/09/2026"),
        ("2", "2 ngày làm việc sau thứ Ba 01/12/2026 là thứ Năm 03/12/2026"),
        ("hai", "Anh/chị gõ số ngày làm việc"),
    ],
)
async def test_hantra_counts_working_days_around_tet_and_national_day(
    tmp_path: Path, argument: str, answer: str
) -> None:
    async with world(tmp_path, datetime(2026, 12, 1, 9, 0, tzinfo=VN)) as w:
        lan = await w.official("101", "Xã Tân Hưng", "Chủ tịch UBND")
        reply = await w.say(lan, f"/hantra {argument}")
    assert reply.plain_text.startswith(answer)
