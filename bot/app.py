"""The one wiring point: config → storage → knowledge index → handlers → channel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.console import ConsoleChannel
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.config import Config, ConfigError, load_units
from bot.storage import Storage
from handlers.context import HandlerContext, SupportContacts
from handlers.dispatcher import Dispatcher
from handlers.onboarding import Notify, Onboarding, OnboardingSettings
from handlers.texts import Texts, TextsError
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.search import SearchIndex

log = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def onboarding_settings(config: Config) -> OnboardingSettings:
    return OnboardingSettings(
        units=tuple(load_units(config)),
        positions=tuple(config.onboarding.positions),
        require_approval=config.onboarding.require_approval,
        # The support team's chat is a Telegram group ([support] staff_chat_id).
        staff_channel=TELEGRAM,
        staff_chat_id=str(config.support.staff_chat_id) if config.support.staff_chat_id else "",
    )


@asynccontextmanager
async def open_app(
    config: Config,
    *,
    clock: Callable[[], datetime] | None = None,
    notify: Notify | None = None,
) -> AsyncIterator[App]:
    """Everything handlers need; `notify` lets them reach other chats (the staff chat)."""
    try:
        texts = Texts.load(config.resolve(config.texts.file) if config.texts.file else None)
    except TextsError as err:
        raise ConfigError(str(err)) from None
    knowledge = load_knowledge_base(knowledge_folders(config)).require_complete()
    index = SearchIndex.build(knowledge.entries)
    settings = onboarding_settings(config)
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
        yield App(config, ctx, Dispatcher(ctx, Onboarding(ctx, settings, notify)))
    finally:
        await storage.close()


async def run_console(config: Config) -> int:
    _log_to_file(config.database_path.parent / "commune-bot.log")
    async with open_app(config) as app:
        await ConsoleChannel(app.dispatcher, app.ctx.texts).run()
    return 0


async def run_telegram(
    config: Config, *, stop: asyncio.Event, clock: Callable[[], datetime] | None = None
) -> int:
    """Serve Telegram (long polling, or a webhook when configured) until `stop` is set."""
    # Imported here so that the terminal chat starts without loading python-telegram-bot.
    from telegram.error import TelegramError

    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.bridge import TelegramBridge
    from bot.channels.telegram.limits import flood_limiter
    from bot.channels.telegram.lock import AlreadyRunning, instance_lock
    from bot.channels.telegram.redact import redacted_logs
    from bot.channels.telegram.send import TelegramNotifier
    from bot.channels.telegram.serve import serve, webhook_secret

    section = config.telegram
    secret = webhook_secret(section)
    with redacted_logs(section.token, secret):
        try:
            with instance_lock(config.data_dir, section.token):
                application = build_application(section)
                notify = TelegramNotifier(application.bot)
                async with open_app(config, clock=clock, notify=notify) as app:
                    bridge = TelegramBridge(app.dispatcher, app.ctx.texts, flood_limiter(section))
                    bridge.register(application)
                    await serve(application, section, app.dispatcher.menu(), stop, secret)
        except AlreadyRunning as err:
            log.error("%s", err)
            return 1
        except (TelegramError, OSError) as err:
            # A rejected token, an unreachable server, a port in use: one line, no trace
            # (the exception text may carry the token; the redacting filter removes it).
            log.error("cannot serve Telegram: %s", err)
            return 1
    return 0


async def run(config: Config) -> int:
    """Start the configured channel: Telegram when it has a token, else the terminal chat."""
    wants_telegram = config.bot.channel == "telegram" or (
        config.bot.channel == "auto" and bool(config.telegram.token)
    )
    if not wants_telegram:
        return await run_console(config)
    _log_to_stderr()
    return await run_telegram(config, stop=_stop_on_signals())


def _stop_on_signals() -> asyncio.Event:
    """An event set by Ctrl-C or `systemctl stop` (SIGTERM), for a clean shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def _log_to_file(path: Path) -> None:
    """The terminal belongs to the conversation: warnings and traces go to a file."""
    if logging.getLogger().handlers:
        return
    with contextlib.suppress(OSError):  # an unusable folder is reported when storage opens
        path.parent.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(
            filename=path, encoding="utf-8", level=logging.WARNING, format=LOG_FORMAT
        )


def _log_to_stderr() -> None:
    """A service logs to stderr (journald keeps it); httpx's per-request lines are noise."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)
