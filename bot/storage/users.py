"""Users (one per channel account) and officials' profiles."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.database import Database, to_db
from handlers.ports import Profile, Registration, User

PROFILE_COLUMNS = "id, display_name, unit, position, registration, profile_revision"


class SqliteUsers:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert(
        self, channel: str, external_id: str, display_name: str, now: datetime
    ) -> User:
        """Record the account; returns the person it is: the account it was linked to
        with /lienket, else itself."""
        async with self._db.transaction() as db:
            rows = await db.execute_fetchall(
                """INSERT INTO users (channel, external_id, display_name, created_at, last_seen_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (channel, external_id)
                   DO UPDATE SET display_name = excluded.display_name,
                                 last_seen_at = excluded.last_seen_at
                   RETURNING id, person_id""",
                (channel, external_id, display_name, to_db(now), to_db(now)),
            )
        (row,) = rows
        if row["person_id"] is None:
            return User(row["id"], channel, external_id, display_name)
        person = await self.get(row["person_id"])
        assert person is not None
        return person

    async def get(self, user_id: int) -> User | None:
        row = await self._db.fetch_one(
            "SELECT id, channel, external_id, display_name FROM users WHERE id = ?", (user_id,)
        )
        if row is None:
            return None
        return User(row["id"], row["channel"], row["external_id"], row["display_name"])

    async def profile(self, user_id: int) -> Profile | None:
        row = await self._db.fetch_one(
            f"SELECT {PROFILE_COLUMNS} FROM users WHERE id = ?", (user_id,)
        )
        return _profile(row) if row is not None else None

    async def pending_profiles(self, limit: int) -> list[Profile]:
        """Profiles waiting for approval, oldest registration first."""
        rows = await self._db.fetch_all(
            f"""SELECT {PROFILE_COLUMNS} FROM users WHERE registration = 'pending'
                ORDER BY registered_at, id LIMIT ?""",
            (limit,),
        )
        return [_profile(row) for row in rows]

    async def save_profile(
        self, user_id: int, unit: str, position: str, registration: Registration, now: datetime
    ) -> Profile:
        """Store a completed profile and end the registration conversation, all or nothing.

        Every save is a new revision.
        """
        async with self._db.transaction() as db:
            await db.execute(
                """UPDATE users SET unit = ?, position = ?, registration = ?,
                                    profile_revision = profile_revision + 1,
                                    registered_at = ?, approved_at = NULL, approved_by = NULL
                   WHERE id = ?""",
                (unit, position, registration.value, to_db(now), user_id),
            )
            await db.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))
            async with db.execute(
                f"SELECT {PROFILE_COLUMNS} FROM users WHERE id = ?", (user_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None, "the dispatcher stores every user before routing"
        return _profile(row)

    async def approve(self, user_id: int, revision: int, approved_by: str, now: datetime) -> bool:
        """Approve a pending profile at `revision`; False when it changed or is not pending."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                """UPDATE users SET registration = 'approved', approved_at = ?, approved_by = ?
                   WHERE id = ? AND profile_revision = ? AND registration = 'pending'""",
                (to_db(now), approved_by, user_id, revision),
            )
        return cursor.rowcount == 1


def _profile(row: aiosqlite.Row) -> Profile:
    return Profile(
        user_id=row["id"], display_name=row["display_name"], unit=row["unit"],
        position=row["position"], registration=Registration(row["registration"]),
        revision=row["profile_revision"],
    )
