"""The working-day calendar, office hours and the return dates answers show.

Days off asserted here, as the government announced them and the `holidays` package has them:
- Tết 2026: Monday 16/02 to Friday 20/02 (29 tháng Chạp to mùng 4), nine days with the two
  weekends, no swapped Saturday.
- Tết 2027 (mùng 1 on Saturday 06/02): Thursday 04/02 to Wednesday 10/02, the package's
  reading of the Labor Code (Article 112) with the days falling on the weekend moved to
  29 Tết and mùng 5; no announcement was found yet, a province corrects it with extra days.
- National Day 2026: Monday 31/08 (swapped with Saturday 22/08, a working day), 01/09, 02/09.
- National Day 2027: Thursday 02/09 and Friday 03/09, the adjoining day.
"""

from __future__ import annotations

import time as host_time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.workdays import (
    VIETNAM,
    OfficeHours,
    WorkCalendar,
    format_day,
    hantra_phrase,
    parse_hantra,
    parse_office_hours,
    return_date_phrase,
)

CALENDAR = WorkCalendar()
HOURS = OfficeHours("07:30-11:30,13:30-17:00", CALENDAR)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


# The calendar.


def test_tet_2026_is_nine_days_off_from_14_to_22_february() -> None:
    assert CALENDAR.is_working_day(date(2026, 2, 13))
    assert not any(CALENDAR.is_working_day(d) for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert CALENDAR.is_working_day(date(2026, 2, 23))
    assert CALENDAR.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_a_dossier_filed_before_tet_2026_is_due_after_it() -> None:
    assert CALENDAR.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CALENDAR.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_tet_2027_runs_from_29_tet_to_mung_5() -> None:
    assert CALENDAR.is_working_day(date(2027, 2, 3))
    assert not any(CALENDAR.is_working_day(d) for d in days(date(2027, 2, 4), date(2027, 2, 10)))
    assert CALENDAR.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert CALENDAR.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"


def test_30_april_and_1_may() -> None:
    # 2026: Thursday and Friday. 2027: Friday, and Saturday 1 May is taken on Monday 3 May.
    assert CALENDAR.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    assert CALENDAR.add_working_days(date(2027, 4, 29), 1) == date(2027, 5, 4)
    assert CALENDAR.holiday_name(date(2027, 5, 3)) == "Ngày Quốc tế Lao động (nghỉ bù)"


def test_national_day_2026_with_its_swapped_saturday() -> None:
    assert not any(CALENDAR.is_working_day(d) for d in days(date(2026, 8, 29), date(2026, 9, 2)))
    assert CALENDAR.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert CALENDAR.is_working_day(date(2026, 8, 22))  # a Saturday worked for Monday 31/08
    assert CALENDAR.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_national_day_2027_takes_the_adjoining_friday() -> None:
    assert not CALENDAR.is_working_day(date(2027, 9, 2))
    assert not CALENDAR.is_working_day(date(2027, 9, 3))
    assert CALENDAR.add_working_days(date(2027, 9, 1), 1) == date(2027, 9, 6)


def test_weekends_are_days_off_and_plain_weekdays_are_not() -> None:
    assert [CALENDAR.is_working_day(d) for d in days(date(2026, 11, 30), date(2026, 12, 6))] == [
        True, True, True, True, True, False, False,
    ]
    assert CALENDAR.holiday_name(date(2026, 12, 5)) is None


def test_a_configured_working_saturday_counts() -> None:
    saturday = date(2026, 12, 5)
    calendar = WorkCalendar(extra_working_days=[saturday])
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 12, 4), 1) == saturday
    assert calendar.working_days_between(date(2026, 12, 4), date(2026, 12, 7)) == 2
    assert CALENDAR.working_days_between(date(2026, 12, 4), date(2026, 12, 7)) == 1


def test_configured_days_off_are_skipped() -> None:
    calendar = WorkCalendar(extra_days_off=[date(2026, 12, 7), date(2026, 12, 8)])
    assert not calendar.is_working_day(date(2026, 12, 7))
    assert calendar.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 9)
    assert calendar.holiday_name(date(2026, 12, 7)) is None


def test_a_province_can_correct_a_holiday_into_a_working_day() -> None:
    calendar = WorkCalendar(extra_working_days=[date(2027, 2, 10)])
    assert calendar.is_working_day(date(2027, 2, 10))
    assert calendar.holiday_name(date(2027, 2, 10)) is None
    assert calendar.next_working_day(date(2027, 2, 3)) == date(2027, 2, 10)


def test_a_day_cannot_be_both_off_and_working() -> None:
    with pytest.raises(ValueError, match="both an extra day off and a working day: 2026-12-05"):
        WorkCalendar(extra_days_off=[date(2026, 12, 5)], extra_working_days=[date(2026, 12, 5)])


def test_counting_crosses_year_boundaries() -> None:
    # 1 January 2027 is a Friday; 1 January 2028 a Saturday, taken on Monday 3 January.
    assert CALENDAR.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CALENDAR.add_working_days(date(2027, 12, 31), 1) == date(2028, 1, 4)
    assert CALENDAR.working_days_between(date(2026, 12, 30), date(2027, 1, 5)) == 3
    assert CALENDAR.working_days_between(date(2027, 1, 5), date(2026, 12, 30)) == -3


def test_a_december_saturday_swapped_for_a_january_day_off_is_a_working_day() -> None:
    # Friday 02/01/2015 was taken off for Saturday 27/12/2014, recorded with 2015's holidays.
    assert CALENDAR.is_working_day(date(2014, 12, 27))
    assert not CALENDAR.is_working_day(date(2015, 1, 2))


def test_the_day_of_filing_is_not_counted() -> None:
    assert CALENDAR.add_working_days(date(2026, 12, 1), 2) == date(2026, 12, 3)
    assert CALENDAR.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)
    assert CALENDAR.add_working_days(date(2026, 12, 6), 1) == date(2026, 12, 7)  # from a Sunday
    assert CALENDAR.add_working_days(date(2026, 12, 1), 0) == date(2026, 12, 1)
    assert CALENDAR.working_days_between(date(2026, 12, 3), date(2026, 12, 3)) == 0


def test_negative_counts_and_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        CALENDAR.add_working_days(date(2026, 12, 1), -1)
    with pytest.raises(TypeError, match="local date"):
        CALENDAR.is_working_day(at(2026, 12, 1, 9))


@given(st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.integers(0, 80))
def test_working_days_between_undoes_add_working_days(start: date, n: int) -> None:
    due = CALENDAR.add_working_days(start, n)
    assert CALENDAR.working_days_between(start, due) == n
    if n:
        assert CALENDAR.is_working_day(due)
        assert CALENDAR.add_working_days(start, n - 1) < due


# Office hours.


@pytest.mark.parametrize(
    ("hour", "minute", "open_"),
    [(7, 29, False), (7, 30, True), (11, 29, True), (11, 30, False), (13, 29, False),
     (13, 30, True), (16, 59, True), (17, 0, False)],
)
def test_office_hours_edges(hour: int, minute: int, open_: bool) -> None:
    assert HOURS.is_open(at(2026, 12, 1, hour, minute)) is open_


def test_the_office_is_closed_on_holidays_and_open_on_a_working_saturday() -> None:
    assert not HOURS.is_open(at(2026, 9, 2, 9))
    assert not HOURS.is_open(at(2026, 2, 17, 9))
    assert not HOURS.is_open(at(2026, 12, 5, 9))
    assert HOURS.is_open(at(2026, 8, 22, 9))


def test_friday_at_five_opens_again_on_monday_morning() -> None:
    opening = HOURS.next_opening(at(2026, 12, 4, 17))
    assert opening == at(2026, 12, 7, 7, 30)
    assert opening.tzinfo == VIETNAM


def test_next_opening_within_a_day() -> None:
    assert HOURS.next_opening(at(2026, 12, 1, 6)) == at(2026, 12, 1, 7, 30)
    assert HOURS.next_opening(at(2026, 12, 1, 11, 30)) == at(2026, 12, 1, 13, 30)
    assert HOURS.next_opening(at(2026, 12, 1, 10, 15)) == at(2026, 12, 1, 10, 15)


def test_during_tet_the_office_opens_on_the_first_working_day() -> None:
    assert HOURS.next_opening(at(2026, 2, 13, 17)) == at(2026, 2, 23, 7, 30)
    assert HOURS.next_opening(at(2026, 2, 18, 9)) == at(2026, 2, 23, 7, 30)


def test_a_utc_time_is_read_in_vietnam() -> None:
    # 10:00 UTC on Friday is 17:00 in Vietnam; 00:30 UTC is 07:30.
    friday_close = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert not HOURS.is_open(friday_close)
    assert HOURS.next_opening(friday_close) == datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    assert HOURS.is_open(datetime(2026, 12, 7, 0, 30, tzinfo=UTC))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        HOURS.is_open(datetime(2026, 12, 1, 9))


def test_working_minutes_count_office_time_only() -> None:
    assert HOURS.working_minutes(at(2026, 12, 1, 8), at(2026, 12, 1, 9)) == 60
    assert HOURS.working_minutes(at(2026, 12, 1, 11), at(2026, 12, 1, 14)) == 60
    assert HOURS.working_minutes(at(2026, 12, 1, 0), at(2026, 12, 2, 0)) == 450
    assert HOURS.working_minutes(at(2026, 12, 4, 16), at(2026, 12, 7, 8, 30)) == 120
    assert HOURS.working_minutes(at(2026, 2, 13, 16, 30), at(2026, 2, 23, 8)) == 60
    assert HOURS.working_minutes(at(2026, 12, 1, 10), at(2026, 12, 1, 9)) == 0


def test_other_zones_can_be_the_local_one() -> None:
    hours = OfficeHours("09:00-17:00", WorkCalendar(), zone=ZoneInfo("Europe/Paris"))
    assert hours.next_opening(datetime(2026, 12, 4, 16, tzinfo=UTC)) == datetime(
        2026, 12, 7, 9, tzinfo=ZoneInfo("Europe/Paris")
    )


def test_office_hours_allow_spaces() -> None:
    assert parse_office_hours(" 7:30 - 11:30 , 13:30-17:00 ") == HOURS.sessions


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "office hours are empty"),
        ("7h30-11h30", '"7h30-11h30" is not a time range'),
        ("07:30-11:30;13:30-17:00", "is not a time range"),
        ("07:30-25:00", '"07:30-25:00" has a time that does not exist'),
        ("11:30-07:30", '"11:30-07:30" must end after it starts'),
        ("13:30-17:00,07:30-11:30", '"07:30-11:30" starts before the previous session ends'),
        ("07:30-11:30,11:00-17:00", "without overlaps"),
    ],
)
def test_bad_office_hours_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OfficeHours(spec, CALENDAR)


# The host's zone does not matter.


@pytest.fixture(params=["America/Los_Angeles", "Pacific/Kiritimati", "UTC"])
def host_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", request.param)
        host_time.tzset()
        yield request.param
    host_time.tzset()


def test_results_do_not_depend_on_the_host_zone(host_zone: str) -> None:
    # Saturday 5 December, 00:30 UTC: still Friday evening in Los Angeles, 07:30 in Vietnam.
    moment = datetime(2026, 12, 5, 0, 30, tzinfo=UTC)
    assert not HOURS.is_open(moment)
    assert HOURS.next_opening(moment) == at(2026, 12, 7, 7, 30)
    assert HOURS.working_minutes(datetime(2026, 12, 4, 9, tzinfo=UTC), moment) == 60
    assert CALENDAR.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)


# What answers show.


def test_weekday_names() -> None:
    assert [format_day(d) for d in days(date(2026, 11, 30), date(2026, 12, 6))] == [
        "thứ Hai 30/11/2026", "thứ Ba 01/12/2026", "thứ Tư 02/12/2026", "thứ Năm 03/12/2026",
        "thứ Sáu 04/12/2026", "thứ Bảy 05/12/2026", "Chủ nhật 06/12/2026",
    ]


def test_the_return_date_if_filed_today() -> None:
    assert (
        return_date_phrase(CALENDAR, date(2026, 12, 1), 2)
        == "Nộp hôm nay (thứ Ba 01/12/2026) thì hẹn trả thứ Năm 03/12/2026"
    )
    assert return_date_phrase(CALENDAR, date(2026, 2, 13), 1).endswith("thứ Hai 23/02/2026")


def test_on_a_day_off_the_return_date_counts_from_the_next_working_day() -> None:
    assert return_date_phrase(CALENDAR, date(2026, 2, 17), 2) == (
        "Hôm nay (thứ Ba 17/02/2026) là ngày nghỉ; "
        "nộp vào thứ Hai 23/02/2026 thì hẹn trả thứ Tư 25/02/2026"
    )


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("5", (5, date(2026, 12, 1))),
        (" 3  13/02/2026 ", (3, date(2026, 2, 13))),
        ("10 1/9/2027", (10, date(2027, 9, 1))),
        ("2 01-12-2026", (2, date(2026, 12, 1))),
        ("2 01.12.2026", (2, date(2026, 12, 1))),
    ],
)
def test_hantra_reads_days_and_an_optional_date(argument: str, expected: tuple[int, date]) -> None:
    assert parse_hantra(argument, today=date(2026, 12, 1)) == expected


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("", "gõ số ngày làm việc"),
        ("năm", "gõ số ngày làm việc"),
        ("5 01/12/2026 sáng", "gõ số ngày làm việc"),
        ("-2", "gõ số ngày làm việc"),
        ("0", "từ 1 đến 365"),
        ("400", "từ 1 đến 365"),
        ("5 32/12/2026", "Ngày «32/12/2026» không đúng"),
        ("5 01/12", "Ngày «01/12» không đúng"),
        ("5 29/02/2027", "Ngày «29/02/2027» không đúng"),
    ],
)
def test_hantra_explains_a_bad_argument(argument: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hantra(argument, today=date(2026, 12, 1))


def test_hantra_answer() -> None:
    assert hantra_phrase(CALENDAR, 5, date(2026, 2, 13)) == (
        "5 ngày làm việc sau thứ Sáu 13/02/2026 là thứ Sáu 27/02/2026 "
        "(không tính ngày nghỉ cuối tuần, lễ, Tết)."
    )
