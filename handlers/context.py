"""What handlers are given to work with, built once by the application factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from handlers.cards import Cards
from handlers.model import Outgoing
from handlers.ports import HandlerStorage
from handlers.texts import Texts
from knowledge.base import KnowledgeBase
from knowledge.search import SearchResult


class OutboxPort(Protocol):
    async def send(self, message: Outgoing) -> None:
        """Queue a message to another chat, in the transaction of the update being handled.

        `message.address` is required; `message.key` should name what makes the message
        unique (the same key twice sends once).
        """


class Searcher(Protocol):
    """What handlers search with: a `SearchIndex`, or one that remembers recent questions."""

    def search(self, query: str, limit: int = 5) -> SearchResult: ...


@dataclass(frozen=True)
class SupportContacts:
    phone: str = ""
    email: str = ""
    tickets: bool = False  # the hotline takes requests in the chat ([[hotline.teams]])


@dataclass(frozen=True)
class HandlerContext:
    storage: HandlerStorage
    outbox: OutboxPort
    knowledge: KnowledgeBase
    index: Searcher
    texts: Texts
    cards: Cards
    support: SupportContacts
    clock: Callable[[], datetime]
    # How long the entry last shown to a person answers their follow-ups ("mất mấy ngày?").
    context_window: timedelta = timedelta(minutes=30)
