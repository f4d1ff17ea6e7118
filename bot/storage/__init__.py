"""The storage layer: every SQL statement of the bot lives in this package.

`Storage` opens the database and hands out one store per aggregate (users, questions,
conversations, inbox, outbox, chats, tickets, the Zalo OA's tokens and contacts, links
between accounts, deadlines). Handlers see the stores only through the protocols in
`handlers.ports`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.storage.chats import SqliteChats
from bot.storage.conversations import SqliteConversations
from bot.storage.database import BUSY_TIMEOUT_MS, Database, StorageError, migrations
from bot.storage.deadlines import SqliteDeadlines
from bot.storage.inbox import SqliteInbox
from bot.storage.links import SqliteLinks
from bot.storage.outbox import SqliteOutbox
from bot.storage.questions import SqliteQuestions
from bot.storage.tickets import SqliteTickets
from bot.storage.users import SqliteUsers
from bot.storage.zalo_contacts import SqliteZaloContacts
from bot.storage.zalo_tokens import SqliteZaloTokens

__all__ = ["Storage", "StorageError", "migrations"]


@dataclass(frozen=True)
class Storage:
    database: Database
    users: SqliteUsers
    questions: SqliteQuestions
    conversations: SqliteConversations
    inbox: SqliteInbox
    outbox: SqliteOutbox
    chats: SqliteChats
    tickets: SqliteTickets
    zalo_tokens: SqliteZaloTokens
    zalo_contacts: SqliteZaloContacts
    links: SqliteLinks
    deadlines: SqliteDeadlines

    @classmethod
    async def open(
        cls, path: Path | str, *, upto: int | None = None, busy_timeout_ms: int = BUSY_TIMEOUT_MS
    ) -> Storage:
        """Open (creating if needed) and migrate; `upto` stops at a version (for tests)."""
        db = await Database.open(path, upto=upto, busy_timeout_ms=busy_timeout_ms)
        return cls(db, SqliteUsers(db), SqliteQuestions(db), SqliteConversations(db),
                   SqliteInbox(db), SqliteOutbox(db), SqliteChats(db), SqliteTickets(db),
                   SqliteZaloTokens(db), SqliteZaloContacts(db), SqliteLinks(db),
                   SqliteDeadlines(db))

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """One transaction that every store call inside it joins."""
        return self.database.transaction()

    async def close(self) -> None:
        await self.database.close()
