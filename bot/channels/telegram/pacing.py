"""Telegram's per-chat limit: about one message a second to the same chat.

python-telegram-bot's AIORateLimiter keeps the overall (30/s) and per-group (20/min)
limits; this adds the per-chat one for private chats, allowing the short bursts Telegram
tolerates (the parts of one long answer go out at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# Forget chats whose allowance has refilled once this many are tracked.
TRACKED_BEFORE_CLEANUP = 1024


class ChatPacer:
    """How long to wait before the next message to a chat: `burst` at once, then one
    per `interval` seconds (the generic cell rate algorithm, one timestamp per chat)."""

    def __init__(
        self, interval: float = 1.0, burst: int = 3, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._tolerance = (burst - 1) * interval
        self._clock = clock
        self._due: dict[int, float] = {}  # when each chat's allowance is next full again

    def reserve(self, chat_id: int) -> float:
        """Seconds to wait before sending to `chat_id`; the slot is taken at once."""
        now = self._clock()
        if len(self._due) > TRACKED_BEFORE_CLEANUP:
            self._due = {chat: due for chat, due in self._due.items() if due > now}
        due = max(self._due.get(chat_id, now), now)
        self._due[chat_id] = due + self._interval
        return max(0.0, due - self._tolerance - now)


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter plus the per-chat pace for private chats (positive chat ids)."""

    def __init__(self, max_retries: int, pacer: ChatPacer | None = None) -> None:
        super().__init__(max_retries=max_retries)
        self._pacer = pacer or ChatPacer()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = _private_chat(data.get("chat_id"))
        if chat_id is not None:
            await asyncio.sleep(self._pacer.reserve(chat_id))
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def _private_chat(chat_id: object) -> int | None:
    """The id of a private chat (a positive number, given as int or str), else None."""
    with contextlib.suppress(ValueError, TypeError):
        number = int(chat_id)  # type: ignore[call-overload]
        return number if number > 0 else None
    return None
