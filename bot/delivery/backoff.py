"""Retrying what fails for a while (a network hiccup, a 500) with a growing delay."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    initial: float = 1.0
    maximum: float = 60.0

    def delay(self, attempt: int) -> float:
        """The wait before retry number `attempt` (0-based): doubling up to `maximum`."""
        return min(self.initial * 2 ** min(attempt, 16), self.maximum)


async def retry_transient(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    is_transient: Callable[[BaseException], bool],
    backoff: Backoff,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """`await attempt()` until it succeeds; errors that are not transient propagate."""
    tries = 0
    while True:
        try:
            return await attempt()
        except Exception as err:
            if not is_transient(err):
                raise
            delay = backoff.delay(tries)
            tries += 1
            log.warning("%s failed (%s); retrying in %.1f s", what, err, delay)
            await sleep(delay)
