"""Hotline tickets, what happened on each, and the answers staff saved as drafts.

A claim is one conditional UPDATE, so of two staff pressing at once exactly one wins;
every other state change is conditional the same way, so a stale button does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.database import Database, from_db, to_db
from handlers.model import Address
from handlers.ports import KbDraft, NewTicket, Ticket, TicketEvent, TicketState

COLUMNS = """id, user_id, channel, chat_id, topic, team, official_name, unit, position, question,
             entry_id, state, claimed_by, claimed_name, opened_at, waiting_since,
             first_answer_at, closed_at, rating, comment, nudged_at, escalated_at"""


def _time(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _ticket(row: Any) -> Ticket:
    return Ticket(
        id=row["id"], user_id=row["user_id"], official=Address(row["channel"], row["chat_id"]),
        topic=row["topic"], team=row["team"], official_name=row["official_name"],
        unit=row["unit"], position=row["position"], question=row["question"],
        entry_id=row["entry_id"], state=TicketState(row["state"]),
        claimed_by=row["claimed_by"], claimed_name=row["claimed_name"],
        opened_at=from_db(row["opened_at"]), waiting_since=from_db(row["waiting_since"]),
        first_answer_at=_time(row["first_answer_at"]), closed_at=_time(row["closed_at"]),
        rating=row["rating"], comment=row["comment"], nudged_at=_time(row["nudged_at"]),
        escalated_at=_time(row["escalated_at"]),
    )


@dataclass(frozen=True)
class _Change:
    """One conditional UPDATE of a ticket: True when it changed the row."""

    sql: str

    async def run(self, db: Database, *values: Any) -> bool:
        async with db.transaction() as connection:
            cursor = await connection.execute(self.sql, values)
        return cursor.rowcount == 1


CLAIM = _Change("""UPDATE tickets SET state = 'claimed', claimed_by = ?, claimed_name = ?
                   WHERE id = ? AND claimed_by IS NULL AND state = 'open'""")
CLOSE = _Change("UPDATE tickets SET state = 'closed', closed_at = ? "
                "WHERE id = ? AND state != 'closed'")
REOPEN = _Change("""UPDATE tickets SET state = CASE WHEN claimed_by IS NULL THEN 'open'
                        ELSE 'claimed' END,
                        closed_at = NULL, waiting_since = ?, nudged_at = NULL,
                        escalated_at = NULL, rating = NULL, comment = NULL
                    WHERE id = ? AND state = 'closed'""")
HAND_OVER = _Change("""UPDATE tickets SET team = ?, state = 'open', claimed_by = NULL,
                           claimed_name = NULL, waiting_since = ?, nudged_at = NULL,
                           escalated_at = NULL
                       WHERE id = ? AND state != 'closed' AND team != ?""")
ANSWERED = _Change("UPDATE tickets SET first_answer_at = ? "
                   "WHERE id = ? AND first_answer_at IS NULL")
RATE = _Change("UPDATE tickets SET rating = ? WHERE id = ? AND user_id = ? AND state = 'closed'")
COMMENT = _Change("UPDATE tickets SET comment = ? "
                  "WHERE id = ? AND user_id = ? AND state = 'closed'")
NUDGED = _Change("UPDATE tickets SET nudged_at = ? WHERE id = ? AND nudged_at IS NULL")
ESCALATED = _Change("UPDATE tickets SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL")


class SqliteTickets:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, ticket: NewTicket, now: datetime) -> Ticket:
        async with self._db.transaction() as db:
            cursor = await db.execute(
                """INSERT INTO tickets (user_id, channel, chat_id, topic, team, official_name,
                                        unit, position, question, entry_id, opened_at,
                                        waiting_since)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (ticket.user_id, ticket.official.channel, ticket.official.chat_id, ticket.topic,
                 ticket.team, ticket.official_name, ticket.unit, ticket.position,
                 ticket.question, ticket.entry_id, to_db(now), to_db(now)),
            )
            ticket_id = cursor.lastrowid
        created = await self.get(int(ticket_id or 0))
        assert created is not None
        return created

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self._db.fetch_one(f"SELECT {COLUMNS} FROM tickets WHERE id = ?",
                                       (ticket_id,))
        return _ticket(row) if row else None

    async def of_user(self, user_id: int, limit: int) -> list[Ticket]:
        """The official's tickets, newest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM tickets WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_ticket(row) for row in rows]

    async def unfinished(self) -> list[Ticket]:
        """Every ticket not closed, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM tickets WHERE state != 'closed' ORDER BY opened_at, id"
        )
        return [_ticket(row) for row in rows]

    async def opened_between(self, start: datetime, end: datetime) -> list[Ticket]:
        rows = await self._db.fetch_all(
            f"""SELECT {COLUMNS} FROM tickets WHERE opened_at >= ? AND opened_at < ?
                ORDER BY id""",
            (to_db(start), to_db(end)),
        )
        return [_ticket(row) for row in rows]

    async def claim(self, ticket_id: int, staff_id: str, staff_name: str) -> bool:
        return await CLAIM.run(self._db, staff_id, staff_name, ticket_id)

    async def close(self, ticket_id: int, now: datetime) -> bool:
        return await CLOSE.run(self._db, to_db(now), ticket_id)

    async def reopen(self, ticket_id: int, now: datetime) -> bool:
        return await REOPEN.run(self._db, to_db(now), ticket_id)

    async def hand_over(self, ticket_id: int, team: str, now: datetime) -> bool:
        return await HAND_OVER.run(self._db, team, to_db(now), ticket_id, team)

    async def answered(self, ticket_id: int, now: datetime) -> bool:
        return await ANSWERED.run(self._db, to_db(now), ticket_id)

    async def rate(self, ticket_id: int, user_id: int, rating: int) -> bool:
        return await RATE.run(self._db, rating, ticket_id, user_id)

    async def comment(self, ticket_id: int, user_id: int, text: str) -> bool:
        return await COMMENT.run(self._db, text, ticket_id, user_id)

    async def nudged(self, ticket_id: int, now: datetime) -> bool:
        return await NUDGED.run(self._db, to_db(now), ticket_id)

    async def escalated(self, ticket_id: int, now: datetime) -> bool:
        return await ESCALATED.run(self._db, to_db(now), ticket_id)

    async def add_event(
        self, ticket_id: int, kind: str, author: str, text: str, now: datetime
    ) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "INSERT INTO ticket_events (ticket_id, kind, author, text, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (ticket_id, kind, author, text, to_db(now)),
            )

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self._db.fetch_all(
            "SELECT kind, author, text, at FROM ticket_events WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        return [TicketEvent(r["kind"], r["author"], r["text"], from_db(r["at"])) for r in rows]

    async def save_draft(
        self, ticket_id: int, question: str, answer: str, author: str, now: datetime
    ) -> int:
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO kb_drafts (ticket_id, question, answer, author, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (ticket_id, question, answer, author, to_db(now)),
            )
        return int(cursor.lastrowid or 0)

    async def drafts(self) -> list[KbDraft]:
        rows = await self._db.fetch_all(
            "SELECT id, ticket_id, question, answer, author, created_at FROM kb_drafts "
            "ORDER BY id"
        )
        return [KbDraft(r["id"], r["ticket_id"], r["question"], r["answer"], r["author"],
                        from_db(r["created_at"])) for r in rows]
