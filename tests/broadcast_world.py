"""Shared by the broadcast end-to-end test and `bench/broadcast.py`: many registered
officials, a broadcast started through the staff chat's /thongbao flow, and what the
fake Bot API saw."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.app import open_app
from bot.config import load_config
from bot.storage import Storage
from bot.storage.database import to_db
from handlers.model import Sender
from tests.factories import incoming
from tests.fake_bot_api import TOKEN, Call, FakeBotApi

STAFF_CHAT = -1009999
FIRST_OFFICIAL = 700_000
UNITS = ("Xã Tân Hưng", "Xã An Bình", "Phường Bắc Sơn", "Xã Phú Lộc")


def write_config(folder: Path, api: FakeBotApi, rate: float, concurrency: int) -> Path:
    units = ", ".join(f'"{u}"' for u in UNITS)
    path = folder / "config.toml"
    path.write_text(
        f'[bot]\ndata_dir = "data"\n[support]\nstaff_chat_id = {STAFF_CHAT}\n'
        f"[onboarding]\nunits = [{units}]\n"
        f"[delivery]\nmessages_per_second = {rate}\nconcurrency = {concurrency}\n"
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n',
        encoding="utf-8",
    )
    return path


async def serve(config: Path, log: Path) -> asyncio.subprocess.Process:
    """`commune-bot run --config config` in its own process, its output in `log`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNE_BOT_")}
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            stdout=out, stderr=out, env=env, cwd=config.parent,
        )


async def register_officials(database: Path, count: int, now: datetime) -> list[int]:
    """`count` approved officials with private chats; their Telegram ids."""
    storage = await Storage.open(database)
    ids = list(range(FIRST_OFFICIAL, FIRST_OFFICIAL + count))
    try:
        async with storage.transaction() as db:
            await db.executemany(
                """INSERT INTO users (channel, external_id, display_name, created_at,
                                      last_seen_at, unit, position, registration)
                   VALUES ('telegram', ?, ?, ?, ?, ?, 'Chủ tịch UBND', 'approved')""",
                [(str(i), f"Cán bộ {i}", to_db(now), to_db(now), UNITS[i % len(UNITS)])
                 for i in ids],
            )
    finally:
        await storage.close()
    return ids


async def start_broadcast(config_path: Path, text: str) -> str:
    """/thongbao in the staff chat, everyone, confirm; the staff chat's last answer."""
    config = load_config(config_path, environ={})
    staff = Sender("telegram", "900", "Tổ hỗ trợ")
    chat = str(STAFF_CHAT)
    async with open_app(config) as app:
        handle = app.dispatcher.handle
        async with app.storage.transaction():
            (audience,) = await handle(incoming(staff, text=f"/thongbao {text}", chat_id=chat))
        everyone = audience.buttons[0][0].data
        async with app.storage.transaction():
            (preview,) = await handle(incoming(staff, button=everyone, chat_id=chat))
        confirm = preview.buttons[0][0].data
        async with app.storage.transaction():
            (started,) = await handle(incoming(staff, button=confirm, chat_id=chat))
    return started.plain_text


def broadcast_calls(api: FakeBotApi, text: str) -> list[Call]:
    return [c for c in api.made("sendMessage") if text in c.params.get("text", "")]


def per_chat(calls: Sequence[Call]) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in calls)


def peak_count(calls: Sequence[Call], window: float) -> int:
    """The most messages that arrived within any `window` seconds (the sender keeps
    bulk sends to `[delivery] messages_per_second` in any one-second window)."""
    times = sorted(c.at for c in calls)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most
