"""The outbox: every message to send, stored before it is sent, until delivered or failed.

Rows are written in the same transaction as the state that caused them (an answer with
its question log, a relay with its ticket). The unique `key` makes each send happen
once. Which rows are being sent right now is kept by the sender in memory: after a
crash they are simply pending again, and those are the only messages that may go out
twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.delivery.envelope import Envelope, envelope
from bot.storage.database import Database, from_db, to_db
from handlers.model import Address, Priority


@dataclass(frozen=True)
class NewMessage:
    key: str
    address: Address
    priority: int
    payload: str
    ref: str | None = None


@dataclass(frozen=True)
class DueMessage:
    """A pending message whose time has come; its payload is decoded only to send it."""

    id: int
    address: Address
    priority: Priority
    attempts: int
    chat_inactive: bool
    payload: str
    parts_done: int
    ref: str | None
    key: str

    def envelope(self) -> Envelope:
        return envelope(self.id, self.address, self.priority, self.payload, self.parts_done,
                        self.ref, self.key)


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    delivered: int
    failed: int


class SqliteOutbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, messages: Sequence[NewMessage], now: datetime) -> list[DueMessage]:
        """Store messages to send, due now; a key already stored is ignored. Returns the
        rows it added."""
        added = []
        async with self._db.transaction() as db:
            for message in messages:
                address = message.address
                cursor = await db.execute(
                    """INSERT INTO outbox (key, channel, chat_id, thread_id, priority, payload,
                                           ref, created_at, next_try_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING""",
                    (message.key, address.channel, address.chat_id, address.thread_id,
                     message.priority, message.payload, message.ref, to_db(now), to_db(now)),
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    added.append(DueMessage(cursor.lastrowid, address, Priority(message.priority),
                                            0, False, message.payload, 0, message.ref,
                                            message.key))
        return added

    async def due(
        self, channel: str, now: datetime, limit: int, skip: Sequence[int] = (),
        chat_id: str | None = None,
    ) -> list[DueMessage]:
        """Pending messages whose time has come, most urgent first; `skip` are in flight;
        `chat_id`: only those to that chat (a terminal showing one chat of several)."""
        placeholders = ",".join("?" * len(skip))
        rows = await self._db.fetch_all(
            f"""SELECT o.id, o.chat_id, o.thread_id, o.priority, o.attempts, o.payload,
                       o.parts_done, o.ref, o.key, c.inactive_since IS NOT NULL AS inactive
                FROM outbox o LEFT JOIN chats c
                     ON c.channel = o.channel AND c.chat_id = o.chat_id
                WHERE o.channel = ? AND o.state = 'pending' AND o.next_try_at <= ?
                      AND o.id NOT IN ({placeholders}) AND (? IS NULL OR o.chat_id = ?)
                ORDER BY o.priority, o.id LIMIT ?""",
            (channel, to_db(now), *skip, chat_id, chat_id, limit),
        )
        return [
            DueMessage(r["id"], Address(channel, r["chat_id"], r["thread_id"]),
                       Priority(r["priority"]), r["attempts"], bool(r["inactive"]),
                       r["payload"], r["parts_done"], r["ref"], r["key"])
            for r in rows
        ]

    async def next_due_at(self, channel: str) -> datetime | None:
        row = await self._db.fetch_one(
            "SELECT MIN(next_try_at) FROM outbox WHERE channel = ? AND state = 'pending'",
            (channel,),
        )
        return from_db(row[0]) if row and row[0] else None

    async def part_delivered(self, row_id: int, message_id: str) -> None:
        """One part of a long message went out: a restart sends only the parts after it."""
        await self._db.write(
            """UPDATE outbox SET parts_done = parts_done + 1,
                   delivered_ids = json_insert(delivered_ids, '$[#]', ?)
               WHERE id = ?""",
            (message_id, row_id),
        )

    async def delivered_together(
        self, messages: Sequence[tuple[Envelope, str | None]], now: datetime
    ) -> None:
        """`delivered` for several messages (with the id of each one's last part). The
        usual answers, in one part and with no `ref`, take one trip for all."""
        plain: list[tuple[Envelope, str | None]] = []
        others: list[tuple[Envelope, str | None]] = []
        for message, last in messages:
            simple = message.parts_done == 0 and message.ref is None
            (plain if simple else others).append((message, last))
        if plain:
            # Urgent: the sender holds further messages back until these are stored.
            await self._db.write_many(
                """UPDATE outbox SET state = 'delivered', delivered_ids = ?, finished_at = ?,
                       parts_done = ?, error = NULL WHERE id = ?""",
                [(json.dumps([last] if last else []), to_db(now), int(last is not None), m.id)
                 for m, last in plain],
                urgent=True,
            )
        for message, last in others:
            await self.delivered(message, last, now)

    async def delivered(
        self, message: Envelope, last_message_id: str | None, now: datetime
    ) -> list[str]:
        """Mark delivered and record every message id under the message's `ref`, at once."""
        ids = [] if last_message_id is None else [last_message_id]
        async with self._db.transaction() as db:
            if message.parts_done > 0:  # earlier parts went out before a restart
                async with db.execute(
                    "SELECT delivered_ids FROM outbox WHERE id = ?", (message.id,)
                ) as cursor:
                    row = await cursor.fetchone()
                ids = [*(json.loads(row[0]) if row else []), *ids]
            await db.execute(
                """UPDATE outbox SET state = 'delivered', delivered_ids = ?, finished_at = ?,
                       parts_done = ?, error = NULL WHERE id = ?""",
                (json.dumps(ids), to_db(now), len(ids), message.id),
            )
            if message.ref is not None:
                await db.executemany(
                    """INSERT OR REPLACE INTO message_refs
                           (channel, chat_id, message_id, ref, outbox_id) VALUES (?, ?, ?, ?, ?)""",
                    [(message.address.channel, message.address.chat_id, message_id, message.ref,
                      message.id) for message_id in ids],
                )
        return ids

    async def retry_at(self, row_id: int, at: datetime, error: str) -> None:
        await self._db.write(
            "UPDATE outbox SET attempts = attempts + 1, next_try_at = ?, error = ? WHERE id = ?",
            (to_db(at), error, row_id),
        )

    async def hold_chat(self, address: Address, until: datetime) -> None:
        """Nothing pending for this chat goes out before `until` (the chat app asked)."""
        async with self._db.transaction() as db:
            await db.execute(
                """UPDATE outbox SET next_try_at = MAX(next_try_at, ?)
                   WHERE channel = ? AND chat_id = ? AND state = 'pending'""",
                (to_db(until), address.channel, address.chat_id),
            )

    async def failed(self, row_id: int, reason: str, now: datetime) -> None:
        await self._db.write(
            "UPDATE outbox SET state = 'failed', error = ?, finished_at = ?, "
            "attempts = attempts + 1 WHERE id = ?",
            (reason, to_db(now), row_id),
        )

    async def redirect(self, row_id: int, address: Address, reason: str, now: datetime) -> None:
        """Send a pending message to `address` (another app) instead, now; it keeps its
        key, so it is delivered in one app only, and no other fallback."""
        await self._db.write(
            """UPDATE outbox SET channel = ?, chat_id = ?, thread_id = NULL, next_try_at = ?,
                   error = ?, payload = json_remove(payload, '$.fallback')
               WHERE id = ? AND state = 'pending'""",
            (address.channel, address.chat_id, to_db(now), reason, row_id),
        )

    async def ref_of(self, address: Address, message_id: str) -> str | None:
        """What a delivered message belongs to ("ticket:12"), from its chat and id."""
        row = await self._db.fetch_one(
            "SELECT ref FROM message_refs WHERE channel = ? AND chat_id = ? AND message_id = ?",
            (address.channel, address.chat_id, message_id),
        )
        return row["ref"] if row else None

    async def thread_for(self, chat: Address, ref: str) -> tuple[bool, str | None]:
        """(known, thread id) of the thread opened in `chat` for `ref`; a known None: the
        chat has no threads."""
        row = await self._db.fetch_one(
            "SELECT thread_id FROM message_threads WHERE channel = ? AND chat_id = ? AND ref = ?",
            (chat.channel, chat.chat_id, ref),
        )
        return (row is not None, row["thread_id"] if row else None)

    async def save_thread(self, chat: Address, ref: str, thread_id: str | None) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                """INSERT OR REPLACE INTO message_threads (channel, chat_id, ref, thread_id)
                   VALUES (?, ?, ?, ?)""",
                (chat.channel, chat.chat_id, ref, thread_id),
            )

    async def ref_of_thread(self, address: Address) -> str | None:
        """What the thread `address` names was opened for ("ticket:12")."""
        if address.thread_id is None:
            return None
        row = await self._db.fetch_one(
            "SELECT ref FROM message_threads WHERE channel = ? AND chat_id = ? AND thread_id = ?",
            (address.channel, address.chat_id, address.thread_id),
        )
        return row["ref"] if row else None

    async def counts(self, channel: str | None = None) -> OutboxCounts:
        row = await self._db.fetch_one(
            """SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'delivered'), 0),
                      COALESCE(SUM(state = 'failed'), 0)
               FROM outbox WHERE ? IS NULL OR channel = ?""",
            (channel, channel),
        )
        assert row is not None
        return OutboxCounts(int(row[0]), int(row[1]), int(row[2]))
