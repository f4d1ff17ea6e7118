"""The step each person is at in a multi-message exchange (registration, a ticket…)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.storage.database import Database, from_db, to_db
from handlers.ports import Conversation


class SqliteConversations:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> Conversation | None:
        row = await self._db.fetch_one(
            "SELECT user_id, flow, step, data, updated_at FROM conversations WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Conversation(
            user_id=row["user_id"], flow=row["flow"], step=row["step"],
            data=json.loads(row["data"]), updated_at=from_db(row["updated_at"]),
        )

    async def set(
        self, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                """INSERT INTO conversations (user_id, flow, step, data, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow,
                       step = excluded.step, data = excluded.data,
                       updated_at = excluded.updated_at""",
                (user_id, flow, step, json.dumps(data, ensure_ascii=False), to_db(now)),
            )

    async def clear(self, user_id: int) -> None:
        async with self._db.transaction() as db:
            await db.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))
