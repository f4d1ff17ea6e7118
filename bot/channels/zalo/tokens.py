"""The OA's access token, kept fresh: one refresh at a time, each new pair stored at once.

- The access token lives about 25 h (`expires_in` is trusted); a refresh runs when less
  than an hour is left, and once, reactively, when Zalo calls the token invalid.
- The refresh token works once. Refreshes are serialised in the process (a lock: two
  callers at once make one call, and both get the new token) and claimed in the
  database (`SqliteZaloTokens.claim_refresh`); the one-process-per-database lock keeps
  other processes out.
- When the refresh token is dead (refused, or spent by a refresh whose answer was
  never stored), `on_dead` is told once — the log and the supervisors' chat — and
  `TokenDead` is raised: a person must run `commune-bot zalo auth` again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import NoReturn

import httpx

from bot.channels.zalo.api import TokenRejected, ZaloApi
from bot.storage.zalo_tokens import Claim, SqliteZaloTokens, ZaloToken

log = logging.getLogger(__name__)

REFRESH_BEFORE = timedelta(hours=1)


class TokenDead(Exception):
    """No usable token: a person must authorise the app again."""


class TokenSource:
    def __init__(
        self,
        app_id: str,
        api: ZaloApi,
        store: SqliteZaloTokens,
        clock: Callable[[], datetime],
        on_dead: Callable[[str], Awaitable[None]],
    ) -> None:
        self._app_id = app_id
        self._api = api
        self._store = store
        self._clock = clock
        self._on_dead = on_dead
        self._lock = asyncio.Lock()
        self._refreshes: set[asyncio.Task[str]] = set()

    async def access_token(self) -> str:
        """A valid access token, refreshed first when less than an hour is left."""
        token = await self._usable()
        if self._expiring(token):
            return await self.refresh(token.access_token)
        return token.access_token

    async def refresh(self, stale: str) -> str:
        """A new access token in place of `stale`; a caller that waited for another
        caller's refresh gets that one's token without a second call.

        Once the token endpoint is called, its answer must be stored: the refresh runs
        in its own task that a cancelled caller (the bot stopping) does not cancel, and
        `settle` waits for it.
        """
        task = asyncio.create_task(self._refresh(stale))
        self._refreshes.add(task)
        task.add_done_callback(self._refreshes.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for the refreshes under way (before the database closes)."""
        await asyncio.gather(*self._refreshes, return_exceptions=True)

    async def _refresh(self, stale: str) -> str:
        async with self._lock:
            token = await self._usable()
            if token.access_token != stale and not self._expiring(token):
                return token.access_token
            claim, token = await self._store.claim_refresh(self._app_id, self._clock())
            if claim is Claim.INTERRUPTED:
                await self.ensure_alive()
            if claim is not Claim.CLAIMED:
                await self._usable()  # raises for a missing or dead token
            assert token is not None
            try:
                pair = await self._api.refresh(token.refresh_token)
            except TokenRejected as err:
                await self._dead(f"Zalo refused the refresh token ({err})")
            except httpx.HTTPError:
                await self._store.release(self._app_id)  # unspent: try again later
                raise
            await self._store.store(self._app_id, pair.access_token, pair.refresh_token,
                                    pair.expires_at(self._clock()), self._clock())
            log.info("Zalo access token refreshed; valid for %.0f h", pair.expires_in / 3600)
            return pair.access_token

    async def ensure_alive(self) -> None:
        """Raise `TokenDead` when there is no usable token, or when a refresh was under
        way when the last process ended: its answer is lost and the refresh token spent
        (this process holds the instance lock, so no other refresh can be running)."""
        token = await self._usable()
        if token.refreshing_since is not None:
            await self._dead(
                "a token refresh started at "
                f"{token.refreshing_since:%Y-%m-%d %H:%M} UTC never stored its answer, "
                "so the refresh token is spent"
            )

    async def next_check(self) -> float:
        """Seconds until the token should be refreshed (0: now)."""
        token = await self._usable()
        due = token.expires_at - REFRESH_BEFORE - self._clock()
        return max(0.0, due.total_seconds())

    async def _usable(self) -> ZaloToken:
        token = await self._store.get(self._app_id)
        if token is None:
            raise TokenDead(f"no Zalo token is stored for app {self._app_id}: run "
                            "`commune-bot zalo auth --code CODE` (or --refresh-token TOKEN)")
        if token.dead_reason is not None:
            raise TokenDead(f"the Zalo token must be renewed ({token.dead_reason}): run "
                            "`commune-bot zalo auth --code CODE` (or --refresh-token TOKEN)")
        return token

    def _expiring(self, token: ZaloToken) -> bool:
        return token.expires_at - self._clock() < REFRESH_BEFORE

    async def _dead(self, reason: str) -> NoReturn:
        if await self._store.mark_dead(self._app_id, reason, self._clock()):
            log.error("Zalo: %s; a person must authorise the app again "
                      "(commune-bot zalo auth); Zalo stops, other channels go on", reason)
            await self._on_dead(reason)
        raise TokenDead(f"the Zalo token must be renewed ({reason})")
