"""What handlers are given to work with, built once by the application factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.storage import Storage
from handlers.texts import Texts
from knowledge.base import KnowledgeBase
from knowledge.search import SearchIndex


@dataclass(frozen=True)
class SupportContacts:
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class HandlerContext:
    storage: Storage
    knowledge: KnowledgeBase
    index: SearchIndex
    texts: Texts
    support: SupportContacts
    clock: Callable[[], datetime]
