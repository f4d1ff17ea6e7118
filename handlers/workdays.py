"""Working days and office hours of a Vietnamese commune office, and the dates answers show.

Pure and channel-independent: every function takes the date or the time it works on (the
caller's injected clock), nothing reads the host's clock or zone. Public holidays and the
days off the government announces (Tết, substitute days, swapped Saturdays) come from the
`holidays` package; a province adds its own days off and working Saturdays in config.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
ONE_DAY = timedelta(days=1)


@cache
def _public_holidays(year: int) -> holidays.HolidayBase:
    """Vietnam's holidays for `year`, computed once per year (a year takes about 0.1 s).

    The language is fixed: by default the package names holidays in the host's locale.
    """
    return holidays.country_holidays("VN", years=year, expand=False, language="vi")


class WorkCalendar:
    """Which days a commune office works.

    Monday to Friday, less Vietnam's public holidays and announced days off, plus the working
    Saturdays the government swaps in (all as the `holidays` package knows them); then the
    province's `extra_days_off` and `extra_working_days` override both.
    """

    def __init__(
        self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()
    ) -> None:
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        clash = sorted(self.extra_days_off & self.extra_working_days)
        if clash:
            days = ", ".join(day.isoformat() for day in clash)
            raise ValueError(f"a day cannot be both an extra day off and a working day: {days}")

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            raise TypeError("pass the local date, not a datetime")
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return _public_holidays(day.year).is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """The Vietnamese name of the public holiday or announced day off on `day`, if any.

        None on ordinary days, at weekends and on the province's extra days off (they have no
        name), and on a holiday the province turned into a working day.
        """
        if day in self.extra_working_days:
            return None
        return _public_holidays(day.year).get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The date `n` working days after `start`, as Vietnamese procedure deadlines count.

        The day of filing (`start`) is never counted, whether or not it is a working day: the
        count begins on the next day, and only working days count. This is the Civil Code's
        rule for periods in days (Bộ luật Dân sự 2015, Article 147(2): the first day is not
        counted) applied to the working days in which procedure times are published: a dossier
        received on Tuesday 01/12/2026 with 2 working days is due on Thursday 03/12/2026. The
        date returned is a working day, so a deadline never ends on a day off (Article 148(5));
        `n = 0` returns `start`.
        """
        if n < 0:
            raise ValueError(f"the number of working days must not be negative, got {n}")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`, never `day` itself."""
        day += ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """The working days after `start` up to and including `end`; negative when `end` is
        earlier.

        The inverse of `add_working_days`: from today to a working due date it is the number
        of working days left ("còn 3 ngày làm việc"), 0 on the due date itself.
        """
        if end < start:
            return -self.working_days_between(end, start)
        span = (end - start).days
        return sum(self.is_working_day(start + k * ONE_DAY) for k in range(1, span + 1))


_SESSION = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_EXAMPLE = '"07:30-11:30,13:30-17:00"'


def parse_office_hours(spec: str) -> tuple[tuple[time, time], ...]:
    """The sessions of an office day from a string like "07:30-11:30,13:30-17:00".

    Raises ValueError with a message for the person who edits the config file.
    """
    if not spec.strip():
        raise ValueError(f"office hours are empty: write them like {_EXAMPLE}")
    sessions: list[tuple[time, time]] = []
    for part in (piece.strip() for piece in spec.split(",")):
        match = _SESSION.fullmatch(part)
        if match is None:
            raise ValueError(f'"{part}" is not a time range: write them like {_EXAMPLE}')
        hour1, minute1, hour2, minute2 = (int(group) for group in match.groups())
        try:
            opens, closes = time(hour1, minute1), time(hour2, minute2)
        except ValueError:
            raise ValueError(f'"{part}" has a time that does not exist') from None
        if closes <= opens:
            raise ValueError(f'"{part}" must end after it starts')
        if sessions and opens < sessions[-1][1]:
            raise ValueError(
                f'"{part}" starts before the previous session ends: '
                "list the sessions in the order of the day, without overlaps"
            )
        sessions.append((opens, closes))
    return tuple(sessions)


class OfficeHours:
    """When an office is open: its daily sessions on the calendar's working days.

    Working days are the calendar's, so the office is closed on public holidays and open on
    a swapped working Saturday. Datetimes must be timezone-aware; results are in `zone`.
    """

    def __init__(self, spec: str, calendar: WorkCalendar, zone: ZoneInfo = VIETNAM) -> None:
        self.sessions = parse_office_hours(spec)
        self.calendar = calendar
        self.zone = zone

    def is_open(self, moment: datetime) -> bool:
        local = self._local(moment)
        if not self.calendar.is_working_day(local.date()):
            return False
        now = local.time()
        return any(opens <= now < closes for opens, closes in self.sessions)

    def next_opening(self, moment: datetime) -> datetime:
        """The first moment from `moment` on when the office is open: `moment` itself (in the
        local zone) while it is open, else the start of the next session."""
        local = self._local(moment)
        if self.is_open(local):
            return local
        day = local.date()
        if self.calendar.is_working_day(day):
            for opens, _ in self.sessions:
                if local.time() < opens:
                    return self._at(day, opens)
        return self._at(self.calendar.next_working_day(day), self.sessions[0][0])

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """The office minutes between `start` and `end` (0 when `end` is not later), for
        timers that count office time only."""
        first, last = self._local(start), self._local(end)
        total = timedelta()
        day = first.date()
        while day <= last.date():
            if self.calendar.is_working_day(day):
                for opens, closes in self.sessions:
                    lower = max(first, self._at(day, opens)).astimezone(UTC)
                    upper = min(last, self._at(day, closes)).astimezone(UTC)
                    total += max(upper - lower, timedelta())
            day += ONE_DAY
        return total.total_seconds() / 60

    def _local(self, moment: datetime) -> datetime:
        if moment.utcoffset() is None:
            raise ValueError(f"a timezone-aware datetime is needed, got {moment.isoformat()}")
        return moment.astimezone(self.zone)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)


def format_day(day: date) -> str:
    """A date as answers write it: "thứ Ba 01/12/2026"."""
    return f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"


# Kept together so they can move to texts.vi.toml as they are (same placeholders).
FILED_TODAY = "Nộp hôm nay ({filed}) thì hẹn trả {due}"
FILED_NEXT_WORKING_DAY = "Hôm nay ({today}) là ngày nghỉ; nộp vào {filed} thì hẹn trả {due}"
HANTRA_RESULT = (
    "{days} ngày làm việc sau {start} là {due} (không tính ngày nghỉ cuối tuần, lễ, Tết)."
)
HANTRA_USAGE = (
    "Anh/chị gõ số ngày làm việc, có thể kèm ngày bắt đầu, "
    "ví dụ: /hantra 5 hoặc /hantra 5 01/12/2026."
)
HANTRA_BAD_DAYS = "Số ngày làm việc phải là một số từ 1 đến {most}."
HANTRA_BAD_DATE = "Ngày «{text}» không đúng; anh/chị gõ theo dạng ngày/tháng/năm, ví dụ 01/12/2026."
HANTRA_MOST_DAYS = 365


def return_date_phrase(calendar: WorkCalendar, today: date, working_days: int) -> str:
    """When a dossier filed today comes back, for an entry whose time is in working days.

    On a day off the office does not receive dossiers, so the phrase counts from the next
    working day and says so.
    """
    if calendar.is_working_day(today):
        filed, template = today, FILED_TODAY
    else:
        filed, template = calendar.next_working_day(today), FILED_NEXT_WORKING_DAY
    due = calendar.add_working_days(filed, working_days)
    return template.format(today=format_day(today), filed=format_day(filed), due=format_day(due))


def parse_hantra(argument: str, today: date) -> tuple[int, date]:
    """The working days and the start date from `/hantra N [dd/mm/yyyy]`'s argument.

    The start date is `today` when none is given. Raises ValueError with a Vietnamese
    sentence to show the official.
    """
    words = argument.split()
    if not 1 <= len(words) <= 2:
        raise ValueError(HANTRA_USAGE)
    if not words[0].isdecimal():
        raise ValueError(HANTRA_USAGE)
    days = int(words[0])
    if not 1 <= days <= HANTRA_MOST_DAYS:
        raise ValueError(HANTRA_BAD_DAYS.format(most=HANTRA_MOST_DAYS))
    if len(words) == 1:
        return days, today
    try:
        start = datetime.strptime(re.sub(r"[.-]", "/", words[1]), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(HANTRA_BAD_DATE.format(text=words[1])) from None
    return days, start


def hantra_phrase(calendar: WorkCalendar, days: int, start: date) -> str:
    """The answer to `/hantra`: the date `days` working days after `start`."""
    due = calendar.add_working_days(start, days)
    return HANTRA_RESULT.format(days=days, start=format_day(start), due=format_day(due))
