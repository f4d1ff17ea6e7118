"""The hotline survives kill -9: a real `commune-bot run` process against the fake Bot
API on loopback, killed while an official's message is on its way to the team."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.fake_bot_api import TOKEN, FakeBotApi, Person, button_data
from tests.hotline_helpers import GROUP_PACED, JUSTICE_TEAM, OFFICIAL, header_in, hotline_config

START_SECONDS = 30.0  # a cold start imports python-telegram-bot and indexes the knowledge


@asynccontextmanager
async def bot_process(tmp_path: Path, api: FakeBotApi, run: int) -> AsyncIterator[
        asyncio.subprocess.Process]:
    """`commune-bot run` in its own process; stopped with SIGTERM unless killed."""
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "data"\n{hotline_config()}\n[telegram]\n'
                      f'token = "{TOKEN}"\nbase_url = "{api.base_url}"\n', encoding="utf-8")
    polls = len(api.made("deleteWebhook"))
    with (tmp_path / f"run{run}.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        await api.wait_for(lambda: len(api.made("deleteWebhook")) > polls, START_SECONDS)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 20)


def relays(api: FakeBotApi, text: str) -> list[object]:
    return [c for c in api.sent(JUSTICE_TEAM) if text in c.params["text"]]


async def test_kill_9_between_an_officials_message_and_its_relay_delivers_it_once(
    tmp_path: Path,
) -> None:
    api = FakeBotApi(timeout=GROUP_PACED)
    await api.start()
    try:
        lan = Person(api, OFFICIAL, "Lan")
        follow_up = "Bổ sung: hồ sơ nộp trực tuyến ngày 02/11"
        async with bot_process(tmp_path, api, 1) as first:
            (topics,) = await lan.ask("/hotro")
            await lan.tap(button_data(topics, "Hộ tịch"), on=topics, replies=1)
            await lan.ask("Hồ sơ khai sinh bị trả về không rõ lý do")
            await header_in(api, JUSTICE_TEAM)

            api.stall_chat(JUSTICE_TEAM, seconds=60)
            lan.says(follow_up)
            await api.wait_for(lambda: [c for c in api.arrived if c.method == "sendMessage"
                                        and follow_up in c.params.get("text", "")])
            first.kill()  # SIGKILL: the relay is in flight, nothing is cleaned up
            await first.wait()
        assert not relays(api, follow_up)

        async with bot_process(tmp_path, api, 2):
            await api.wait_for(lambda: relays(api, follow_up))
        # The clean stop (SIGTERM) drains the outbox first: a second copy would be sent.
        assert len(relays(api, follow_up)) == 1
        assert len([u for u in api.pushed if u.get("message", {}).get("text") == follow_up]) == 1
    finally:
        await api.stop()
