"""The real process: `commune-bot run` serving Zalo, killed with SIGKILL while an answer
waits for Zalo, answers once after a restart."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.fake_zalo_api import FakeZalo, ZaloUser, store_tokens, zalo_config
from tests.test_crash import start_bot
from tests.test_telegram_webhook import free_port, until_listening

USER = "8171562230448590128"
CS_PATH = "/v3.0/oa/message/cs"


async def listening(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    """The process loads the knowledge base before it listens: give it time."""
    for _ in range(20):
        try:
            await until_listening(port)
            return
        except AssertionError:
            assert process.returncode is None, log.read_text(encoding="utf-8")
    raise AssertionError(f"the bot does not listen on {port}")


async def test_an_answer_waiting_for_zalo_survives_kill_9_and_goes_out_once(
    tmp_path: Path,
) -> None:
    fake = FakeZalo()
    await fake.start()
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        '[bot]\ndata_dir = "data"\n[delivery]\nretry_initial_seconds = 0.05\n'
        "retry_max_seconds = 0.1\n" + zalo_config(fake, port), encoding="utf-8")
    await store_tokens(tmp_path / "data" / "commune-bot.sqlite3", *fake.issue_pair())
    fake.fail_next(CS_PATH, -32, times=10_000)  # the app's call limit: retried, never sent
    first = await start_bot(config, tmp_path / "bot.log")
    try:
        await listening(port, first, tmp_path / "bot.log")
        lan = ZaloUser(fake, f"http://127.0.0.1:{port}/zalo", USER)
        await lan.says("dang ky khai sinh can giay to gi")
        await fake.wait_for(lambda: len(fake.made(CS_PATH, ok_only=False)) >= 3, timeout=20)
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
        fake.clear_failures()
        second = await start_bot(config, tmp_path / "bot.log")
        try:
            await fake.wait_for(lambda: fake.sent(USER), timeout=20)
            help_after = await asyncio.wait_for(lan.answer("/start"), 20)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 20) == 0
    finally:
        if first.returncode is None:
            first.kill()
        await fake.stop()
    sent = fake.sent(USER)
    cards = [m for m in sent if m["text"].startswith("Đăng ký khai sinh")]
    assert len(cards) == 1  # sent once, after the restart
    assert help_after and sent[0] is cards[0]
