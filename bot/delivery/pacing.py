"""How fast each chat, and bulk sending as a whole, may be written to.

Each chat's pace is the generic cell rate algorithm: one timestamp per chat says when
its allowance is next full again. Bulk sending as a whole keeps to a sliding window: at
most the configured number of messages in any one second, so the measured rate never
exceeds the limit while the sender still sends at the full rate. The sender asks how
long to wait before it takes a message, and skips to other chats meanwhile: a chat that
must wait never holds up another.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable

from bot.channels.base import Pace

# Forget chats whose allowance has refilled once this many are tracked.
TRACKED_BEFORE_CLEANUP = 4096


class Gcra:
    """`burst` events at once, then one every `interval` seconds, per key."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._due: dict[Hashable, float] = {}  # when each key's allowance is full again
        self._held: dict[Hashable, float] = {}  # keys the chat app asked to wait

    def wait(self, key: Hashable, pace: Pace) -> float:
        """Seconds before an event for `key` may happen; 0 when it may happen now."""
        now = self._clock()
        tolerance = (max(pace.burst, 1) - 1) * pace.interval
        due = max(self._due.get(key, now), now)
        held = self._held.get(key, now) - now
        return max(0.0, due - tolerance - now, held)

    def take(self, key: Hashable, pace: Pace) -> None:
        """Count one event for `key` (after `wait` said 0)."""
        now = self._clock()
        if len(self._due) > TRACKED_BEFORE_CLEANUP:
            self._due = {k: due for k, due in self._due.items() if due > now}
            self._held = {k: until for k, until in self._held.items() if until > now}
        self._due[key] = max(self._due.get(key, now), now) + pace.interval

    def hold(self, key: Hashable, seconds: float) -> None:
        """Nothing for `key` for `seconds` (Telegram's `retry_after`)."""
        self._held[key] = max(self._held.get(key, 0.0), self._clock() + seconds)


# Sends reach the chat app a little after they start, some later than others: the window
# is this much longer than a second so that no second of arrivals holds more than the limit.
ARRIVAL_MARGIN = 1.05


class SlidingWindow:
    """At most `per_second` events in any window of one second (or one event per
    1/`per_second` seconds when that is under one a second)."""

    def __init__(self, per_second: float, clock: Callable[[], float]) -> None:
        window = max(1.0, 1.0 / per_second)
        self._capacity = max(1, int(per_second * window))
        self._window = window * ARRIVAL_MARGIN
        self._clock = clock
        self._events: deque[float] = deque()

    def wait(self) -> float:
        now = self._clock()
        while self._events and now - self._events[0] >= self._window:
            self._events.popleft()
        if len(self._events) < self._capacity:
            return 0.0
        return self._events[0] + self._window - now

    def take(self) -> None:
        self._events.append(self._clock())
