"""Deadlines, their delivery ledger, confirmations, snoozes and broadcasts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db, to_db
from handlers.deadlines.spec import DeadlineSpec
from handlers.model import Address
from handlers.ports import (
    BroadcastProgress,
    Claim,
    Confirmation,
    ImportResult,
    Official,
    StoredDeadline,
)

# A person's accounts in other apps (`person_id`) are not officials of their own: they
# come with the person, as `elsewhere`, each "channel chat_id inactive" in one text.
OFFICIALS = """SELECT u.id, u.channel, u.external_id, u.display_name, u.unit, u.position,
                      c.inactive_since IS NOT NULL AS inactive,
                      (SELECT json_group_array(json_array(l.channel, l.external_id,
                                                          lc.inactive_since IS NOT NULL))
                       FROM users l LEFT JOIN chats lc
                            ON lc.channel = l.channel AND lc.chat_id = l.external_id
                       WHERE l.person_id = u.id) AS elsewhere
               FROM users u LEFT JOIN chats c
                    ON c.channel = u.channel AND c.chat_id = u.external_id
               WHERE u.registration = 'approved' AND u.unit IS NOT NULL
                     AND u.person_id IS NULL"""


class SqliteDeadlines:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, specs: Sequence[DeadlineSpec], origin: str, now: datetime,
                   prune: bool = False) -> ImportResult:
        """Add or update `specs` by id, all or nothing; deadlines of `origin` missing from
        `specs` are reported, and deleted with `prune`."""
        result = ImportResult([], [], [], [], [])
        async with self._db.transaction() as db:
            for spec in specs:
                record = spec.record()
                text = json.dumps(record, ensure_ascii=False, sort_keys=True)
                async with db.execute("SELECT spec FROM deadlines WHERE id = ?",
                                      (spec.id,)) as cursor:
                    row = await cursor.fetchone()
                if row is None:
                    await db.execute(
                        """INSERT INTO deadlines (id, spec, origin, created_at, updated_at,
                                                  announced_at) VALUES (?, ?, ?, ?, ?, ?)""",
                        (spec.id, text, origin, to_db(now), to_db(now), to_db(now)),
                    )
                    result.added.append(spec.id)
                    continue
                if row["spec"] == text:
                    result.unchanged.append(spec.id)
                    continue
                old = json.loads(row["spec"])
                moved = (old["due"], old["recurrence"]) != (record["due"], record["recurrence"])
                await db.execute(
                    """UPDATE deadlines SET spec = ?, origin = ?, updated_at = ?,
                           announced_at = CASE WHEN ? THEN ? ELSE announced_at END
                       WHERE id = ?""",
                    (text, origin, to_db(now), moved, to_db(now), spec.id),
                )
                result.updated.append(spec.id)
            ids = [spec.id for spec in specs]
            async with db.execute(
                f"SELECT id FROM deadlines WHERE origin = ? AND id NOT IN "
                f"({','.join('?' * len(ids))}) ORDER BY id", (origin, *ids),
            ) as cursor:
                result.missing.extend(row["id"] for row in await cursor.fetchall())
            if prune and result.missing:
                await db.executemany("DELETE FROM deadlines WHERE id = ?",
                                     [(i,) for i in result.missing])
                result.pruned.extend(result.missing)
        return result

    async def all(self) -> list[StoredDeadline]:
        rows = await self._db.fetch_all(
            "SELECT num, spec, origin, created_at, announced_at FROM deadlines ORDER BY num")
        return [_deadline(row) for row in rows]

    async def get(self, num: int) -> StoredDeadline | None:
        row = await self._db.fetch_one(
            "SELECT num, spec, origin, created_at, announced_at FROM deadlines WHERE num = ?",
            (num,))
        return _deadline(row) if row else None

    async def find(self, deadline_id: str) -> StoredDeadline | None:
        row = await self._db.fetch_one(
            "SELECT num, spec, origin, created_at, announced_at FROM deadlines WHERE id = ?",
            (deadline_id,))
        return _deadline(row) if row else None

    async def officials(self) -> list[Official]:
        return [_official(row) for row in await self._db.fetch_all(f"{OFFICIALS} ORDER BY u.id")]

    async def official(self, user_id: int) -> Official | None:
        row = await self._db.fetch_one(f"{OFFICIALS} AND u.id = ?", (user_id,))
        return _official(row) if row else None

    async def claimed(self, since_occurrence: str) -> set[tuple[int, str, str, str]]:
        rows = await self._db.fetch_all(
            "SELECT deadline, occurrence, recipient, kind FROM deadline_ledger "
            "WHERE occurrence >= ?", (since_occurrence,))
        return {(r[0], r[1], r[2], r[3]) for r in rows}

    async def claim(self, claims: Sequence[Claim], now: datetime) -> list[int | None]:
        """Ledger rows for `claims`; the id of each one claimed now, None if it already was.

        One statement for all (a sweep claims thousands); the rows added are those after
        the largest id before it, which the open write transaction keeps to this call.
        """
        if not claims:
            return []
        async with self._db.transaction() as db:
            async with db.execute("SELECT COALESCE(MAX(id), 0) FROM deadline_ledger") as cursor:
                row = await cursor.fetchone()
            before = row[0] if row else 0
            await db.executemany(
                """INSERT INTO deadline_ledger (deadline, occurrence, recipient, kind,
                                                claimed_at, late)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                [(c.deadline, c.occurrence, c.recipient, c.kind, to_db(now), c.late)
                 for c in claims],
            )
            async with db.execute(
                "SELECT id, deadline, occurrence, recipient, kind FROM deadline_ledger "
                "WHERE id > ?", (before,)
            ) as cursor:
                added = {(r[1], r[2], r[3], r[4]): r[0] for r in await cursor.fetchall()}
        return [added.get((c.deadline, c.occurrence, c.recipient, c.kind)) for c in claims]

    async def confirmations(self, since_occurrence: str) -> list[Confirmation]:
        rows = await self._db.fetch_all(
            "SELECT deadline, occurrence, scope, user_id, done_at FROM deadline_done "
            "WHERE occurrence >= ?", (since_occurrence,))
        return [Confirmation(r["deadline"], r["occurrence"], r["scope"], r["user_id"],
                             from_db(r["done_at"])) for r in rows]

    async def confirm(self, deadline: int, occurrence: str, scope: str, user_id: int,
                      now: datetime) -> bool:
        """Record a confirmation; False when `scope` had already confirmed."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                """INSERT INTO deadline_done (deadline, occurrence, scope, user_id, done_at)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                (deadline, occurrence, scope, user_id, to_db(now)),
            )
        return cursor.rowcount == 1

    async def snooze(self, deadline: int, occurrence: str, user_id: int,
                     until: datetime) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                """INSERT INTO deadline_snoozes (deadline, occurrence, user_id, until)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT DO UPDATE SET until = excluded.until""",
                (deadline, occurrence, user_id, to_db(until)),
            )

    async def snoozes(self, since_occurrence: str) -> dict[tuple[int, str, int], datetime]:
        rows = await self._db.fetch_all(
            "SELECT deadline, occurrence, user_id, until FROM deadline_snoozes "
            "WHERE occurrence >= ?", (since_occurrence,))
        return {(r[0], r[1], r[2]): from_db(r[3]) for r in rows}

    async def create_broadcast(self, text: str, audience: str, created_by: str,
                               recipients: int, skipped: int, now: datetime) -> int:
        async with self._db.transaction() as db:
            cursor = await db.execute(
                """INSERT INTO broadcasts (text, audience, created_by, recipients, skipped,
                                           created_at) VALUES (?, ?, ?, ?, ?, ?)""",
                (text, audience, created_by, recipients, skipped, to_db(now)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def broadcast(self, broadcast_id: int) -> BroadcastProgress | None:
        row = await self._db.fetch_one(
            """SELECT b.id, b.text, b.recipients, b.skipped, b.stopped_at,
                      COALESCE(SUM(o.state = 'delivered'), 0),
                      COALESCE(SUM(o.state = 'pending'), 0),
                      COALESCE(SUM(o.state = 'failed'), 0)
               FROM broadcasts b LEFT JOIN outbox o ON o.ref = 'broadcast:' || b.id
               WHERE b.id = ? GROUP BY b.id""",
            (broadcast_id,),
        )
        if row is None:
            return None
        return BroadcastProgress(row[0], row[1], row[2], row[3], int(row[5]), int(row[6]),
                                 int(row[7]), row[4] is not None)

    async def stop_broadcast(self, broadcast_id: int, now: datetime) -> int:
        """Stop what is not sent yet; returns how many messages will not go out."""
        async with self._db.transaction() as db:
            await db.execute("UPDATE broadcasts SET stopped_at = ? WHERE id = ?",
                             (to_db(now), broadcast_id))
            cursor = await db.execute(
                """UPDATE outbox SET state = 'failed', error = 'broadcast stopped',
                       finished_at = ? WHERE ref = ? AND state = 'pending'""",
                (to_db(now), f"broadcast:{broadcast_id}"),
            )
        return cursor.rowcount


def _deadline(row: aiosqlite.Row) -> StoredDeadline:
    return StoredDeadline(row["num"], DeadlineSpec.from_record(json.loads(row["spec"])),
                          row["origin"], from_db(row["created_at"]),
                          from_db(row["announced_at"]))


def _official(row: aiosqlite.Row) -> Official:
    """An official, inactive only when every chat of theirs refuses the bot."""
    linked = json.loads(row["elsewhere"] or "[]")
    inactive = bool(row["inactive"]) and all(refused for _, _, refused in linked)
    return Official(row["id"], row["channel"], row["external_id"], row["display_name"],
                    row["unit"], row["position"] or "", inactive,
                    tuple(Address(channel, chat_id) for channel, chat_id, _ in linked))
