"""The Telegram channel end to end: the real PTB Application against a fake Bot API.

Each test runs the bot the way `commune-bot run` does (long polling) and talks to it as
officials would, then checks what reached Telegram and what the database kept.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import Storage
from handlers.ports import Registration
from tests.factories import FIXED_NOW, entry_text, write_entry
from tests.fake_bot_api import (
    BOT_USER,
    TOKEN,
    FakeBotApi,
    Person,
    button_data,
    buttons,
    links,
    running_bot,
)

HOTLINE = '[support]\nhotline_phone = "0210 3 888 999"\n'
UNITS = '[onboarding]\nunits = ["Xã Tân Hưng", "Phường Tân Hưng", "Xã An Bình"]\n'
STAFF_CHAT = -1001234


def clock() -> datetime:
    return FIXED_NOW


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "commune-bot.sqlite3"


async def question_log(tmp_path: Path) -> list[tuple[object, ...]]:
    async with (
        aiosqlite.connect(database(tmp_path)) as db,
        db.execute("SELECT id, query, answer_id, feedback FROM question_log ORDER BY id") as rows,
    ):
        return list(await rows.fetchall())


async def test_start_registers_an_official_who_types_the_commune_without_diacritics(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, UNITS, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (welcome,) = await lan.ask("/start")
        assert "Xin chào Lan!" in welcome.params["text"]
        assert "xã, phường nào" in welcome.params["text"]

        (position,) = await lan.ask("xa tan hung")
        assert "Đơn vị: Xã Tân Hưng" in position.params["text"]
        labels = [label for label, _ in buttons(position)]
        assert "Công chức Tư pháp – Hộ tịch" in labels

        _, (saved,) = await lan.tap(
            button_data(position, "Tư pháp – Hộ tịch"), on=position, replies=1
        )
        assert "Xã Tân Hưng — Công chức Tư pháp – Hộ tịch" in saved.params["text"]
        assert "đầy đủ các chức năng" in saved.params["text"]

        (profile,) = await lan.ask("/hoso")
        assert "đã duyệt" in profile.params["text"]
        assert [label for label, _ in buttons(profile)] == ["✏️ Sửa hồ sơ"]

        (menu,) = api.made("setMyCommands")
        commands = {c["command"]: c["description"] for c in menu.params["commands"]}
        assert list(commands) == ["start", "thongtin", "capnhat", "huy", "viec", "hantra",
                                 "huongdan"]
        assert commands["thongtin"] == "Xem, sửa thông tin của anh/chị (đơn vị, chức danh)"

    storage = await Storage.open(database(tmp_path))
    try:
        user = await storage.users.upsert("telegram", "501", "Lan", FIXED_NOW)
        profile = await storage.users.profile(user.id)
    finally:
        await storage.close()
    assert profile is not None
    assert (profile.unit, profile.position, profile.registration) == (
        "Xã Tân Hưng", "Công chức Tư pháp – Hộ tịch", Registration.APPROVED
    )


async def test_staff_approve_an_official_with_a_button_in_the_staff_chat(
    tmp_path: Path,
) -> None:
    config = UNITS + "require_approval = true\n" + f"[support]\nstaff_chat_id = {STAFF_CHAT}\n"
    async with running_bot(tmp_path, config, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        staff = Person(api, 900, "Hùng", chat={"id": STAFF_CHAT, "type": "supergroup",
                                               "title": "Tổ hỗ trợ"})
        await lan.ask("/start")
        (position,) = await lan.ask("Xã An Bình")
        _, (saved,) = await lan.tap(button_data(position, "Văn phòng"), on=position, replies=1)
        assert "chờ tổ hỗ trợ duyệt" in saved.params["text"]
        assert "vẫn hỏi đáp thủ tục bình thường" in saved.params["text"]

        (notice,) = await api.wait_for(lambda: api.sent(STAFF_CHAT))
        assert "Lan" in notice.params["text"] and "Xã An Bình" in notice.params["text"]
        approve = button_data(notice, "Duyệt")

        refused, _ = await lan.tap(approve)  # the official cannot approve themself
        assert refused.params["text"].startswith("Nút này đã cũ")

        _, (done,) = await staff.tap(approve, on=notice, replies=1)
        assert "Hùng đã duyệt" in done.params["text"]
        (approved,) = await api.wait_for(lambda: api.sent(501)[3:])
        assert "đã được tổ hỗ trợ duyệt" in approved.params["text"]

        again, _ = await staff.tap(approve, on=notice)
        assert "đã được duyệt hoặc đã thay đổi" in again.params["text"]
        assert len(api.sent(501)) == 4


async def test_question_with_and_without_diacritics_gets_the_answer_card(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, HOTLINE, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        questions = ("đăng ký khai sinh cần giấy tờ gì", "dang ky khai sinh can giay to gi")
        for first, question in zip((True, False), questions, strict=True):
            (card,) = await lan.ask(question)
            text = card.params["text"]
            assert card.params["parse_mode"] == "HTML"
            assert text.startswith("<b>Đăng ký khai sinh</b>")
            assert "<b>Thành phần hồ sơ</b>" in text
            assert "Giấy chứng sinh" in text
            assert "60/2014/QH13" in text
            # The date note is said once per conversation.
            assert ("<i>Thông tin cập nhật ngày " in text) is first
            labels = [label for label, _ in buttons(card)]
            assert {"💰 Lệ phí", "👍 Hữu ích", "👎 Chưa đúng", "🙋 Hỏi tổ hỗ trợ"} <= set(labels)
            assert "✅ Điều kiện" in labels  # shown only in part: a button for the rest
            assert [url for _, url in links(card)] == [
                "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7"
            ]


async def test_section_button_shows_that_part_and_ask_support_quotes_the_question(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, HOTLINE, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("dang ky khai sinh can giay to gi")

        answer, (fees,) = await lan.tap(button_data(card, "Lệ phí"), on=card, replies=1)
        assert "text" not in answer.params
        assert "<b>Phí, lệ phí</b>" in fees.params["text"]
        assert "Miễn lệ phí" in fees.params["text"]

        _, (support,) = await lan.tap(button_data(card, "Hỏi tổ hỗ trợ"), on=card, replies=1)
        assert "<i>“dang ky khai sinh can giay to gi”</i>" in support.params["text"]
        assert "0210 3 888 999" in support.params["text"]


async def test_ambiguous_question_offers_at_most_three_suggestions(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (suggestions,) = await lan.ask("chứng thực")
        assert "Có phải một trong các thủ tục sau không?" in suggestions.params["text"]
        *offered, (none, to_support) = buttons(suggestions)
        assert 1 < len(offered) <= 3
        assert none == "🙅 Không phải các thủ tục trên" and to_support.startswith("h:")
        titles = re.findall(r"^\d\. (.+)$", suggestions.params["text"], re.MULTILINE)
        assert len(titles) == len(offered)
        label, data = offered[0]
        assert label.startswith("1. ")

        _, (card,) = await lan.tap(data, on=suggestions, replies=1)
        assert card.params["text"].startswith(f"<b>{titles[0]}</b>")


async def test_unknown_question_gets_a_polite_answer_with_the_hotline(tmp_path: Path) -> None:
    async with running_bot(tmp_path, HOTLINE, clock=clock) as api:
        (unknown,) = await Person(api, 501, "Lan").ask("thời tiết ngày mai")
        assert "chưa có thông tin chắc chắn" in unknown.params["text"]
        assert "0210 3 888 999" in unknown.params["text"]
        assert [label for label, _ in buttons(unknown)] == ["🙋 Hỏi tổ hỗ trợ"]


async def test_feedback_is_acknowledged_quietly_and_stored(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("dang ky khai sinh can giay to gi")
        thanks, _ = await lan.tap(button_data(card, "Hữu ích"), on=card)
        assert thanks.params["text"] == "Cảm ơn anh/chị đã đánh giá!"
        assert len(api.sent(501)) == 1  # a notification, not another message
    ((_, query, answer_id, feedback),) = await question_log(tmp_path)
    assert (query, answer_id, feedback) == (
        "dang ky khai sinh can giay to gi", "ho-tich/dang-ky-khai-sinh", 1
    )


async def test_a_press_too_old_to_acknowledge_is_still_answered(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("dang ky khai sinh can giay to gi")
        api.reject_next(
            "answerCallbackQuery",
            "query is too old and response timeout expired or query id is invalid",
        )
        lan.presses(button_data(card, "Hữu ích"), card)
        await api.wait_for(lambda: len(api.sent(501)) == 2)
        assert api.sent(501)[1].params["text"] == "Cảm ơn anh/chị đã đánh giá!"
    ((_, _, _, feedback),) = await question_log(tmp_path)
    assert feedback == 1


async def test_a_10000_character_answer_is_split_between_paragraphs(tmp_path: Path) -> None:
    steps = "\n\n".join(
        f"{n}. Bước {n}: kiểm tra hồ sơ, đối chiếu dữ liệu và ghi kết quả vào sổ theo dõi. " * 3
        for n in range(1, 45)
    )
    write_entry(tmp_path / "kb", entry_text(
        "thu-nghiem/quy-trinh-dai", "Quy trình thẩm định đê điều mẫu", code="9.999901",
        aliases=("quy trình đê điều",),
        body=f"\n## Trình tự thực hiện\n{steps}\n\n## Căn cứ pháp lý\n- Luật Đê điều.\n",
    ))
    assert len(steps) > 10_000
    async with running_bot(tmp_path, '[knowledge]\nfolders = ["kb"]\n', clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("quy trình thẩm định đê điều mẫu")
        assert len(card.params["text"]) < 1000  # the answer itself fits a phone screen
        await lan.tap(button_data(card, "Các bước"), on=card, replies=3)
        await lan.ask("/huongdan")  # everything before it has been sent by now
        parts = api.sent(501)[1:-1]
    assert len(parts) == 3  # the fake API refuses anything over 4,096 characters
    assert all("reply_markup" not in part.params for part in parts[:-1])
    assert buttons(parts[-1])
    numbers = [int(n) for part in parts for n in re.findall(r"Bước (\d+):", part.params["text"])]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, 45))
    for part in parts[1:]:
        assert re.match(r"\d+\. Bước", part.params["text"])  # starts a paragraph


async def test_a_pasted_10000_character_message_is_answered_and_quoted_in_parts(
    tmp_path: Path,
) -> None:
    pasted = ("đăng ký khai sinh cần giấy tờ gì? <>& " * 400)[:10_000]
    async with running_bot(tmp_path, HOTLINE, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask(pasted)
        assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
        await lan.tap(button_data(card, "Hỏi tổ hỗ trợ"), on=card, replies=5)
        await lan.ask("/huongdan")  # everything before it has been sent by now
        support = api.sent(501)[1:-1]
    # The fake API refuses anything over 4,096 characters or with broken HTML.
    assert len(support) == 5
    shown = "".join(part.params["text"] for part in support)
    assert shown.count("&lt;&gt;&amp;") == pasted.count("<>&")
    assert "0210 3 888 999" in support[-1].params["text"]


async def test_html_in_names_and_questions_is_shown_as_text(tmp_path: Path) -> None:
    async with running_bot(tmp_path, HOTLINE, clock=clock) as api:
        mallory = Person(api, 666, '<b>Mal</b> & "Co"')
        (welcome,) = await mallory.ask("/start")
        assert "Xin chào &lt;b&gt;Mal&lt;/b&gt; &amp; \"Co\"!" in welcome.params["text"]

        # Half its words unknown, the question gets a list or an "I don't know"; either
        # leads to the hotline ("none of these", "ask the support team") with the
        # question carried over.
        (reply,) = await mallory.ask("chứng thực bản sao <script>alert(1)</script>")
        to_support = next(data for label, data in buttons(reply)
                          if "Không phải các thủ tục trên" in label or "Hỏi tổ hỗ trợ" in label)
        _, (support,) = await mallory.tap(to_support, on=reply, replies=1)
        quoted = "“chứng thực bản sao &lt;script&gt;alert(1)&lt;/script&gt;”"
        assert quoted in support.params["text"]
        assert "<script>" not in support.params["text"]

        (unknown,) = await mallory.ask('<a href="https://evil.example">bấm vào</a></b>')
        assert "chưa có thông tin chắc chắn" in unknown.params["text"]


async def test_forged_or_stale_buttons_get_a_polite_notice_and_do_nothing(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, UNITS, clock=clock) as api:
        lan, nam = Person(api, 501, "Lan"), Person(api, 502, "Nam")
        (card,) = await lan.ask("dang ky khai sinh can giay to gi")
        forged = [
            button_data(card, "Hữu ích"),  # Lan's question, pressed by Nam
            "f:999:1",                     # no such question
            "s:1:nonsense",                # no such section
            "x" * 64,                      # not ours at all
            "o:a:1:1",                     # approving, outside the staff chat
            "o:p:0",                       # a position, with no registration under way
        ]
        for data in forged:
            answer, _ = await nam.tap(data)
            assert answer.params["text"] == (
                "Nút này đã cũ hoặc không còn dùng được. Anh/chị vui lòng gõ lại câu hỏi."
            )
        assert api.sent(502) == []
    ((_, _, _, feedback),) = await question_log(tmp_path)
    assert feedback is None


async def test_stickers_voice_and_locations_get_a_short_reply(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        lan.sends(sticker={"file_id": "s1", "file_unique_id": "u1", "type": "regular",
                           "width": 512, "height": 512, "is_animated": False,
                           "is_video": False})
        lan.sends(voice={"file_id": "v1", "file_unique_id": "u2", "duration": 3})
        lan.sends(location={"latitude": 10.5, "longitude": 106.4})
        replies = await api.wait_for(lambda: api.sent(501)[2:] and api.sent(501))
    assert [r.params["text"] for r in replies] == [
        "Xin lỗi, tôi chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi."
    ] * 3


async def test_flooding_gets_one_polite_notice_then_silence(tmp_path: Path) -> None:
    async with running_bot(
        tmp_path, "[delivery]\nflood_messages_per_minute = 3", clock=clock
    ) as api:
        lan, nam = Person(api, 501, "Lan"), Person(api, 502, "Nam")
        for _ in range(6):
            lan.says("dang ky khai sinh can giay to gi")
        await api.wait_for(lambda: len(api.sent(501)) >= 4)
        # Nam, who is not flooding, is answered; Lan gets nothing more meanwhile.
        await nam.ask("/huongdan")
        texts = [r.params["text"] for r in api.sent(501)]
    assert len(texts) == 4
    assert all("Đăng ký khai sinh" in t for t in texts[:3])
    assert texts[3].startswith("Anh/chị gửi nhanh quá")


async def test_a_429_from_telegram_is_retried_after_the_time_it_asks_for(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        api.fail_next("sendMessage", retry_after=1)
        (card,) = await Person(api, 501, "Lan").ask("dang ky khai sinh can giay to gi")
        refused, delivered = api.made("sendMessage", ok_only=False)
    assert refused.status == 429 and delivered is card
    assert delivered.at - refused.at >= 1.0
    assert delivered.params["text"] == refused.params["text"]


async def test_in_groups_only_commands_mentions_and_replies_are_answered(
    tmp_path: Path,
) -> None:
    group = {"id": -100555, "type": "supergroup", "title": "Cán bộ xã"}
    async with running_bot(tmp_path, clock=clock) as api:
        lan = Person(api, 501, "Lan", chat=group)
        lan.says("khai sinh cần gì")  # talk among people: not for the bot
        lan.says("/huongdan@other_bot")
        (card,) = await lan.ask("@tro_ly_xa_bot đăng ký khai sinh cần giấy tờ gì")
        (help_text,) = await lan.ask("/huongdan@tro_ly_xa_bot")
        bot_message = {"message_id": 1, "date": int(time.time()), "chat": group,
                       "from": BOT_USER, "text": "…"}
        before = len(api.sent(group["id"]))
        lan.says("lệ phí khai sinh", reply_to_message=bot_message)
        await api.wait_for(lambda: len(api.sent(group["id"])) > before)
        sent = api.sent(group["id"])
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
    assert "Tra cứu thủ tục hành chính" in help_text.params["text"]
    assert len(sent) == 3


async def test_messages_sent_while_the_bot_was_down_are_answered(tmp_path: Path) -> None:
    api = FakeBotApi()
    await api.start()
    Person(api, 501, "Lan").says("dang ky khai sinh can giay to gi")
    async with running_bot(tmp_path, clock=clock, api=api):
        (card,) = await api.wait_for(lambda: api.sent(501))
        (delete_webhook,) = api.made("deleteWebhook")
    assert delete_webhook.params["drop_pending_updates"] is False
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")


async def test_a_failed_send_is_logged_without_the_token_and_the_person_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(tmp_path, clock=clock) as api:
        api.reject_next("sendMessage", "can't parse entities")
        lan = Person(api, 501, "Lan")
        lan.says("dang ky khai sinh can giay to gi")
        (sorry,) = await api.wait_for(lambda: api.sent(501))
    assert sorry.params["text"].startswith("Xin lỗi, hệ thống vừa gặp sự cố")
    failure = next(r for r in caplog.records if "refused" in r.getMessage())
    assert "to telegram chat 501 refused: Can't parse entities" in failure.getMessage()
    assert any("sendMessage" in r.getMessage() for r in caplog.records)  # httpx's request line
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
