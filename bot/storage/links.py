"""Linking one person's accounts in two chat apps with a short code.

The account that keeps its id (the person) is the one with a profile, else the one
that asked for the code; the other account, and any account linked to it, then point
to the person (`users.person_id`), and everything kept under its id moves to the
person in the same transaction: questions, tickets, deadline confirmations, snoozes
and reminders already claimed, so that /phieu and /viec show one list in both apps.
Where both accounts hold the same row (both confirmed one deadline), the person's stays.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, to_db
from handlers.ports import LinkOutcome, LinkResult, User

CODE_DIGITS = 6

# What is kept under a user's id, moved from the other account to the person. `OR
# IGNORE` keeps the person's row where both have one; LEFT_OVER then drops the other's.
MOVES = (
    "UPDATE question_log SET user_id = :person WHERE user_id = :other",
    "UPDATE tickets SET user_id = :person WHERE user_id = :other",
    """UPDATE OR IGNORE deadline_done SET user_id = :person,
           scope = CASE WHEN scope = 'user:' || :other THEN 'user:' || :person ELSE scope END
       WHERE user_id = :other""",
    "UPDATE OR IGNORE deadline_snoozes SET user_id = :person WHERE user_id = :other",
    """UPDATE OR IGNORE deadline_ledger SET recipient = 'user:' || :person
       WHERE recipient = 'user:' || :other""",
)
LEFT_OVER = (
    "DELETE FROM deadline_done WHERE user_id = :other",
    "DELETE FROM deadline_snoozes WHERE user_id = :other",
    "DELETE FROM deadline_ledger WHERE recipient = 'user:' || :other",
    "DELETE FROM conversations WHERE user_id = :other",
    "DELETE FROM link_codes WHERE user_id = :other",
)


class SqliteLinks:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def issue(self, user_id: int, expires_at: datetime, now: datetime) -> str:
        """A new code for `user_id` (their earlier codes no longer work)."""
        async with self._db.transaction() as db:
            await db.execute("DELETE FROM link_codes WHERE user_id = ? OR expires_at <= ?",
                             (user_id, to_db(now)))
            while True:
                code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
                cursor = await db.execute(
                    "INSERT INTO link_codes (code, user_id, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (code) DO NOTHING", (code, user_id, to_db(expires_at)))
                if cursor.rowcount == 1:
                    return code

    async def redeem(self, code: str, user: User, now: datetime) -> LinkResult:
        """Link the person who typed `code` (`user`, already resolved to its person) with
        the person who asked for it; a code works once."""
        async with self._db.transaction() as db:
            async with db.execute(
                "DELETE FROM link_codes WHERE code = ? AND expires_at > ? RETURNING user_id",
                (code, to_db(now)),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return LinkResult(LinkOutcome.UNKNOWN)
            issuer = await _person(db, row["user_id"])
            if issuer.id == user.id:
                return LinkResult(LinkOutcome.ALREADY, issuer)
            if issuer.channel == user.channel:
                return LinkResult(LinkOutcome.SAME_APP, issuer)
            person, other = (user, issuer) if await _registered(db, user.id) and not \
                await _registered(db, issuer.id) else (issuer, user)
            await db.execute("UPDATE users SET person_id = ? WHERE id = ? OR person_id = ?",
                             (person.id, other.id, other.id))
            ids = {"person": person.id, "other": other.id}
            for statement in (*MOVES, *LEFT_OVER):
                await db.execute(statement, ids)
        return LinkResult(LinkOutcome.LINKED, issuer)


async def _person(db: aiosqlite.Connection, user_id: int) -> User:
    async with db.execute(
        """SELECT p.id, p.channel, p.external_id, p.display_name FROM users u
           JOIN users p ON p.id = COALESCE(u.person_id, u.id) WHERE u.id = ?""",
        (user_id,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return User(row["id"], row["channel"], row["external_id"], row["display_name"])


async def _registered(db: aiosqlite.Connection, user_id: int) -> bool:
    async with db.execute("SELECT registration FROM users WHERE id = ?", (user_id,)) as cursor:
        row = await cursor.fetchone()
    return row is not None and row["registration"] != "none"
