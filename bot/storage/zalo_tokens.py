"""The Zalo OA's token pair, kept in the database and never in the config file.

The refresh token works once: every refresh returns a new pair, stored here in one
transaction. A refresh is claimed first (`refreshing_since`), so that only one runs at
a time and a refresh whose answer was never stored (the process died in between) is
recognised afterwards: the old refresh token is then spent and a person must
re-authorise, rather than the bot trying it again and again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from bot.storage.database import Database, from_db, to_db


@dataclass(frozen=True)
class ZaloToken:
    access_token: str
    refresh_token: str
    expires_at: datetime
    refreshing_since: datetime | None = None
    dead_reason: str | None = None


class Claim(StrEnum):
    CLAIMED = "claimed"  # this caller refreshes now
    MISSING = "missing"  # no token stored: `commune-bot zalo auth` first
    DEAD = "dead"  # re-authorisation needed
    INTERRUPTED = "interrupted"  # an earlier refresh never stored its answer


class SqliteZaloTokens:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, app_id: str) -> ZaloToken | None:
        row = await self._db.fetch_one("SELECT * FROM zalo_tokens WHERE app_id = ?", (app_id,))
        return _token(row) if row is not None else None

    async def store(
        self, app_id: str, access: str, refresh: str, expires_at: datetime, now: datetime
    ) -> None:
        """A new pair (from a refresh or an authorisation), clearing any claim and death."""
        async with self._db.transaction() as db:
            await db.execute(
                """INSERT INTO zalo_tokens (app_id, access_token, refresh_token, expires_at,
                                            updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (app_id) DO UPDATE SET
                       access_token = excluded.access_token,
                       refresh_token = excluded.refresh_token,
                       expires_at = excluded.expires_at, updated_at = excluded.updated_at,
                       refreshing_since = NULL, dead_reason = NULL""",
                (app_id, access, refresh, to_db(expires_at), to_db(now)),
            )

    async def claim_refresh(self, app_id: str, now: datetime) -> tuple[Claim, ZaloToken | None]:
        """Mark a refresh as under way (committed before the token endpoint is called)."""
        async with self._db.transaction() as db:
            async with db.execute(
                "SELECT * FROM zalo_tokens WHERE app_id = ?", (app_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return Claim.MISSING, None
            token = _token(row)
            if token.dead_reason is not None:
                return Claim.DEAD, token
            if token.refreshing_since is not None:
                return Claim.INTERRUPTED, token
            await db.execute(
                "UPDATE zalo_tokens SET refreshing_since = ? WHERE app_id = ?",
                (to_db(now), app_id),
            )
        return Claim.CLAIMED, token

    async def release(self, app_id: str) -> None:
        """The refresh never reached Zalo: the refresh token is unspent, try again later."""
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE zalo_tokens SET refreshing_since = NULL WHERE app_id = ?", (app_id,)
            )

    async def mark_dead(self, app_id: str, reason: str, now: datetime) -> bool:
        """Record that a person must re-authorise; False when it was already recorded."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                """UPDATE zalo_tokens SET dead_reason = ?, refreshing_since = NULL,
                       updated_at = ? WHERE app_id = ? AND dead_reason IS NULL""",
                (reason, to_db(now), app_id),
            )
        return cursor.rowcount == 1


def _token(row: aiosqlite.Row) -> ZaloToken:
    since = row["refreshing_since"]
    return ZaloToken(row["access_token"], row["refresh_token"], from_db(row["expires_at"]),
                     from_db(since) if since else None, row["dead_reason"])
