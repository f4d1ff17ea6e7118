"""Zalo users as the OA's reply window sees them: when they last wrote, how many
messages they were sent since, and a phone number they agreed to receive ZNS on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database, from_db, to_db


@dataclass(frozen=True)
class ZaloContact:
    user_id: str
    last_interaction_at: datetime
    last_message_id: str | None
    replies_since: int
    phone: str | None


class SqliteZaloContacts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def wrote(self, user_id: str, message_id: str | None, at: datetime) -> None:
        """The person wrote (or pressed a button): the free window starts again."""
        async with self._db.transaction() as db:
            await db.execute(
                """INSERT INTO zalo_contacts (user_id, last_interaction_at, last_message_id)
                   VALUES (?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET
                       last_interaction_at = MAX(last_interaction_at,
                                                 excluded.last_interaction_at),
                       last_message_id = COALESCE(excluded.last_message_id, last_message_id),
                       replies_since = 0""",
                (user_id, to_db(at), message_id),
            )

    async def get(self, user_id: str) -> ZaloContact | None:
        row = await self._db.fetch_one(
            "SELECT * FROM zalo_contacts WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        return ZaloContact(row["user_id"], from_db(row["last_interaction_at"]),
                           row["last_message_id"], row["replies_since"], row["phone"])

    async def replied(self, user_id: str) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE zalo_contacts SET replies_since = replies_since + 1 WHERE user_id = ?",
                (user_id,),
            )

    async def set_phone(self, user_id: str, phone: str | None, now: datetime) -> None:
        """A phone number the person agreed to receive ZNS messages on (None: withdrawn)."""
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE zalo_contacts SET phone = ?, phone_consent_at = ? WHERE user_id = ?",
                (phone, to_db(now) if phone else None, user_id),
            )
