"""The one wiring point: config → storage → knowledge index → handlers → channels,
the update pipeline and one sender per channel, run together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.channels.base import Channel
from bot.channels.console import CHANNEL as CONSOLE
from bot.channels.console import ConsoleChannel
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.config import Config, ConfigError, calendar_days, clock_time, load_units
from bot.delivery.backoff import Backoff
from bot.delivery.envelope import Envelope, payload_json
from bot.delivery.errors import ChannelFatal, DeliveryError, Rejected, Unreachable
from bot.delivery.files import FileSource
from bot.delivery.flood import FloodLimiter
from bot.delivery.pipeline import OutboxWriter, UpdatePipeline
from bot.delivery.sender import Sender, SenderSettings
from bot.lock import AlreadyRunning, instance_lock
from bot.scheduler import ReminderScheduler
from bot.storage import Storage
from bot.storage.outbox import DueMessage, NewMessage
from handlers.cards import Cards
from handlers.context import HandlerContext, SupportContacts
from handlers.deadlines.router import DeadlineHandlers
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.sweep import Reminders
from handlers.dispatcher import Dispatcher
from handlers.hotline import sla
from handlers.hotline.failures import delivery_failed
from handlers.hotline.settings import HotlineSettings, Team, Topic
from handlers.model import Address, Outgoing, Priority, Reply
from handlers.model import Sender as Person
from handlers.onboarding import Onboarding, OnboardingSettings
from handlers.ports import TICKET_REF
from handlers.texts import Texts, TextsError
from handlers.workdays import OfficeHours, WorkCalendar
from knowledge.base import bundled_entries_path
from knowledge.cache import load_indexed
from knowledge.recent import RecentSearches

log = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# On SIGTERM, how long answers already in the outbox may take to go out.
DRAIN_SECONDS = 10.0
APOLOGY = "apology:"  # the key prefix of the message that replaces a refused answer

Clock = Callable[[], datetime]
FailureHook = Callable[[Envelope, DeliveryError], Awaitable[None]]


@dataclass(frozen=True)
class App:
    config: Config
    storage: Storage
    ctx: HandlerContext
    dispatcher: Dispatcher
    hotline: HotlineSettings


def knowledge_folders(config: Config, override: list[Path] | None = None) -> list[Path]:
    """The folders to load: `override` when given, else bundled (unless disabled) + configured."""
    if override:
        return override
    bundled = [bundled_entries_path()] if config.knowledge.include_bundled else []
    return bundled + config.knowledge_folders


def clock_for(config: Config) -> Clock:
    zone = ZoneInfo(config.bot.timezone)
    return lambda: datetime.now(zone)


def utc_now() -> datetime:
    return datetime.now(UTC)


def work_calendar(config: Config) -> WorkCalendar:
    days_off, working_days = calendar_days(config.calendar)
    return WorkCalendar(days_off, working_days)


def reminder_settings(config: Config) -> ReminderSettings:
    section = config.reminders
    return ReminderSettings(
        send_at=clock_time(section.send_at),
        day_ends_at=clock_time(section.day_ends_at),
        remind=tuple(section.remind),
        overdue_days=section.overdue_days,
        late_after=timedelta(minutes=section.late_after_minutes),
        calendar=work_calendar(config),
        staff_chat=config.support.staff_address(),
        supervisors_chat=Address(TELEGRAM, str(section.supervisors_chat_id))
        if section.supervisors_chat_id else None,
        units=tuple(load_units(config)),
        positions=tuple(config.onboarding.positions),
        # The hotline's teams' chats (Telegram groups), by name.
        teams={team.name: Address(TELEGRAM, str(team.chat_id)) for team in config.hotline.teams},
    )


def hotline_settings(config: Config, channel: str = TELEGRAM) -> HotlineSettings:
    """The hotline's teams and hours; the teams' chats are on `channel` (Telegram groups,
    or the terminal's chats for `commune-bot chat --staff`)."""
    section = config.hotline
    supervisors = section.supervisor_chat_id
    return HotlineSettings(
        teams=tuple(Team(team.name, Address(channel, str(team.chat_id)), tuple(team.topics))
                    for team in section.teams),
        topics=tuple(Topic(topic.id, topic.label) for topic in section.topics),
        hours=OfficeHours(section.office_hours, work_calendar(config),
                          ZoneInfo(config.bot.timezone)),
        first_response_minutes=section.first_response_minutes,
        escalate_minutes=section.escalate_minutes,
        supervisor_chat=Address(channel, str(supervisors)) if supervisors else None,
        reopen_days=section.reopen_days,
        show_staff_names=section.show_staff_names,
        staff_ids=frozenset(str(staff) for staff in section.staff_ids),
    )


def onboarding_settings(config: Config) -> OnboardingSettings:
    return OnboardingSettings(
        units=tuple(load_units(config)),
        positions=tuple(config.onboarding.positions),
        require_approval=config.onboarding.require_approval,
        staff_chat=config.support.staff_address(),
    )


@asynccontextmanager
async def open_app(
    config: Config, *, clock: Clock | None = None, team_channel: str = TELEGRAM
) -> AsyncIterator[App]:
    """Everything handlers need, with the database open."""
    try:
        texts = Texts.load(config.resolve(config.texts.file) if config.texts.file else None)
    except TextsError as err:
        raise ConfigError(str(err)) from None
    # The built index is cached beside the database, keyed by the entries' content.
    cache = config.database_path.parent / "cache"
    knowledge, index = load_indexed(knowledge_folders(config), cache)
    knowledge.require_complete()
    settings = onboarding_settings(config)
    storage = await Storage.open(config.database_path)
    clock = clock or clock_for(config)
    try:
        ctx = HandlerContext(
            storage=storage,
            outbox=OutboxWriter(storage, clock),
            knowledge=knowledge,
            index=RecentSearches(index),
            texts=texts,
            cards=Cards(texts, knowledge.get),
            support=SupportContacts(config.support.hotline_phone, config.support.hotline_email,
                                    tickets=bool(config.hotline.teams)),
            clock=clock,
            context_window=timedelta(minutes=config.answers.context_minutes),
        )
        hotline = hotline_settings(config, team_channel)
        deadlines = DeadlineHandlers(ctx, reminder_settings(config))
        dispatcher = Dispatcher(ctx, Onboarding(ctx, settings), hotline, deadlines,
                                two_apps=team_channel != CONSOLE and wants_telegram(config)
                                and wants_zalo(config))
        yield App(config, storage, ctx, dispatcher, hotline)
    finally:
        await storage.close()


def sender_settings(config: Config, only_chat: str | None = None) -> SenderSettings:
    delivery = config.delivery
    return SenderSettings(
        messages_per_second=delivery.messages_per_second,
        concurrency=delivery.concurrency,
        retry=backoff_for(config),
        only_chat=only_chat,
    )


def backoff_for(config: Config) -> Backoff:
    return Backoff(config.delivery.retry_initial_seconds, config.delivery.retry_max_seconds)


class Service:
    """The channels, the update pipeline and the senders of one serving process."""

    def __init__(
        self,
        app: App,
        channels: Sequence[Channel],
        transport_clock: Clock,
        only_chat: str | None = None,
    ) -> None:
        self.app = app
        self.channels = {channel.name: channel for channel in channels}
        # Where a photo or file from another app is fetched, by that app's name.
        files = {name: channel for name, channel in self.channels.items()
                 if isinstance(channel, FileSource)}
        self.senders = {
            name: Sender(channel, app.storage, sender_settings(app.config, only_chat),
                         clock=transport_clock, on_failed=self._failed, files=files)
            for name, channel in self.channels.items()
        }
        # Who hears of a message that failed for good, by the prefix of its ref.
        self.failure_hooks: dict[str, FailureHook] = {TICKET_REF: self._ticket_failed}
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.reminders = ReminderScheduler(
            app.storage, Reminders(app.ctx, reminder_settings(app.config)), app.ctx.clock,
            self.wake_senders,
        )
        self.pipeline = UpdatePipeline(
            app.storage, self.channels, app.dispatcher,
            FloodLimiter(app.config.delivery.flood_messages_per_minute),
            app.ctx.texts, app.ctx.clock, self.wake_senders, self.offer_to_senders,
        )

    async def _failed(self, envelope: Envelope, error: DeliveryError) -> None:
        """A message failed for good: the hook for its ref, and an apology for an answer."""
        if isinstance(error, Rejected):
            await self._apologise(envelope)
        if envelope.ref is None:
            return
        for prefix, hook in self.failure_hooks.items():
            if envelope.ref.startswith(prefix):
                async with self.app.storage.transaction():
                    await hook(envelope, error)

    async def _ticket_failed(self, envelope: Envelope, error: DeliveryError) -> None:
        assert envelope.ref is not None
        await delivery_failed(self.app.ctx, self.app.hotline, envelope.ref, envelope.address,
                              envelope.key, error.reason, isinstance(error, Unreachable),
                              upload=envelope.upload is not None)

    async def sweep(self, now: datetime) -> int:
        """The hotline's response-time watch at `now`, in one transaction."""
        async with self.app.storage.transaction():
            queued = await sla.sweep(self.app.ctx, self.app.hotline, now)
        if queued:
            self.wake_senders()
        return queued

    async def _apologise(self, envelope: Envelope) -> None:
        """An answer the chat app refused (400) is replaced by a short apology, once."""
        if envelope.priority is not Priority.ANSWER or envelope.key.startswith(APOLOGY):
            return
        apology = Outgoing(Reply.text(self.app.ctx.texts("error")), envelope.address)
        await self.app.storage.outbox.enqueue(
            [NewMessage(f"{APOLOGY}{envelope.key}", envelope.address, Priority.ANSWER,
                        payload_json(apology))],
            utc_now(),
        )

    async def _sweep_now(self) -> None:
        try:
            await self.sweep(self.app.ctx.clock())
        except Exception:
            log.exception("the hotline's response-time sweep failed; it runs again in a minute")

    def wake_senders(self) -> None:
        for sender in self.senders.values():
            sender.wake()

    def offer_to_senders(self, messages: Sequence[DueMessage]) -> None:
        """Rows just committed, handed to their channel's sender (see `Sender.offer`)."""
        for message in messages:
            sender = self.senders.get(message.address.channel)
            if sender is not None:
                sender.offer(message)

    async def settled(self) -> None:
        """Every update received so far handled, and what it caused delivered."""
        await self.pipeline.drain()
        for sender in self.senders.values():
            await sender.idle()

    async def run(self, stop: asyncio.Event) -> int:
        """Serve until `stop` is set or a channel ends; the process's exit status.

        A channel that cannot go on (`ChannelFatal`: a revoked token) stops alone, with
        its sender, and the others go on; the status is then 1, and the process stops
        when no channel is left.
        """
        live: dict[str, list[asyncio.Task[None]]] = {}
        failed = False
        stopping = asyncio.create_task(stop.wait())
        try:
            for name, channel in self.channels.items():
                try:
                    await channel.start(self.pipeline)
                except ChannelFatal as err:
                    log.error("stopping: %s", err)
                    failed = True
                    continue
                except OSError as err:  # a port in use: one line, no trace
                    log.error("cannot serve %s: %s", name.capitalize(), err)
                    failed = True
                    await channel.stop()
                    continue
                live[name] = []
            if not live:
                return 1
            backlog = await self.pipeline.handle_backlog(list(live))
            if backlog:
                log.info("handling %d updates received before the last stop", backlog)
            for name in live:
                live[name] = [asyncio.create_task(self.senders[name].run()),
                              asyncio.create_task(self.channels[name].wait_closed())]
            if self.app.hotline.enabled:
                self.scheduler.add_job(self._sweep_now, "interval", minutes=1,
                                       id="hotline-sla", coalesce=True, max_instances=1)
            self.reminders.schedule(self.scheduler)
            self.scheduler.start()
            while live and not stop.is_set():
                tasks = [task for group in live.values() for task in group]
                done, _ = await asyncio.wait([*tasks, stopping],
                                             return_when=asyncio.FIRST_COMPLETED)
                ended = [task for task in done if task is not stopping]
                if any(task.exception() is None for task in ended):
                    break  # a channel ended by itself (the terminal chat's end of input)
                for task in ended:
                    error = task.exception()
                    if not isinstance(error, ChannelFatal):
                        raise error  # type: ignore[misc]
                    name = next((n for n, group in live.items() if task in group), None)
                    if name is None:
                        continue  # its sender and its channel both said so
                    log.error("stopping: %s", error)
                    failed = True
                    await self._stop_channel(name, live.pop(name))
            await self._drain([self.senders[name] for name in live])
            return 1 if failed else 0
        finally:
            stopping.cancel()
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            for name in list(live):
                await self._stop_channel(name, live.pop(name))

    async def _stop_channel(self, name: str, tasks: list[asyncio.Task[None]]) -> None:
        """Stop one channel's sender and the channel (safe on one that never started)."""
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.channels[name].stop()

    async def _drain(self, senders: Sequence[Sender]) -> None:
        """A clean stop: what was received is handled, and its answers get time to go out
        (the channels still receive meanwhile; they stop right after)."""
        await self.pipeline.drain()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(s.idle() for s in senders)), DRAIN_SECONDS)


async def run_console(config: Config, staff: str | None = None, **console_options: Any) -> int:
    """The terminal chat: an official, or with `staff` (a team's name, "" for the first
    team) that team's chat, for trying the hotline in two terminals on one database."""
    _log_to_file(config.database_path.parent / "commune-bot.log")
    async with open_app(config, team_channel=CONSOLE) as app:
        if staff is None:
            return await serve_console(app, **console_options)
        teams = app.hotline.teams
        team = next((t for t in teams if t.name == staff), None) if staff else None
        team = team or (teams[0] if teams and not staff else None)
        if team is None:
            names = ", ".join(f'"{t.name}"' for t in teams) or "none: add [[hotline.teams]]"
            raise ConfigError(f"chat --staff: no such hotline team (teams: {names})")
        name = app.ctx.texts("console_staff_name")
        return await serve_console(app, sender=Person(CONSOLE, f"staff-{team.chat.chat_id}",
                                                      name), chat=team.chat, **console_options)


async def serve_console(app: App, **console_options: Any) -> int:
    """The terminal chat on an open app, until the person leaves."""
    service: Service | None = None

    async def settled() -> None:
        assert service is not None
        await service.settled()

    console = ConsoleChannel(app.ctx.texts, settled, **console_options)
    # Another terminal may show another chat of the same database: each shows its own.
    service = Service(app, [console], utc_now, only_chat=console.chat.chat_id)
    return await service.run(asyncio.Event())


async def serve(config: Config, *, stop: asyncio.Event, clock: Clock | None = None) -> int:
    """Serve every configured chat app until `stop` is set: Telegram when it has a token
    (long polling, or a webhook), Zalo when it has an app id."""
    # Imported here so that the terminal chat starts without loading the chat apps' code.
    from bot.channels.telegram.redact import redacted_logs
    from bot.channels.telegram.secret import webhook_secret

    section = config.telegram
    telegram = wants_telegram(config)
    secret = webhook_secret(section) if telegram else ""
    with redacted_logs(section.token, secret, config.zalo.app_secret, config.zalo.oa_secret):
        try:
            with instance_lock(config.data_dir):
                async with open_app(config, clock=clock) as app:
                    channels: list[Channel] = []
                    if telegram:
                        from bot.channels.telegram.channel import TelegramChannel

                        channels.append(TelegramChannel(section, app.dispatcher.menu(), secret,
                                                        backoff_for(config)))
                    notices = SupervisorNotices(app)
                    if wants_zalo(config):
                        channels.append(zalo_channel(config, app, notices.zalo_token_dead))
                    service = Service(app, channels, utc_now)
                    notices.wake = service.wake_senders
                    return await service.run(stop)
        except AlreadyRunning as err:
            log.error("%s", err)
            return 1
        except OSError as err:
            # An unreachable server, a port in use: one line, no trace (the text may carry
            # a secret; the redacting filter removes it).
            log.error("cannot serve: %s", err)
            return 1


def zalo_channel(config: Config, app: App, on_dead: Callable[[str], Awaitable[None]]) -> Channel:
    from bot.channels.zalo.channel import ZaloChannel

    verifier = config.resolve(config.zalo.verifier_file) if config.zalo.verifier_file else None
    return ZaloChannel(config.zalo, app.storage, on_dead, verifier=verifier)


class SupervisorNotices:
    """What the supervisors' chat ([support] staff_chat) must be told."""

    def __init__(self, app: App) -> None:
        self._app = app
        self.wake: Callable[[], None] = lambda: None

    async def zalo_token_dead(self, reason: str) -> None:
        staff = onboarding_settings(self._app.config).staff_chat
        if staff is None:
            return
        now = utc_now()
        # The reason is in the log; the notice says what to do, in Vietnamese.
        notice = Outgoing(Reply.text(self._app.ctx.texts("zalo_token_dead")), staff)
        await self._app.storage.outbox.enqueue(
            [NewMessage(f"zalo-token-dead:{now.isoformat()}", staff, Priority.RELAY,
                        payload_json(notice))],
            now,
        )
        self.wake()


def wants_telegram(config: Config) -> bool:
    return config.bot.channel == "telegram" or (
        config.bot.channel == "auto" and bool(config.telegram.token)
    )


def wants_zalo(config: Config) -> bool:
    return config.bot.channel != "console" and bool(config.zalo.app_id)


async def run(config: Config) -> int:
    """Serve every configured chat app; the terminal chat when none is configured."""
    if not (wants_telegram(config) or wants_zalo(config)):
        return await run_console(config)
    _log_to_stderr()
    return await serve(config, stop=_stop_on_signals())


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
    """A service logs to stderr (journald keeps it); httpx's per-request lines are noise,
    and aiosqlite's debug lines carry every SQL parameter (the Zalo tokens among them)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
