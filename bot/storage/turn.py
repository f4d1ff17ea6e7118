"""Whose turn it is on the one database connection: first come, first served, except that
urgent waiters go before the others.

A burst of questions queues a hundred handling transactions; the sender's delivery marks
are tiny, and until they are written the sender holds back further answers (a message
counts as in flight until its mark is stored). Queued behind the burst, the marks would
hold every answer back until the whole burst was handled.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Turn:
    """An asyncio lock with two queues; `urgent` waiters are served first."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        return self._held

    async def acquire(self, urgent: bool = False) -> None:
        # Free means no one waits: a release hands the turn over while anyone waits.
        if not self._held:
            self._held = True
            return
        waiter = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._others).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            # A cancelled waiter stays queued, and `release` passes over it; one handed the
            # turn just as it was cancelled passes the turn on.
            if not waiter.cancelled():
                self.release()
            raise

    def release(self) -> None:
        """Hand the turn to the next waiter (it stays held), or free it."""
        for queue in (self._urgent, self._others):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._held = False
