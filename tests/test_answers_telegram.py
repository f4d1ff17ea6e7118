"""Answers end to end on the fake Bot API: the context survives a restart, entry Markdown
is sent as Telegram HTML, the portal record is a link button."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.factories import FIXED_NOW
from tests.fake_bot_api import FakeBotApi, Person, button_data, buttons, links, running_bot

HOTLINE = '[support]\nhotline_phone = "0210 3 888 999"\n'


async def test_a_follow_up_after_a_restart_is_answered_from_the_same_entry(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, HOTLINE, clock=lambda: FIXED_NOW) as api:
        (card,) = await Person(api, 501, "Lan").ask("đăng ký khai sinh cần giấy tờ gì")
        assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")

    def later() -> datetime:
        return FIXED_NOW + timedelta(minutes=10)

    # Telegram numbers updates on from the last one, across restarts of the bot.
    restarted = FakeBotApi(_next_update_id=2000)
    await restarted.start()
    async with running_bot(tmp_path, HOTLINE, clock=later, api=restarted) as api:
        lan = Person(api, 501, "Lan")
        (fee,) = await lan.ask("thế lệ phí bao nhiêu?")
        text = fee.params["text"]
        assert text.startswith("<b>Đăng ký khai sinh</b>")
        assert "<b>Phí, lệ phí</b>" in text and "Miễn lệ phí" in text
        assert "Thông tin cập nhật ngày" not in text  # said once, before the restart
        (time,) = await lan.ask("còn mất mấy ngày")
        assert "<b>Thời hạn giải quyết</b>" in time.params["text"]


async def test_a_redirect_card_shows_who_handles_it_in_bold_with_the_portal_link(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, HOTLINE, clock=lambda: FIXED_NOW) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("đăng ký thường trú")
        text = card.params["text"]
        assert "<b>Cơ quan giải quyết</b>" in text
        assert "<b>Công an cấp xã</b>" in text and "**" not in text
        assert len(text) < 900  # 700 characters to read, plus the HTML tags
        (portal,) = links(card)
        assert portal[1].startswith("https://dichvucong.gov.vn/")

        _, (asked,) = await lan.tap(button_data(card, "Chưa đúng"), on=card, replies=1)
        assert [label for label, _ in buttons(asked)] == [
            "❌ Sai thủ tục", "📅 Thông tin cũ", "➕ Thiếu thông tin", "🙋 Hỏi tổ hỗ trợ"]
        _, (thanks,) = await lan.tap(button_data(asked, "Thông tin cũ"), on=asked, replies=1)
        assert "góp ý đã được ghi lại" in thanks.params["text"]
