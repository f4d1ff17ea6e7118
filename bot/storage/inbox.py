"""The inbox: every update as received, unique per channel and update id, until handled.

An update is written here before the chat app is told it arrived (the next getUpdates
offset, the webhook's 200), so a crash loses nothing; a redelivered update hits the
unique key and is ignored; at start, what was received but not handled is handled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.database import Database, to_db


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    update_id: str
    payload: Mapping[str, Any]


class SqliteInbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def receive(
        self,
        channel: str,
        updates: Sequence[tuple[str, Mapping[str, Any]]],
        now: datetime,
    ) -> list[InboxRow]:
        """Store updates in one transaction; returns those not seen before, in order."""
        fresh = []
        async with self._db.transaction() as db:
            for update_id, payload in updates:
                inserted = await db.execute_fetchall(
                    """INSERT INTO inbox (channel, update_id, payload, received_at)
                       VALUES (?, ?, ?, ?) ON CONFLICT (channel, update_id) DO NOTHING
                       RETURNING id""",
                    (channel, update_id, json.dumps(payload, ensure_ascii=False), to_db(now)),
                )
                for row in inserted:
                    fresh.append(InboxRow(row["id"], channel, update_id, payload))
        return fresh

    async def unhandled(self, channels: Sequence[str]) -> list[InboxRow]:
        """What `channels` received and did not handle, oldest first (the backlog at start)."""
        rows = await self._db.fetch_all(
            f"""SELECT id, channel, update_id, payload FROM inbox
                WHERE handled_at IS NULL AND channel IN ({",".join("?" * len(channels))})
                ORDER BY id""",
            tuple(channels),
        )
        return [
            InboxRow(r["id"], r["channel"], r["update_id"], json.loads(r["payload"]))
            for r in rows
        ]

    async def mark_handled(self, row_id: int, now: datetime) -> bool:
        """Mark handled; False when it already was (the caller's work is then undone)."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "UPDATE inbox SET handled_at = ? WHERE id = ? AND handled_at IS NULL",
                (to_db(now), row_id),
            )
        return cursor.rowcount == 1
