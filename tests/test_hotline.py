"""The hotline end to end against the fake Bot API: an official's request reaches the
right team's chat, the team's answers come back, and the ticket's life (claim, close,
rating, reopen) holds when several people act at once."""

from __future__ import annotations

from pathlib import Path

from tests.fake_bot_api import Person, button_data, buttons
from tests.hotline_helpers import (
    GENERAL_TEAM,
    JUSTICE_TEAM,
    OFFICIAL,
    Clock,
    header_in,
    hotline_bot,
    hotline_config,
    team_member,
    ticket_header,
)


async def test_a_ticket_opened_from_an_answer_card_carries_the_question(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        (card,) = await lan.ask("đăng ký khai sinh cần giấy tờ gì")
        _, (topics,) = await lan.tap(button_data(card, "Hỏi tổ hỗ trợ"), on=card, replies=1)
        assert "đăng ký khai sinh cần giấy tờ gì" in topics.params["text"]
        assert "Hộ tịch" in [label for label, _ in buttons(topics)]

        _, (sent,) = await lan.tap(button_data(topics, "Hộ tịch"), on=topics, replies=1)
        assert "Đã gửi yêu cầu số 1 tới Tổ hỗ trợ Tư pháp – Hộ tịch." in sent.params["text"]
        assert "khoảng 60 phút" in sent.params["text"]
        assert [label for label, _ in buttons(sent)] == ["🔎 Hỏi câu khác"]

        header = await header_in(api, JUSTICE_TEAM)
        text = header.params["text"]
        assert "đăng ký khai sinh cần giấy tờ gì" in text
        assert "Lan" in text and "Hộ tịch" in text
        assert "Gửi lúc: 09:30 thứ Ba 03/11/2026" in text  # Vietnam time, not UTC
        assert "Hỏi từ câu trả lời: Đăng ký khai sinh" in text
        labels = [label for label, _ in buttons(header)]
        assert labels == ["✋ Nhận xử lý", "✅ Đóng", "🔁 Mở lại", "↪️ Chuyển nhóm"]
        assert not api.sent(GENERAL_TEAM)


async def test_a_topic_no_team_lists_goes_to_the_default_team(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        header = await ticket_header(api, lan, "Đất đai",
                                     "Không tra được thửa đất trên hệ thống", GENERAL_TEAM)
        assert "Không tra được thửa đất" in header.params["text"]
        assert "Đất đai" in header.params["text"]
        assert not api.sent(JUSTICE_TEAM)


async def test_header_card_and_the_copied_screenshot(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        (topics,) = await lan.ask("/hotro")
        await lan.tap(button_data(topics, "Một cửa"), on=topics, replies=1)
        photo_update = lan.sends_photo("screen1")
        (more,) = await api.wait_for(lambda: api.sent(OFFICIAL)[2:3])
        assert "ảnh/tệp" in more.params["text"]
        await lan.ask("Phần mềm một cửa báo lỗi khi ký số")
        header = await header_in(api, GENERAL_TEAM)
        assert "báo lỗi khi ký số" in header.params["text"]
        (copy,) = await api.wait_for(lambda: api.copied(GENERAL_TEAM))
        photo = next(u for u in api.pushed if u["update_id"] == photo_update)["message"]
        assert copy.params["from_chat_id"] == OFFICIAL
        assert copy.params["message_id"] == photo["message_id"]
        assert not api.made("sendPhoto")  # copied, not uploaded again


async def test_staff_reply_reaches_the_official_in_reply_mode(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch",
                                     "Khai sinh cho trẻ sinh ở nước ngoài?", JUSTICE_TEAM)
        assert not api.made("createForumTopic", ok_only=True)

        before = len(api.sent(OFFICIAL))
        hung.replies(header, "Chị làm theo thủ tục khai sinh có yếu tố nước ngoài nhé.")
        (answer,) = await api.wait_for(lambda: api.sent(OFFICIAL)[before:])
        assert "Tổ hỗ trợ Tư pháp – Hộ tịch" in answer.params["text"]
        assert "yếu tố nước ngoài" in answer.params["text"]
        assert "Hùng" not in answer.params["text"]  # show_staff_names = false

        hung.says("Trưa nay ai trực?")  # not a reply to a ticket: stays among staff
        lan_follow_up = "Cảm ơn, cho hỏi thêm về lệ phí"
        before_team = len(api.sent(JUSTICE_TEAM))
        lan.says(lan_follow_up)
        relayed = await api.wait_for(lambda: [c for c in api.sent(JUSTICE_TEAM)[before_team:]
                                              if lan_follow_up in c.params["text"]])
        assert "Số 1 · Lan" in relayed[0].params["text"]
        (ack,) = await api.wait_for(lambda: api.sent(OFFICIAL)[before + 1:])
        assert "Đã chuyển cho tổ hỗ trợ" in ack.params["text"]  # the first time only
        assert not any("Trưa nay" in c.params["text"] for c in api.sent(OFFICIAL))


async def test_in_a_forum_each_ticket_has_its_topic_and_both_sides_talk_there(
    tmp_path: Path,
) -> None:
    async with hotline_bot(tmp_path, config=hotline_config(show_staff_names=True)) as api:
        lan = Person(api, OFFICIAL, "Lan")
        mai = team_member(api, 901, "Mai", GENERAL_TEAM, forum=True)
        header = await ticket_header(api, lan, "Khác",
                                     "Không đăng nhập được hệ thống", GENERAL_TEAM)
        (topic,) = api.made("createForumTopic")
        thread = topic.result["message_thread_id"]
        assert topic.params["name"].startswith("#1 · ")
        assert header.params["message_thread_id"] == thread

        before = len(api.sent(OFFICIAL))
        mai.says_in_topic(thread, "Anh thử đặt lại mật khẩu ở mục Quên mật khẩu.")
        (answer,) = await api.wait_for(lambda: api.sent(OFFICIAL)[before:])
        assert "Mai (Tổ hỗ trợ chung)" in answer.params["text"]
        assert "đặt lại mật khẩu" in answer.params["text"]

        mai.says_in_topic(thread, "! gọi lại cho xã nếu chiều chưa được")
        (note,) = await api.wait_for(lambda: [c for c in api.sent(GENERAL_TEAM)
                                              if "Đã lưu ghi chú" in c.params["text"]])
        assert note.params["message_thread_id"] == thread

        lan.says("Vẫn chưa được ạ")
        (follow_up,) = await api.wait_for(lambda: [c for c in api.sent(GENERAL_TEAM)
                                                   if "Vẫn chưa được" in c.params["text"]])
        assert follow_up.params["message_thread_id"] == thread
        assert len(api.made("createForumTopic")) == 1
        assert not any("gọi lại cho xã" in c.params["text"] for c in api.sent(OFFICIAL))


async def test_two_staff_claim_at_once_and_one_wins(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        thu = team_member(api, 902, "Thu", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Chứng thực",
                                     "Chứng thực bản sao từ bản chính điện tử?", JUSTICE_TEAM)
        claim = button_data(header, "Nhận xử lý")
        hung.presses(claim, on=header)
        thu.presses(claim, on=header)
        await api.wait_for(lambda: len(api.made("answerCallbackQuery")) == 2)
        claimed = await api.wait_for(lambda: [c for c in api.sent(JUSTICE_TEAM)
                                              if "đã nhận xử lý" in c.params["text"]])
        assert len(claimed) == 1
        winner = "Hùng" if "Hùng" in claimed[0].params["text"] else "Thu"
        notices = [c.params.get("text", "") for c in api.made("answerCallbackQuery")]
        assert f"đã có {winner} nhận xử lý" in " ".join(notices)
        await api.wait_for(lambda: any("đã có cán bộ" in c.params["text"]
                                       for c in api.sent(OFFICIAL)))


async def test_a_stranger_pressing_claim_is_refused(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        stranger = Person(api, 666, "Người lạ")
        header = await ticket_header(api, lan, "Hộ tịch",
                                     "Trích lục khai sinh bản sao", JUSTICE_TEAM)
        refused, _ = await stranger.tap(button_data(header, "Nhận xử lý"))
        assert "chỉ cán bộ tổ hỗ trợ" in refused.params["text"]
        refused, _ = await lan.tap(button_data(header, "Đóng"))
        assert "chỉ cán bộ tổ hỗ trợ" in refused.params["text"]
        assert not any("đã nhận" in c.params["text"] for c in api.sent(JUSTICE_TEAM))


async def test_close_then_rating_and_comment_then_reopen_within_reopen_days(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with hotline_bot(tmp_path, clock) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch",
                                     "Đăng ký lại khai sinh", JUSTICE_TEAM)
        before = len(api.sent(OFFICIAL))
        await hung.tap(button_data(header, "Đóng"), on=header)
        (rate,) = await api.wait_for(lambda: api.sent(OFFICIAL)[before:])
        assert "chấm điểm" in rate.params["text"]
        assert [label for label, _ in buttons(rate)] == ["1", "2", "3", "4", "5"]

        _, (thanks,) = await lan.tap(button_data(rate, "4"), on=rate, replies=1)
        assert "4/5" in thanks.params["text"]
        (done,) = await lan.ask("Tổ trả lời nhanh, rõ ràng")
        assert "Cảm ơn góp ý" in done.params["text"]
        await api.wait_for(lambda: any("Tổ trả lời nhanh" in c.params["text"]
                                       for c in api.sent(JUSTICE_TEAM)))

        (answer,) = await lan.ask("đăng ký khai sinh cần giấy tờ gì")
        assert "Đăng ký khai sinh" in answer.params["text"]  # back to the knowledge base

        clock.now = clock.now.replace(day=5)
        (listing,) = await lan.ask("/yeucau")
        assert "Số 1" in listing.params["text"] and "đã đóng" in listing.params["text"]
        _, (resumed,) = await lan.tap(button_data(listing, "Mở lại số 1"), on=listing,
                                      replies=1)
        assert "yêu cầu số 1" in resumed.params["text"]
        await api.wait_for(lambda: any("được mở lại" in c.params["text"]
                                       for c in api.sent(JUSTICE_TEAM)))
        lan.says("Còn vướng phần ghi chú")
        await api.wait_for(lambda: any("Còn vướng phần ghi chú" in c.params["text"]
                                       for c in api.sent(JUSTICE_TEAM)))


async def test_writing_to_a_ticket_closed_longer_than_reopen_days_starts_anew(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with hotline_bot(tmp_path, clock) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch",
                                     "Cải chính hộ tịch", JUSTICE_TEAM)
        hung.replies(header, "Anh xem mục cải chính nhé")
        (answer,) = await api.wait_for(lambda: [c for c in api.sent(OFFICIAL)
                                                if "mục cải chính" in c.params["text"]])
        await hung.tap(button_data(header, "Đóng"), on=header)
        await api.wait_for(lambda: any("chấm điểm" in c.params["text"]
                                       for c in api.sent(OFFICIAL)))
        clock.now = clock.now.replace(day=11)
        before = len(api.sent(OFFICIAL))
        lan.replies(answer, "Cho hỏi lại việc cải chính")
        (reply,) = await api.wait_for(lambda: api.sent(OFFICIAL)[before:])
        assert "không mở lại được" in reply.params["text"]
        assert "/hotro" in reply.params["text"]
