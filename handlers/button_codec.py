"""One codec for the data of every button: typed, short, checked.

Chat apps carry a button's data back verbatim (Telegram allows 64 bytes) and anyone can
forge it, so data names only ids and choices; handlers re-check ownership and existence
on every press.

A feature declares each of its buttons as a frozen dataclass deriving from `ButtonData`
with a `code` ("s", "t:c", "dl"…) that no other button uses. Fields are ints (ids,
indexes: non-negative), bools, StrEnums or datetimes (to the minute, Vietnam time); a
`__post_init__` that raises ValueError refuses values out of range. The data is the code
and the fields joined by ":". The dispatcher builds one `ButtonCodec` from every
feature's buttons, reads each press once and routes it by its type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, get_type_hints

from handlers.workdays import VIETNAM

MAX_BYTES = 64
MAX_NUMBER = 2**63 - 1  # SQLite's largest integer: a bigger id cannot name a row
MINUTES = "%Y%m%d%H%M"


class ButtonData:
    """Base of every button's typed data; subclasses are frozen dataclasses."""

    code: ClassVar[str]

    def __init_subclass__(cls, *, code: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = code


def pack(data: ButtonData) -> str:
    """The button's data as the chat app carries it; ValueError when it cannot."""
    values = [_write(getattr(data, field.name)) for field in fields(data)]  # type: ignore[arg-type]
    return checked(":".join([data.code, *values]))


def checked(data: str) -> str:
    """`data` unchanged, or ValueError when a chat app could not carry it back."""
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


def number(text: str) -> int | None:
    """A non-negative id or index written in ASCII digits; None for anything else."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_NUMBER else None


Reader = Callable[[str], Any]


class ButtonCodec:
    """Reads the data of the buttons it was built with."""

    def __init__(self, kinds: Iterable[type[ButtonData]]) -> None:
        self._kinds: dict[str, tuple[type[ButtonData], list[Reader]]] = {}
        for kind in kinds:
            if kind.code in self._kinds or kind.code.count(":") > 1:
                raise ValueError(f"button code {kind.code!r}: used twice, or over two parts")
            hints = get_type_hints(kind)
            readers = [_reader(hints[field.name]) for field in fields(kind)]  # type: ignore[arg-type]
            self._kinds[kind.code] = (kind, readers)
        for code in self._kinds:
            if code.partition(":")[2] and code.partition(":")[0] in self._kinds:
                raise ValueError(f"button code {code!r} would be read as data of its first part")

    def unpack(self, data: str) -> ButtonData | None:
        """The typed data of a press, or None for anything malformed, forged or unknown."""
        parts = data.split(":")
        for length in (2, 1):  # a two-part code ("t:c") before a one-part one ("t")
            found = self._kinds.get(":".join(parts[:length]))
            if found is not None:
                break
        else:
            return None
        kind, readers = found
        values = parts[length:]
        if len(values) != len(readers):
            return None
        try:
            return kind(*(read(value) for read, value in zip(readers, values, strict=True)))
        except ValueError:
            return None


def _write(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).strftime(MINUTES)
    if isinstance(value, int) and 0 <= value <= MAX_NUMBER:
        return str(value)
    raise ValueError(f"a button cannot carry {value!r}")


def _reader(hint: Any) -> Reader:
    if hint is bool:
        return _read_bool
    if hint is int:
        return _read_int
    if hint is datetime:
        return _read_minutes
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return hint
    raise TypeError(f"a button field cannot be {hint!r}")


def _read_bool(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(text)
    return text == "1"


def _read_int(text: str) -> int:
    value = number(text)
    if value is None:
        raise ValueError(text)
    return value


def _read_minutes(text: str) -> datetime:
    if len(text) != len("202601011200") or not text.isdigit():
        raise ValueError(text)
    return datetime.strptime(text, MINUTES).replace(tzinfo=VIETNAM)
