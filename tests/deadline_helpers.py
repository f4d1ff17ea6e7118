"""A small world for deadline tests: an app with units, registered officials, a clock
you move, deadlines saved as a file would, and the sweep called directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.app import App, open_app, reminder_settings
from bot.config import load_config
from handlers.deadlines.spec import parse_file
from handlers.deadlines.sweep import Reminders
from handlers.model import Reply, Sender
from handlers.ports import Registration, User
from tests.factories import incoming, outbox_messages

UNITS = ("Xã Tân Hưng", "Xã An Bình", "Phường Bắc Sơn")
STAFF_CHAT = "-1001234"
SUPERVISORS_CHAT = "-1005678"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    app: App
    clock: Clock
    reminders: Reminders
    seen: int = 0  # outbox rows already returned by `new_messages`

    async def official(self, external_id: str, unit: str, position: str,
                       name: str = "") -> User:
        users = self.app.storage.users
        user = await users.upsert("telegram", external_id, name or external_id, self.clock())
        await users.save_profile(user.id, unit, position, Registration.APPROVED, self.clock())
        return user

    async def load(self, text: str, origin: str = "test.toml") -> None:
        specs = parse_file(text, origin, ("7d", "3d", "1d", "0d"))
        await self.app.storage.deadlines.save(specs, origin, self.clock())

    async def sweep(self, at: datetime | None = None) -> int:
        if at is not None:
            self.clock.now = at
        async with self.app.storage.transaction():
            return await self.reminders.sweep(self.clock())

    async def new_messages(self) -> list[tuple[str, Reply]]:
        """(chat id, reply) of the messages written since the last call."""
        rows = await outbox_messages(self.app.storage)
        fresh = rows[self.seen:]
        self.seen = len(rows)
        return [(chat_id, reply) for _, chat_id, reply in fresh]

    async def press(self, user: User, reply: Reply, label: str,
                    chat_id: str | None = None) -> Reply:
        data = next(b.data for row in reply.buttons for b in row if label in b.label)
        return await self.say(user, button=data, chat_id=chat_id)

    async def say(self, user: User, text: str | None = None, button: str | None = None,
                  chat_id: str | None = None) -> Reply:
        sender = Sender(user.channel, user.external_id, user.display_name)
        (reply, *_) = await self.app.dispatcher.handle(
            incoming(sender, text=text, button=button, chat_id=chat_id))
        return reply


@asynccontextmanager
async def world(tmp_path: Path, now: datetime, extra: str = "") -> AsyncIterator[World]:
    units = ", ".join(f'"{u}"' for u in UNITS)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "bot.sqlite3"\n[onboarding]\nunits = [{units}]\n'
        f"[support]\nstaff_chat_id = {STAFF_CHAT}\n"
        f"[reminders]\nsupervisors_chat_id = {SUPERVISORS_CHAT}\n{extra}",
        encoding="utf-8",
    )
    config = load_config(path, environ={})
    clock = Clock(now)
    async with open_app(config, clock=clock) as app:
        yield World(app, clock, Reminders(app.ctx, reminder_settings(config)))
