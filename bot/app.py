"""The one wiring point: config → storage → knowledge index → handlers → channel."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.console import ConsoleChannel
from bot.config import Config, ConfigError
from bot.storage import Storage
from handlers.context import HandlerContext, SupportContacts
from handlers.dispatcher import Dispatcher
from handlers.texts import Texts, TextsError
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.search import SearchIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class App:
    config: Config
    ctx: HandlerContext
    dispatcher: Dispatcher


def knowledge_folders(config: Config, override: list[Path] | None = None) -> list[Path]:
    """The folders to load: `override` when given, else bundled (unless disabled) + configured."""
    if override:
        return override
    bundled = [bundled_entries_path()] if config.knowledge.include_bundled else []
    return bundled + config.knowledge_folders


def clock_for(config: Config) -> Callable[[], datetime]:
    zone = ZoneInfo(config.bot.timezone)
    return lambda: datetime.now(zone)


@asynccontextmanager
async def open_app(
    config: Config, *, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[App]:
    try:
        texts = Texts.load(config.resolve(config.texts.file) if config.texts.file else None)
    except TextsError as err:
        raise ConfigError(str(err)) from None
    knowledge = load_knowledge_base(knowledge_folders(config))
    for problem in knowledge.problems:
        log.warning("knowledge base: %s", problem)
    index = SearchIndex.build(knowledge.entries)
    storage = await Storage.open(config.database_path)
    try:
        ctx = HandlerContext(
            storage=storage,
            knowledge=knowledge,
            index=index,
            texts=texts,
            support=SupportContacts(config.support.hotline_phone, config.support.hotline_email),
            clock=clock or clock_for(config),
        )
        yield App(config, ctx, Dispatcher(ctx))
    finally:
        await storage.close()


async def run_console(config: Config) -> int:
    async with open_app(config) as app:
        await ConsoleChannel(app.dispatcher, app.ctx.texts).run()
    return 0


async def run(config: Config) -> int:
    """Start the configured channel: Telegram when it has a token, else the terminal chat."""
    wants_telegram = config.bot.channel == "telegram" or (
        config.bot.channel == "auto" and bool(config.telegram.token)
    )
    if not wants_telegram:
        return await run_console(config)
    raise ConfigError("the Telegram channel is not available in this version")
