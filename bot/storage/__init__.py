"""The storage layer: every SQL statement of the bot lives in this package.

SQLite through aiosqlite, in WAL mode. The schema is versioned with numbered SQL files
in `migrations/`, applied in order at open time; `PRAGMA user_version` records how far a
database has come, so a database from any earlier version upgrades on start.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StorageError(Exception):
    """The database cannot be opened or used: a one-line reason for the operator."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The bundled migrations, ordered by version; versions run 1, 2, 3… without gaps."""
    folder = resources.files("bot.storage").joinpath("migrations")
    found = []
    for item in folder.iterdir():
        match = MIGRATION_NAME.match(item.name)
        if match:
            found.append(Migration(int(match.group(1)), item.name, item.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration versions must run 1..n without gaps: {found}")
    return found


@dataclass(frozen=True)
class User:
    id: int
    channel: str
    external_id: str
    display_name: str


class Registration(StrEnum):
    """How far an official's registration has come; staff tools need APPROVED."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"


@dataclass(frozen=True)
class Profile:
    user_id: int
    display_name: str
    unit: str | None
    position: str | None
    registration: Registration
    revision: int

    @property
    def approved(self) -> bool:
        """May use what needs a known official: the hotline, reminders, staff tools."""
        return self.registration is Registration.APPROVED


@dataclass(frozen=True)
class Conversation:
    """The step a person is at in a multi-message exchange, with what they chose so far."""

    user_id: int
    flow: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    user_id: int
    query: str
    normalized_query: str
    intent: str
    answer_id: str | None
    facet: str | None
    candidate_ids: tuple[str, ...]
    feedback: int | None


class Storage:
    """One SQLite database; open with `Storage.open(path)` and close when done."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        # One connection serves every coroutine: transactions and reads take turns on it.
        self._turn = asyncio.Lock()
        self._turn_holder: asyncio.Task[Any] | None = None

    @classmethod
    async def open(cls, path: Path | str, *, upto: int | None = None) -> Storage:
        """Open (creating if needed) and migrate; `upto` stops at a version (for tests)."""
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(str(path), isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StorageError(f"cannot open the database {path}: {err}") from None
        db.row_factory = aiosqlite.Row
        storage = cls(db)
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA busy_timeout = 5000")
            await storage._migrate(upto)
        except (sqlite3.DatabaseError, StorageError) as err:
            await db.close()
            raise StorageError(f"cannot use the database {path}: {err}") from None
        except BaseException:
            await db.close()
            raise
        return storage

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        row = await self._fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def _my_turn(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection to myself: reads never see another coroutine's uncommitted
        writes. Asking again while holding it is a bug that would wait forever: it raises."""
        task = asyncio.current_task()
        if task is not None and task is self._turn_holder:
            raise RuntimeError("storage used again inside its own transaction or read")
        async with self._turn:
            self._turn_holder = task
            try:
                yield self._db
            finally:
                self._turn_holder = None

    async def _fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._my_turn() as db, db.execute(sql, parameters) as cursor:
            return await cursor.fetchone()

    async def _fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._my_turn() as db, db.execute(sql, parameters) as cursor:
            return list(await cursor.fetchall())

    async def _migrate(self, upto: int | None) -> None:
        current = await self.schema_version()
        known = migrations()
        if current > len(known):
            raise StorageError(
                f"the database is at schema version {current}, newer than this program "
                f"knows ({len(known)}): upgrade commune-bot"
            )
        for migration in known:
            if migration.version <= current or (upto is not None and migration.version > upto):
                continue
            async with self.transaction():
                await _execute_script(self._db, migration.sql)
                await self._db.execute(f"PRAGMA user_version = {migration.version}")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error; one at a time."""
        async with self._my_turn() as db:
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                await db.rollback()
                raise
            await db.commit()

    async def upsert_user(
        self, channel: str, external_id: str, display_name: str, now: datetime
    ) -> User:
        async with self.transaction() as db:
            await db.execute(
                """INSERT INTO users (channel, external_id, display_name, created_at, last_seen_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (channel, external_id)
                   DO UPDATE SET display_name = excluded.display_name,
                                 last_seen_at = excluded.last_seen_at""",
                (channel, external_id, display_name, now.isoformat(), now.isoformat()),
            )
            async with db.execute(
                "SELECT id, channel, external_id, display_name FROM users "
                "WHERE channel = ? AND external_id = ?",
                (channel, external_id),
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return User(row["id"], row["channel"], row["external_id"], row["display_name"])

    async def log_question(
        self,
        *,
        user_id: int,
        query: str,
        normalized_query: str,
        intent: str,
        answer_id: str | None,
        facet: str | None,
        score: float,
        candidate_ids: Sequence[str],
        now: datetime,
    ) -> int:
        async with self.transaction() as db:
            cursor = await db.execute(
                """INSERT INTO question_log (user_id, query, normalized_query, intent, answer_id,
                                             facet, score, candidate_ids, asked_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (user_id, query, normalized_query, intent, answer_id, facet, score,
                 json.dumps(list(candidate_ids)), now.isoformat()),
            )
            log_id = cursor.lastrowid
        assert log_id is not None
        return log_id

    async def get_question(self, log_id: int) -> QuestionRecord | None:
        row = await self._fetch_one(
            """SELECT id, user_id, query, normalized_query, intent, answer_id, facet,
                      candidate_ids, feedback
               FROM question_log WHERE id = ?""",
            (log_id,),
        )
        if row is None:
            return None
        return QuestionRecord(
            id=row["id"], user_id=row["user_id"], query=row["query"],
            normalized_query=row["normalized_query"], intent=row["intent"],
            answer_id=row["answer_id"], facet=row["facet"],
            candidate_ids=tuple(json.loads(row["candidate_ids"])), feedback=row["feedback"],
        )

    async def set_feedback(self, log_id: int, user_id: int, value: int, now: datetime) -> bool:
        """Record 👍 (1) or 👎 (-1) on a question the user asked; False if it is not theirs."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE question_log SET feedback = ?, feedback_at = ? "
                "WHERE id = ? AND user_id = ?",
                (value, now.isoformat(), log_id, user_id),
            )
        return cursor.rowcount == 1

    async def get_user(self, user_id: int) -> User | None:
        row = await self._fetch_one(
            "SELECT id, channel, external_id, display_name FROM users WHERE id = ?", (user_id,)
        )
        if row is None:
            return None
        return User(row["id"], row["channel"], row["external_id"], row["display_name"])

    async def get_profile(self, user_id: int) -> Profile | None:
        row = await self._fetch_one(
            f"SELECT {PROFILE_COLUMNS} FROM users WHERE id = ?", (user_id,)
        )
        return _profile(row) if row is not None else None

    async def pending_profiles(self, limit: int) -> list[Profile]:
        """Profiles waiting for approval, oldest registration first."""
        rows = await self._fetch_all(
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
        async with self.transaction() as db:
            await db.execute(
                """UPDATE users SET unit = ?, position = ?, registration = ?,
                                    profile_revision = profile_revision + 1,
                                    registered_at = ?, approved_at = NULL, approved_by = NULL
                   WHERE id = ?""",
                (unit, position, registration.value, now.isoformat(), user_id),
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
        async with self.transaction() as db:
            cursor = await db.execute(
                """UPDATE users SET registration = 'approved', approved_at = ?, approved_by = ?
                   WHERE id = ? AND profile_revision = ? AND registration = 'pending'""",
                (now.isoformat(), approved_by, user_id, revision),
            )
        return cursor.rowcount == 1

    async def get_conversation(self, user_id: int) -> Conversation | None:
        row = await self._fetch_one(
            "SELECT user_id, flow, step, data, updated_at FROM conversations WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Conversation(
            user_id=row["user_id"], flow=row["flow"], step=row["step"],
            data=json.loads(row["data"]), updated_at=datetime.fromisoformat(row["updated_at"]),
        )

    async def set_conversation(
        self, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> None:
        async with self.transaction() as db:
            await db.execute(
                """INSERT INTO conversations (user_id, flow, step, data, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow,
                       step = excluded.step, data = excluded.data,
                       updated_at = excluded.updated_at""",
                (user_id, flow, step, json.dumps(data, ensure_ascii=False), now.isoformat()),
            )

    async def clear_conversation(self, user_id: int) -> None:
        async with self.transaction() as db:
            await db.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))


PROFILE_COLUMNS = "id, display_name, unit, position, registration, profile_revision"


def _profile(row: aiosqlite.Row) -> Profile:
    return Profile(
        user_id=row["id"], display_name=row["display_name"], unit=row["unit"],
        position=row["position"], registration=Registration(row["registration"]),
        revision=row["profile_revision"],
    )


async def _execute_script(db: aiosqlite.Connection, script: str) -> None:
    """Run a migration's statements one by one inside the open transaction.

    `executescript` would COMMIT first, breaking the all-or-nothing migration.
    """
    for statement in _split_statements(script):
        await db.execute(statement)


def _split_statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in pending.splitlines()
    ):
        raise ValueError(f"unterminated SQL statement in migration: {pending.strip()[:60]}")
    return statements
