"""A per-person flood limit, for every channel: one person cannot keep the bot busy for everyone."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum

# Forget people who have been quiet for a window once this many are tracked, at most once
# a second: with thousands active at once, a cleanup per message would cost more than
# the messages.
TRACKED_BEFORE_CLEANUP = 1024
CLEANUP_EVERY_SECONDS = 1.0


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first message past the limit: say once, politely, to slow down
    DROP = "drop"  # past the limit and already told: ignore


class FloodLimiter:
    """At most `limit` messages per person in any `window` seconds.

    Counts live in memory: they matter for a minute, so a restart that loses them does
    no harm. Ignored messages do not count, so a person who keeps sending is answered
    again as soon as the window has room.
    """

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._warned: set[str] = set()
        self._next_cleanup = float("-inf")

    def check(self, person: str) -> Verdict:
        now = self._clock()
        if len(self._sent) > TRACKED_BEFORE_CLEANUP and now >= self._next_cleanup:
            self._forget_quiet(now)
            self._next_cleanup = now + CLEANUP_EVERY_SECONDS
        sent = self._sent.setdefault(person, deque())
        while sent and now - sent[0] >= self._window:
            sent.popleft()
        if len(sent) < self._limit:
            sent.append(now)
            self._warned.discard(person)
            return Verdict.ALLOW
        if person in self._warned:
            return Verdict.DROP
        self._warned.add(person)
        return Verdict.WARN

    def _forget_quiet(self, now: float) -> None:
        for person, sent in list(self._sent.items()):
            if not sent or now - sent[-1] >= self._window:
                del self._sent[person]
                self._warned.discard(person)
