"""How fast each chat, and bulk sending as a whole, may be written to.

Both are the generic cell rate algorithm: one timestamp per chat (or one for all bulk
sends) says when the allowance is next full again. The sender asks how long to wait
before it takes a message, and skips to other chats meanwhile: a chat that must wait
never holds up another.
"""

from __future__ import annotations

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
