"""The deadline file format: `[[deadline]]` tables in TOML, read into `DeadlineSpec`.

Errors are one located line each (`file:line: …`) and a file with any error imports
nothing. `tomllib` gives no line numbers, so a problem is located at the line of its key
inside the deadline's block (or at the block's `[[deadline]]` header).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from handlers.workdays import VIETNAM

OFFSET = re.compile(r"^(\d{1,3})([dhm])$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
RECURRENCE = re.compile(
    r"^(?:monthly:(?P<month_day>\d{1,2})|quarterly:(?P<quarter_day>\d{1,2})"
    r"|yearly:(?P<month>\d{1,2})-(?P<day>\d{1,2})|cron:(?P<cron>.+))$"
)
KEYS = {"id", "title", "details", "source", "assignee", "due", "remind", "done_by",
        "audience", "recurrence"}
AUDIENCE_KEYS = {"everyone", "units", "positions", "teams"}


class DeadlineFileError(ValueError):
    """A deadline file that cannot be imported; `problems` are located lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Audience:
    everyone: bool = False
    units: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everyone or self.units or self.positions or self.teams)


@dataclass(frozen=True)
class DeadlineSpec:
    """One deadline as a file or a staff chat states it.

    `due` is a local date (the end of that working day) or a naive local date-time;
    a recurring deadline has `recurrence` and no `due`.
    """

    id: str
    title: str
    due: date | datetime | None = None
    recurrence: str | None = None
    details: str = ""
    source: str = ""
    assignee: str = ""
    remind: tuple[str, ...] = ()
    done_by: str = "unit"
    audience: Audience = field(default_factory=Audience)

    def record(self) -> dict[str, Any]:
        """A JSON-ready form, as the database keeps it."""
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due is not None else None
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> DeadlineSpec:
        due_text = data.get("due")
        due: date | datetime | None = None
        if due_text:
            due = datetime.fromisoformat(due_text) if "T" in due_text else date.fromisoformat(
                due_text)
        audience = {key: tuple(value) if isinstance(value, list) else value
                    for key, value in data["audience"].items()}
        return cls(**{**data, "due": due, "remind": tuple(data["remind"]),
                      "audience": Audience(**audience)})


def offset_minutes(offset: str) -> tuple[int, str]:
    """("7d") → (7, "d"); ValueError for anything else."""
    match = OFFSET.match(offset)
    if match is None:
        raise ValueError(f'reminder offset "{offset}" must be a number and d, h or m, like "3d"')
    return int(match.group(1)), match.group(2)


def check_recurrence(text: str) -> str | None:
    """Why `text` is not a recurrence this program understands, or None when it is."""
    match = RECURRENCE.match(text)
    if match is None:
        return (f'recurrence "{text}" must be "monthly:25", "quarterly:15", "yearly:12-15" '
                'or "cron:0 8 1 * *"')
    if match["month_day"] and not 1 <= int(match["month_day"]) <= 31:
        return "recurrence monthly:N needs a day from 1 to 31 (31: the month's last day)"
    if match["quarter_day"] and not 1 <= int(match["quarter_day"]) <= 31:
        return "recurrence quarterly:N needs a day from 1 to 31"
    if match["month"]:
        try:
            date(2024, int(match["month"]), int(match["day"]))  # a leap year allows 02-29
        except ValueError:
            return f'recurrence "{text}" names a day that does not exist'
    if match["cron"]:
        try:
            CronTrigger.from_crontab(match["cron"], timezone=VIETNAM)
        except ValueError as err:
            return f'recurrence "{text}" is not a valid cron expression ({err})'
    return None


@dataclass(frozen=True)
class Known:
    """What a deadline file may name: the registered units, positions and teams
    (empty: anything goes, e.g. before the province has listed them)."""

    units: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()


def parse_file(text: str, name: str, default_remind: Sequence[str],
               known: Known = Known()) -> list[DeadlineSpec]:
    """Every deadline of one file, or `DeadlineFileError` listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        raise DeadlineFileError([f"{name}:{line.group(1) if line else 1}: not valid TOML: {err}"]
                                ) from None
    locate = _Locator(text, name)
    problems: list[str] = []
    extra = sorted(set(data) - {"deadline"})
    if extra:
        problems.append(f"{name}:1: unknown table or key '{extra[0]}' (a file holds "
                        "[[deadline]] tables only)")
    tables = data.get("deadline", [])
    if not isinstance(tables, list) or not tables:
        raise DeadlineFileError([*problems, f"{name}:1: no [[deadline]] table"])
    specs, seen = [], {}
    for index, table in enumerate(tables):
        spec = _read(table, index, locate, problems, default_remind, known)
        if spec is None:
            continue
        if spec.id in seen:
            problems.append(f"{locate(index, 'id')}: id \"{spec.id}\" is used twice "
                            f"(first at line {seen[spec.id]})")
        seen[spec.id] = locate.line(index, "id")
        specs.append(spec)
    if problems:
        raise DeadlineFileError(problems)
    return specs


def _read(table: dict[str, Any], index: int, locate: _Locator, problems: list[str],
          default_remind: Sequence[str], known: Known) -> DeadlineSpec | None:
    before = len(problems)

    def problem(key: str, message: str) -> None:
        problems.append(f"{locate(index, key)}: {message}")

    for key in sorted(set(table) - KEYS):
        problem(key, f"unknown key '{key}' (known: {', '.join(sorted(KEYS))})")
    slug, title = table.get("id"), table.get("title")
    if not isinstance(slug, str) or not SLUG.match(slug):
        problem("id", "id must be lower-case letters, digits, '-', '.' or '_' "
                "(at most 80), e.g. \"354-btc-de-an\"")
    if not isinstance(title, str) or not title.strip():
        problem("title", "title is required")
    for key in ("details", "source", "assignee"):
        if not isinstance(table.get(key, ""), str):
            problem(key, f"{key} must be a string")
    due, recurrence = table.get("due"), table.get("recurrence")
    if due is None and recurrence is None:
        problem("id", "a deadline needs due (a date or date-time) or recurrence")
    if due is not None and recurrence is not None:
        problem("recurrence", "give due or recurrence, not both")
    if due is not None:
        if isinstance(due, datetime) and due.tzinfo is not None:
            due = due.astimezone(VIETNAM).replace(tzinfo=None)
        elif not isinstance(due, date):
            problem("due", f"due must be a date (2026-03-31) or a local date-time "
                    f"(2026-03-31T17:00:00), got {due!r}")
    if recurrence is not None:
        why = check_recurrence(recurrence) if isinstance(recurrence, str) else \
            "recurrence must be a string"
        if why:
            problem("recurrence", why)
    remind = table.get("remind", list(default_remind))
    if not isinstance(remind, list) or not all(isinstance(r, str) for r in remind):
        problem("remind", 'remind must be a list like ["7d", "1d", "2h"]')
        remind = []
    for offset in remind:
        try:
            offset_minutes(offset)
        except ValueError as err:
            problem("remind", str(err))
    done_by = table.get("done_by", "unit")
    if done_by not in ("unit", "person"):
        problem("done_by", f'done_by must be "unit" or "person", got {done_by!r}')
    audience = _audience(table.get("audience", {}), lambda m: problem("audience", m), known)
    if len(problems) > before:
        return None
    return DeadlineSpec(
        id=slug, title=title.strip(), due=due, recurrence=recurrence,
        details=table.get("details", "").strip(), source=table.get("source", ""),
        assignee=table.get("assignee", ""), remind=tuple(remind), done_by=done_by,
        audience=audience,
    )


def _audience(raw: Any, problem: Any, known: Known) -> Audience:
    if not isinstance(raw, dict):
        problem("audience must be a table")
        return Audience()
    for key in sorted(set(raw) - AUDIENCE_KEYS):
        problem(f"unknown audience key '{key}' (known: {', '.join(sorted(AUDIENCE_KEYS))})")
    everyone = raw.get("everyone", False)
    if not isinstance(everyone, bool):
        problem("audience everyone must be true or false")
    lists = {}
    for key in ("units", "positions", "teams"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problem(f"audience {key} must be a list of names")
            value = []
        allowed = getattr(known, key)
        for name in value:
            if allowed and name not in allowed:
                problem(f'audience {key}: "{name}" is not one of the configured {key}')
        lists[key] = tuple(value)
    audience = Audience(everyone is True, **lists)
    if audience.empty:
        problem("audience is empty: set everyone = true, or units, positions or teams")
    return audience


class _Locator:
    """Line numbers of each `[[deadline]]` block and of the keys inside it."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = text.splitlines()
        self.headers = [n for n, line in enumerate(self.lines, 1)
                        if line.strip().startswith("[[deadline]]")]

    def line(self, index: int, key: str) -> int:
        if index >= len(self.headers):
            return 1
        start = self.headers[index]
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines) + 1
        pattern = re.compile(rf"^\s*(\[deadline\.{key}\]|{key}\s*=)")
        for number in range(start, end):
            if pattern.match(self.lines[number - 1]):
                return number
        return start

    def __call__(self, index: int, key: str) -> str:
        return f"{self.name}:{self.line(index, key)}"
