"""Reminders through Telegram: the sweep at start announces a deadline to a registered
official's private chat, and the official's button press is recorded."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.storage import Storage
from handlers.deadlines.spec import parse_file
from handlers.ports import Registration
from tests.factories import VN
from tests.fake_bot_api import FakeBotApi, Person, button_data, running_bot

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=VN)
DEADLINE = """[[deadline]]
id = "bao-cao-cuoi-nam"
title = "Báo cáo tổng kết năm 2026"
due = 2026-12-15
[deadline.audience]
units = ["Xã Tân Hưng"]
"""


async def test_the_start_sweep_announces_and_the_done_button_is_recorded(
    tmp_path: Path,
) -> None:
    storage = await Storage.open(tmp_path / "data" / "commune-bot.sqlite3")
    try:
        user = await storage.users.upsert("telegram", "501", "Lan", NOW)
        await storage.users.save_profile(user.id, "Xã Tân Hưng", "Chủ tịch UBND",
                                         Registration.APPROVED, NOW)
        await storage.deadlines.save(parse_file(DEADLINE, "f.toml", ("1d",)), "f.toml", NOW)
    finally:
        await storage.close()
    api = FakeBotApi()
    await api.start()
    lan = Person(api, 501, "Lan")
    config = '[onboarding]\nunits = ["Xã Tân Hưng"]\n'
    async with running_bot(tmp_path, config, clock=lambda: NOW, api=api):
        (notice,) = await api.wait_for(lambda: api.sent(501), timeout=10)
        assert notice.params["text"] == (
            "<b>Việc mới được giao cho anh/chị</b>\n\n1. Báo cáo tổng kết năm 2026 — hạn "
            "thứ Ba 15/12/2026, còn 10 ngày làm việc.")
        # A short answer to a press comes as the press's notice.
        answer, _ = await lan.tap(button_data(notice, "Đã hoàn thành"), on=notice)
        assert answer.params["text"].startswith("Đã ghi nhận: Xã Tân Hưng hoàn thành")
