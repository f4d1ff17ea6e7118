"""kill -9 in the middle of real traffic: `commune-bot run` as a real process against the
fake Bot API, killed while 200 officials ask, then started again.

The crash policy (README, "Architecture"): every question is answered; the only
messages that may go out twice are those in flight at the kill, at most `concurrency`
per kill.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from pathlib import Path

import aiosqlite

from tests.fake_bot_api import TOKEN, FakeBotApi, Person

OFFICIALS = 200
CONCURRENCY = 4
QUESTIONS = (
    "dang ky khai sinh can giay to gi",
    "lệ phí đăng ký kết hôn",
    "chứng thực bản sao mất bao lâu",
    "thủ tục đăng ký khai tử",
)


def write_config(tmp_path: Path, api: FakeBotApi) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n'
        f"[delivery]\nconcurrency = {CONCURRENCY}\nretry_initial_seconds = 0.05\n"
        "retry_max_seconds = 0.5\n",
        encoding="utf-8",
    )
    return path


async def start_bot(config: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )


async def test_kill_9_while_200_officials_ask_loses_no_question(tmp_path: Path) -> None:
    api = FakeBotApi()
    await api.start()
    config, log = write_config(tmp_path, api), tmp_path / "bot.log"
    officials = [Person(api, 10_000 + n, f"Cán bộ {n}") for n in range(OFFICIALS)]
    moments = random.Random(20261201)
    bot = await start_bot(config, log)
    kills = 0
    try:
        for n, official in enumerate(officials[:150]):
            official.says(QUESTIONS[n % len(QUESTIONS)])
        for _ in range(2):
            # Kill at a random point of the stream of answers, with messages in flight.
            target = len(api.made("sendMessage")) + moments.randint(10, 60)
            await api.wait_for(lambda t=target: len(api.made("sendMessage")) >= t, timeout=60)
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            kills += 1
            if kills == 1:  # officials keep asking while the bot is down
                for n, official in enumerate(officials[150:], 150):
                    official.says(QUESTIONS[n % len(QUESTIONS)])
            bot = await start_bot(config, log)
        await api.wait_for(lambda: all(api.sent(o.id) for o in officials), timeout=90)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 30) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await api.stop()

    sent = [api.sent(o.id) for o in officials]
    assert all(call.params["text"].startswith("<b>") for calls in sent for call in calls)
    twice = sum(len(calls) - 1 for calls in sent)
    print(f"kills: {kills}, answers sent twice: {twice}")
    assert twice <= kills * CONCURRENCY, f"{twice} answers sent twice after {kills} kills"
    async with aiosqlite.connect(tmp_path / "data" / "commune-bot.sqlite3") as db:
        async with db.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL") as cursor:
            assert (await cursor.fetchone())[0] == 0
        async with db.execute(
            "SELECT state, COUNT(*) FROM outbox GROUP BY state"
        ) as cursor:
            assert dict(await cursor.fetchall()) == {"delivered": OFFICIALS}
        async with db.execute("SELECT COUNT(*) FROM question_log") as cursor:
            assert (await cursor.fetchone())[0] == OFFICIALS  # none logged twice, none lost
