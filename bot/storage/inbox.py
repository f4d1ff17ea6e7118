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
        """Store updates in one statement; returns those not seen before, in order."""
        payloads: dict[str, Mapping[str, Any]] = {}
        for update_id, payload in updates:
            payloads.setdefault(str(update_id), payload)  # the first of an update sent twice
        if not payloads:
            return []
        received = to_db(now)
        values = [
            value
            for update_id, payload in payloads.items()
            for value in (channel, update_id, json.dumps(payload, ensure_ascii=False), received)
        ]
        inserted = await self._db.write_returning(
            f"""INSERT INTO inbox (channel, update_id, payload, received_at)
                VALUES {", ".join(["(?, ?, ?, ?)"] * len(payloads))}
                ON CONFLICT (channel, update_id) DO NOTHING
                RETURNING id, update_id""",
            values,
        )
        rows = sorted(inserted, key=lambda row: row["id"])  # ids grow in the order received
        return [InboxRow(r["id"], channel, r["update_id"], payloads[r["update_id"]])
                for r in rows]

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
