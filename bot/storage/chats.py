"""Chats that refuse the bot's messages: blocked by the person, or the bot left the group.

Nothing is sent to an inactive chat until it writes to the bot again.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database, to_db
from handlers.model import Address


class SqliteChats:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def mark_inactive(self, address: Address, reason: str, now: datetime) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                """INSERT INTO chats (channel, chat_id, inactive_since, inactive_reason)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (channel, chat_id) DO UPDATE SET
                       inactive_since = excluded.inactive_since,
                       inactive_reason = excluded.inactive_reason""",
                (address.channel, address.chat_id, to_db(now), reason),
            )

    async def mark_active(self, address: Address) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "DELETE FROM chats WHERE channel = ? AND chat_id = ?",
                (address.channel, address.chat_id),
            )

    async def is_active(self, address: Address) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM chats WHERE channel = ? AND chat_id = ? "
            "AND inactive_since IS NOT NULL",
            (address.channel, address.chat_id),
        )
        return row is None
