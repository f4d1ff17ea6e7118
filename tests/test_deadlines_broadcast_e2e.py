"""End to end, as in production: `commune-bot run` in its own process against the fake
Bot API, a broadcast to 2,000 officials, 429s for a while, SIGKILL in the middle, then a
restart. Everyone gets exactly one message, apart from those in flight at the kill (at
most `[delivery] concurrency`); the delivery rate keeps to the limit; an official who
blocked the bot is marked inactive."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime
from pathlib import Path

from bot.storage import Storage
from tests.broadcast_world import (
    broadcast_calls,
    peak_count,
    per_chat,
    register_officials,
    serve,
    start_broadcast,
    write_config,
)
from tests.factories import VN
from tests.fake_bot_api import FakeBotApi

OFFICIALS = 2000
RATE = 40.0  # low enough that the sender reaches it on a busy 2-core machine
CONCURRENCY = 4
TEXT = "Hội nghị trực tuyến triển khai Công văn 354-CV/TU lúc 14:00 thứ Năm."


async def test_a_broadcast_survives_429s_and_sigkill_and_reaches_everyone_once(
    tmp_path: Path,
) -> None:
    api = FakeBotApi()
    await api.start()
    config = write_config(tmp_path, api, RATE, CONCURRENCY)
    database = tmp_path / "data" / "commune-bot.sqlite3"
    ids = await register_officials(database, OFFICIALS, datetime(2026, 12, 1, 8, tzinfo=VN))
    blocked = ids[10]
    api.blocked.add(blocked)
    started = await start_broadcast(config, TEXT)
    assert f"tới {OFFICIALS} cán bộ" in started
    log = tmp_path / "bot.log"
    process = await serve(config, log)
    try:
        # The bot's start-up sends nothing: every message delivered is the broadcast's.
        await api.wait_for(lambda: api.delivered, timeout=30)
        api.flood(1.5, retry_after=1)
        await api.wait_for(lambda: api.delivered >= 600, timeout=60)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        before_restart = len(broadcast_calls(api, TEXT))
        assert before_restart < OFFICIALS - 1, "killed too late to test resuming"
        process = await serve(config, log)
        # Everyone but the blocked official, with at most `concurrency` sent twice.
        await api.wait_for(lambda: api.delivered >= OFFICIALS - 1, timeout=120)
        await asyncio.sleep(1.0)  # what was pending is sent; nothing more should come
        await api.wait_for(lambda: len(per_chat(broadcast_calls(api, TEXT))) >= OFFICIALS - 1,
                           timeout=30)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 20)
        await api.stop()
    calls = broadcast_calls(api, TEXT)
    counts = per_chat(calls)
    assert set(counts) == set(ids) - {blocked}, log.read_text()[-2000:]
    twice = [chat for chat, n in counts.items() if n > 1]
    assert len(twice) <= CONCURRENCY and all(counts[c] == 2 for c in twice)
    assert any(c.status == 429 for c in api.calls if c.method == "sendMessage")
    # The sender keeps to RATE in any second as sent (tests/test_pacing.py); on a busy
    # machine sends queued in the process arrive bunched within a second, so the rate as
    # received is measured over ten seconds.
    assert peak_count(calls, 10.0) <= RATE * 10
    storage = await Storage.open(database)
    try:
        row = await storage.database.fetch_one(
            "SELECT inactive_reason FROM chats WHERE chat_id = ?", (str(blocked),))
        counts_row = await storage.outbox.counts("telegram")
    finally:
        await storage.close()
    assert row is not None and "blocked" in row[0]
    assert counts_row.pending == 0 and counts_row.failed == 1
