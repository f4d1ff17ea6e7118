"""The SQLite database: one connection, transactions that take turns, numbered migrations.

SQLite through aiosqlite, in WAL mode. The schema is versioned with numbered SQL files
in `migrations/`, applied in order at open time; `PRAGMA user_version` records how far a
database has come, so a database from any earlier version upgrades on start.

Every time is stored as UTC text of one fixed width (`to_db`), so that text comparisons
(`due_at <= ?`) order like the times they hold.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.storage.turn import Turn

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
T = TypeVar("T")
# How long SQLite itself waits for another process's write lock before saying "locked".
BUSY_TIMEOUT_MS = 5000
# How long a write waits in all for a database locked by another process (an admin
# command, a backup) before giving up: retried, with a log line each time.
LOCK_PATIENCE_S = 600.0


class StorageError(Exception):
    """The database cannot be opened or used: a one-line reason for the operator."""


def to_db(moment: datetime) -> str:
    """An aware datetime as stored: UTC, fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous: pass an aware one")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def from_db(text: str) -> datetime:
    moment = datetime.fromisoformat(text)  # twenty times faster than strptime
    if moment.tzinfo is None:
        raise ValueError(f"a stored time without its zone: {text!r}")
    return moment


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


class Database:
    """One SQLite connection shared by every coroutine of the process.

    Transactions and reads take turns on it. A coroutine inside a transaction that calls
    other storage code joins that transaction, so one update's handling — its state, its
    outgoing messages and the mark that it was handled — commits or rolls back whole.
    """

    def __init__(self, db: aiosqlite.Connection, busy_retry_s: float) -> None:
        self._db = db
        self._turn = Turn()
        self._holder: asyncio.Task[Any] | None = None
        self._in_transaction = False
        self._busy_retry_s = busy_retry_s

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        upto: int | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> Database:
        """Open (creating if needed) and migrate; `upto` stops at a version (for tests)."""
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(str(path), isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StorageError(f"cannot open the database {path}: {err}") from None
        db.row_factory = aiosqlite.Row
        database = cls(db, busy_retry_s=max(busy_timeout_ms / 1000, 0.05))
        try:
            await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await database._retry_locked(lambda: db.execute("PRAGMA journal_mode = WAL"))
            # In WAL mode, NORMAL survives a crash of the process (kill -9) without an
            # fsync per commit; only a power cut may lose the last transactions.
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await database._migrate(upto)
        except (sqlite3.DatabaseError, StorageError) as err:
            await db.close()
            raise StorageError(f"cannot use the database {path}: {err}") from None
        except BaseException:
            await db.close()
            raise
        return database

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error; joins an open one.

        A database locked by another process is waited for and retried, never failed,
        for up to LOCK_PATIENCE_S.
        """
        if self._holds_turn() and self._in_transaction:
            yield self._db
            return
        async with self._my_turn() as db:
            await self._retry_locked(lambda: db.execute("BEGIN IMMEDIATE"))
            self._in_transaction = True
            try:
                yield db
            except BaseException:
                await db.rollback()
                raise
            else:
                await db.commit()
            finally:
                self._in_transaction = False

    async def write(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """One statement, committed by itself (or joining the open transaction): fewer
        round trips than BEGIN … COMMIT for the sender's bookkeeping. Rows changed."""
        cursor = await self._one_trip(lambda db: db.execute(sql, parameters))
        return cursor.rowcount

    async def write_returning(
        self, sql: str, parameters: Sequence[Any] = ()
    ) -> list[aiosqlite.Row]:
        """One statement that changes rows and returns some (RETURNING), committed by
        itself unless it joins the open transaction."""
        return list(await self._one_trip(lambda db: db.execute_fetchall(sql, parameters)))

    async def write_many(
        self, sql: str, rows: Sequence[Sequence[Any]], *, urgent: bool = False
    ) -> None:
        """One statement for each of `rows`; each is committed by itself unless they join
        the open transaction. `urgent`: ahead of the transactions waiting for their turn
        (small writes that others wait on)."""
        await self._one_trip(lambda db: db.executemany(sql, rows), urgent)

    async def _one_trip(
        self, run: Callable[[aiosqlite.Connection], Awaitable[T]], urgent: bool = False
    ) -> T:
        """`run` in one trip to the database thread: inside this task's open transaction,
        else in a turn of its own, waiting for another process's write lock."""
        if self._holds_turn() and self._in_transaction:
            return await run(self._db)
        async with self._my_turn(urgent) as db:
            return cast(T, await self._retry_locked(lambda: run(db)))

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, parameters)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        # One trip to the database thread (execute, fetch and close at once).
        async with self._reading() as db:
            return list(await db.execute_fetchall(sql, parameters))

    def _holds_turn(self) -> bool:
        task = asyncio.current_task()
        return task is not None and task is self._holder

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read sees committed data, or the open transaction of its own task."""
        if self._holds_turn():
            yield self._db
            return
        async with self._my_turn() as db:
            yield db

    @asynccontextmanager
    async def _my_turn(self, urgent: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        await self._turn.acquire(urgent)
        self._holder = asyncio.current_task()
        try:
            yield self._db
        finally:
            self._holder = None
            self._turn.release()

    async def _retry_locked(self, attempt: Any) -> Any:
        """`await attempt()`, again while another process holds the write lock."""
        waited = 0.0
        while True:
            try:
                return await attempt()
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    raise
                waited += self._busy_retry_s
                if waited > LOCK_PATIENCE_S:
                    raise StorageError(f"the database stayed locked for {waited:.0f} s") from err
                log.warning("the database is locked by another process; waiting (%.0f s)", waited)
                await asyncio.sleep(0.05)

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
            async with self.transaction() as db:
                await _execute_script(db, migration.sql)
                await db.execute(f"PRAGMA user_version = {migration.version}")


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
