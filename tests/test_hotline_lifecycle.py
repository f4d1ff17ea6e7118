"""The hotline over time and when things go wrong: holidays, response times, a blocked
official, a redelivered update, hand-overs, staff commands, drafts and the export."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.app import open_app
from bot.cli import main
from bot.config import load_config
from handlers.hotline import sla
from tests.factories import VN
from tests.fake_bot_api import Person, button_data
from tests.hotline_helpers import (
    GENERAL_TEAM,
    JUSTICE_TEAM,
    OFFICIAL,
    SUPERVISORS,
    TUESDAY_MORNING,
    Clock,
    hotline_bot,
    open_ticket,
    team_member,
    ticket_header,
)


async def cli(args: list[str]) -> int:
    """`commune-bot ARGS` (its own event loop, so in a thread)."""
    return await asyncio.to_thread(main, args)


def texts_to(api: object, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent(chat_id)]  # type: ignore[attr-defined]


async def test_out_of_hours_on_a_tet_holiday_names_the_next_working_day(
    tmp_path: Path,
) -> None:
    # Wednesday 18 February 2026, 10:00: the second day of Tết (16-20 February off).
    clock = Clock(datetime(2026, 2, 18, 10, 0, tzinfo=VN))
    async with hotline_bot(tmp_path, clock) as api:
        lan = Person(api, OFFICIAL, "Lan")
        confirmation = await open_ticket(api, lan, "Hộ tịch", "Cần hướng dẫn gấp")
        text = confirmation.params["text"]
        assert "ngoài giờ làm việc (Mùng hai Tết Nguyên Đán)" in text
        assert "từ 07:30 thứ Hai 23/02/2026" in text
        assert "Việc gấp, anh/chị gọi 0210 3 888 999." in text


async def test_in_office_hours_the_official_expects_a_first_answer_soon(
    tmp_path: Path,
) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        confirmation = await open_ticket(api, lan, "Hộ tịch", "Hỏi về trích lục")
        assert "trong giờ làm việc" in confirmation.params["text"]
        assert "Việc gấp" not in confirmation.params["text"]


async def test_an_unclaimed_ticket_is_raised_again_then_escalated(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        await ticket_header(api, lan, "Hộ tịch", "Chưa ai trả lời", JUSTICE_TEAM)
        config = load_config(tmp_path / "config.toml", environ={})
        # The sweep of another process on the same database, at the times it needs.
        async with open_app(config, clock=Clock()) as app:

            async def sweep_at(hour: int, minute: int) -> int:
                now = TUESDAY_MORNING.replace(hour=hour, minute=minute)
                async with app.storage.transaction():
                    return await sla.sweep(app.ctx, app.hotline, now)

            assert await sweep_at(10, 29) == 0  # 59 office minutes
            assert await sweep_at(10, 30) == 1
            assert await sweep_at(10, 45) == 0  # raised once
            (nudge,) = await api.wait_for(lambda: [t for t in texts_to(api, JUSTICE_TEAM)
                                                   if "chưa ai nhận" in t])
            assert "Yêu cầu số 1" in nudge and "60 phút" in nudge
            # 09:30-11:30 and 13:30-15:30 make the 240 office minutes: lunch does not count.
            assert await sweep_at(15, 29) == 0
            assert await sweep_at(15, 30) == 1
            assert await sweep_at(16, 0) == 0
        (alert,) = await api.wait_for(lambda: texts_to(api, SUPERVISORS))
        assert "Tổ hỗ trợ Tư pháp – Hộ tịch" in alert and "Chưa ai trả lời" in alert
        assert len([t for t in texts_to(api, JUSTICE_TEAM) if "chưa ai nhận" in t]) == 1


async def test_a_claimed_ticket_is_not_raised(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch", "Đã có người nhận", JUSTICE_TEAM)
        await hung.tap(button_data(header, "Nhận xử lý"), on=header)
        await api.wait_for(lambda: any("đã nhận xử lý" in t for t in texts_to(api, JUSTICE_TEAM)))
        config = load_config(tmp_path / "config.toml", environ={})
        async with open_app(config, clock=Clock()) as app, app.storage.transaction():
            later = TUESDAY_MORNING.replace(hour=16)
            assert await sla.sweep(app.ctx, app.hotline, later) == 0


async def test_an_official_who_blocked_the_bot_is_reported_in_the_thread(
    tmp_path: Path,
) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch", "Hỏi xong chặn bot", JUSTICE_TEAM)
        api.blocked.add(OFFICIAL)
        hung.replies(header, "Anh xem hướng dẫn nhé")
        (report,) = await api.wait_for(lambda: [t for t in texts_to(api, JUSTICE_TEAM)
                                                if "không đến được" in t])
        assert "yêu cầu số 1" in report and "đã chặn" in report


async def test_a_file_too_big_for_the_official_is_reported_in_the_thread(
    tmp_path: Path,
) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch", "Xin mẫu tờ khai", JUSTICE_TEAM)
        api.reject_next("copyMessage", "file is too big")
        hung.sends(reply_to_message=header.result,
                   document={"file_id": "form-1", "file_unique_id": "uform-1",
                             "file_name": "to-khai.pdf", "file_size": 60_000_000})
        (report,) = await api.wait_for(lambda: [t for t in texts_to(api, JUSTICE_TEAM)
                                                if "không đến được" in t])
        assert "tệp quá lớn" in report
        (copy,) = api.made("copyMessage", ok_only=False)
        assert copy.params["chat_id"] == OFFICIAL and copy.status == 400


async def test_a_redelivered_update_is_relayed_once(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        await ticket_header(api, lan, "Hộ tịch", "Hỏi lần đầu", JUSTICE_TEAM)
        update = lan.says("Bổ sung: trẻ sinh năm 2020")
        await api.wait_for(lambda: any("trẻ sinh năm 2020" in t
                                       for t in texts_to(api, JUSTICE_TEAM)))
        api.resend(update)
        await api.wait_for(lambda: any("Đã chuyển cho tổ hỗ trợ" in t
                                       for t in texts_to(api, OFFICIAL)))
        lan.says("Cảm ơn")  # handled after the redelivered one: its relay proves it was seen
        await api.wait_for(lambda: any("Cảm ơn" in t for t in texts_to(api, JUSTICE_TEAM)))
    assert len([t for t in texts_to(api, JUSTICE_TEAM) if "trẻ sinh năm 2020" in t]) == 1


async def test_hand_over_to_another_team_and_staff_commands(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        mai = team_member(api, 901, "Mai", GENERAL_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch", "Thật ra là việc đất đai",
                                     JUSTICE_TEAM)
        _, (choose,) = await hung.tap(button_data(header, "Chuyển nhóm"), on=header, replies=1)
        await hung.tap(button_data(choose, "Tổ hỗ trợ chung"), on=choose)
        moved = await api.wait_for(lambda: [c for c in api.sent(GENERAL_TEAM)
                                            if "Thật ra là việc đất đai" in c.params["text"]])
        assert "Yêu cầu được chuyển từ Tổ hỗ trợ Tư pháp – Hộ tịch" in moved[0].params["text"]
        await api.wait_for(lambda: any("chuyển sang Tổ hỗ trợ chung" in t
                                       for t in texts_to(api, OFFICIAL)))

        mai.replies(moved[0], "! chuyển đúng rồi, để tôi xem")
        await api.wait_for(lambda: any("Đã lưu ghi chú" in t for t in texts_to(api, GENERAL_TEAM)))
        (listing,) = await mai.ask("/ds")
        assert "Số 1 — Tổ hỗ trợ chung — chờ tiếp nhận" in listing.params["text"]
        (history,) = await mai.ask("/xem 1")
        for seen in ("chuyển nhóm (Hùng)", "ghi chú (Mai): chuyển đúng rồi", "cán bộ xã"):
            assert seen in history.params["text"]
        (stats,) = await mai.ask("/thongke")
        assert "Thống kê tháng 11/2026" in stats.params["text"]
        assert "Tổ hỗ trợ chung: 1 yêu cầu, 1 đang mở" in stats.params["text"]

        refused, = await lan.ask("/ds")
        assert "chỉ cán bộ tổ hỗ trợ" in refused.params["text"]


async def test_a_saved_answer_becomes_a_draft_and_the_export_has_the_ticket(
    tmp_path: Path, capsys: object
) -> None:
    async with hotline_bot(tmp_path) as api:
        lan = Person(api, OFFICIAL, "Lan")
        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        header = await ticket_header(api, lan, "Hộ tịch", "Khai sinh quá hạn cần gì?",
                                     JUSTICE_TEAM)
        hung.replies(header, "/luu Đăng ký khai sinh quá hạn như khai sinh đúng hạn.")
        await api.wait_for(lambda: any("như khai sinh đúng hạn" in t
                                       for t in texts_to(api, OFFICIAL)))
        await api.wait_for(lambda: any("bản nháp tri thức số 1" in t
                                       for t in texts_to(api, JUSTICE_TEAM)))
        await hung.tap(button_data(header, "Đóng"), on=header)
        (rate,) = await api.wait_for(lambda: [c for c in api.sent(OFFICIAL)
                                              if "chấm điểm" in c.params["text"]])
        await lan.tap(button_data(rate, "5"), on=rate, replies=1)
        await api.wait_for(lambda: any("5/5" in t for t in texts_to(api, JUSTICE_TEAM)))

    config = str(tmp_path / "config.toml")
    assert await cli(["kb", "drafts", "--config", config]) == 0
    listed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "1\tticket 1\t" in listed and "Khai sinh quá hạn cần gì?" in listed
    out = tmp_path / "drafts"
    assert await cli(["kb", "drafts", "--config", config, "--write", "1", "--out", str(out)]) == 0
    draft = (out / "draft-1.md").read_text(encoding="utf-8")
    assert 'title = "Khai sinh quá hạn cần gì?"' in draft
    assert "như khai sinh đúng hạn" in draft
    # Not servable as it is: the curator's TODOs fail the checker.
    assert await cli(["kb", "check", str(out), "--config", config]) == 1
    capsys.readouterr()  # type: ignore[attr-defined]

    assert await cli(["tickets", "export", "--csv", "--config", config,
                 "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    rows = capsys.readouterr().out.splitlines()  # type: ignore[attr-defined]
    assert rows[0] == "number,team,topic,commune,opened,first_answer,closed,rating"
    number, team, topic, _, opened, first, closed, rating = rows[1].split(",")
    assert (number, team, topic, rating) == ("1", "Tổ hỗ trợ Tư pháp – Hộ tịch", "Hộ tịch", "5")
    assert opened == "2026-11-03T09:30+07:00" and first and closed
    assert await cli(["tickets", "export", "--csv", "--config", config,
                 "--from", "2026-12-01"]) == 0
    assert capsys.readouterr().out.splitlines() == [rows[0]]  # type: ignore[attr-defined]
