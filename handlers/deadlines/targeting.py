"""Who a deadline concerns: registered officials by unit and position, and team chats.

An official matches when the audience says everyone, or when every filter it gives
matches (units and positions together mean "this position in these units"). Names
compare folded, so "Xa Tan Hung" in a file finds "Xã Tân Hưng".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from handlers.deadlines.spec import Audience
from handlers.model import Address
from handlers.ports import Official
from knowledge.normalize import fold as fold_text

# A person with accounts in two apps is reminded on Zalo first: its free window can only
# be judged when the message goes (it may close while the message waits behind a
# broadcast), so Zalo's sender judges it then and hands the message to the other
# account when it is closed.
FIRST_CHANNEL = "zalo"

# Units and positions are few and compared for every official of every deadline.
fold = lru_cache(maxsize=4096)(fold_text)


def concerns(audience: Audience, official: Official) -> bool:
    if audience.everyone:
        return True
    if not (audience.units or audience.positions):
        return False
    return _among(official.unit, audience.units) and _among(official.position, audience.positions)


def targets(audience: Audience, officials: Iterable[Official]) -> list[Official]:
    return [official for official in officials if concerns(audience, official)]


def units_concerned(audience: Audience, officials: Sequence[Official],
                    configured: Sequence[str]) -> list[str]:
    """The units that must confirm: those named (or all configured ones for everyone,
    or for a position-only audience), plus any unit an official concerned belongs to."""
    named = list(audience.units) if audience.units else list(configured)
    if not audience.units and not audience.everyone and not audience.positions:
        named = []
    seen = {fold(unit): unit for unit in named}
    for official in targets(audience, officials):
        seen.setdefault(fold(official.unit), official.unit)
    return sorted(seen.values(), key=fold)


def _among(value: str, names: Sequence[str]) -> bool:
    return not names or fold(value) in {fold(name) for name in names}


def reach(official: Official) -> tuple[Address, Address | None]:
    """Where a reminder to `official` goes first, and where instead if that app cannot
    reach them for free when it is sent (None: nowhere else)."""
    accounts = sorted([Address(official.channel, official.external_id), *official.elsewhere],
                      key=lambda account: account.channel != FIRST_CHANNEL)
    return accounts[0], accounts[1] if len(accounts) > 1 else None
