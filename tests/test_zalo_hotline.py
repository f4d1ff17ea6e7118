"""An official on Zalo opens a hotline ticket; the team answers in its Telegram group; the
answer reaches the official on Zalo, also when the process is killed with SIGKILL while
the answer waits for Zalo."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.fake_zalo_api import FakeZalo, ZaloUser, store_tokens, zalo_config
from tests.hotline_helpers import GROUP_PACED, JUSTICE_TEAM, header_in, hotline_config, team_member
from tests.test_crash import start_bot
from tests.test_telegram_webhook import free_port
from tests.test_zalo_chat import zalo_buttons
from tests.test_zalo_process import listening

ZALO_USER = "8171562230448590128"
CS_PATH = "/v3.0/oa/message/cs"
STAFF_ANSWER = "Chị làm theo thủ tục khai sinh có yếu tố nước ngoài nhé."


async def test_a_staff_answer_on_telegram_reaches_the_official_on_zalo_across_kill_9(
    tmp_path: Path,
) -> None:
    api = FakeBotApi(timeout=GROUP_PACED)
    await api.start()
    zalo = FakeZalo()
    await zalo.start()
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndata_dir = "data"\n{hotline_config()}\n[delivery]\n'
        "retry_initial_seconds = 0.05\nretry_max_seconds = 0.1\n" + zalo_config(zalo, port)
        + f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n', encoding="utf-8")
    await store_tokens(tmp_path / "data" / "commune-bot.sqlite3", *zalo.issue_pair())
    log = tmp_path / "bot.log"
    lan = ZaloUser(zalo, f"http://127.0.0.1:{port}/zalo", ZALO_USER)
    first = await start_bot(config, log)
    second = None
    try:
        await listening(port, first, log)
        (topics,) = await lan.ask("/hotro")
        justice = next(payload for title, payload in zalo_buttons(topics) if "Hộ tịch" in title)
        (describe,) = await lan.ask(justice)  # a press comes back as a message
        assert "mô tả ngắn" in describe["text"]
        await lan.ask("Hồ sơ khai sinh bị trả về không rõ lý do")
        header = await header_in(api, JUSTICE_TEAM)
        assert "Hồ sơ khai sinh bị trả về" in header.params["text"]

        zalo.fail_next(CS_PATH, -32, times=10_000)  # Zalo's call limit: the answer waits
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        hung.replies(header, STAFF_ANSWER)
        await zalo.wait_for(lambda: any(
            STAFF_ANSWER in call.body["message"].get("text", "")
            for call in zalo.made(CS_PATH, ok_only=False)), timeout=GROUP_PACED)
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL

        zalo.clear_failures()
        second = await start_bot(config, log)
        await zalo.wait_for(lambda: [m for m in zalo.sent(ZALO_USER)
                                     if STAFF_ANSWER in m["text"]], timeout=30)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 20) == 0
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        await zalo.stop()
        await api.stop()
    answers = [m for m in zalo.sent(ZALO_USER) if STAFF_ANSWER in m["text"]]
    assert len(answers) == 1
    assert answers[0]["text"].startswith("💬 Tổ hỗ trợ Tư pháp – Hộ tịch:")
