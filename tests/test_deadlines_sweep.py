"""The sweep with a controlled clock: offsets, digests, targeting, confirmations, snooze,
the overdue report, edits, a crash in the middle of a run, and downtime."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from bot.storage.database import to_db
from handlers.model import Reply
from handlers.ports import User
from tests.deadline_helpers import SUPERVISORS_CHAT, World, world
from tests.factories import VN

PROJECT = """[[deadline]]
id = "de-an"
title = "Đề án nâng cao chất lượng cán bộ"
details = "Mục 2.3 Công văn 354-CV/TU."
due = 2026-03-31
done_by = "unit"
[deadline.audience]
units = ["Xã Tân Hưng", "Xã An Bình"]
positions = ["Chủ tịch UBND", "Công chức Văn phòng – Thống kê"]
"""
REPORT = """[[deadline]]
id = "bao-cao"
title = "Báo cáo rà soát"
due = 2026-03-27
remind = ["1d"]
[deadline.audience]
everyone = true
"""
START = datetime(2026, 3, 16, 10, 0, tzinfo=VN)


def at(day: int, hour: int = 7, minute: int = 30, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


async def people(w: World) -> dict[str, User]:
    return {
        "lan": await w.official("101", "Xã Tân Hưng", "Chủ tịch UBND"),
        "minh": await w.official("102", "Xã Tân Hưng", "Công chức Văn phòng – Thống kê"),
        "hoa": await w.official("103", "Xã An Bình", "Chủ tịch UBND"),
        "tuan": await w.official("104", "Xã Tân Hưng", "Công chức Tư pháp – Hộ tịch"),
        "son": await w.official("105", "Phường Bắc Sơn", "Chủ tịch UBND"),
    }


async def announced(w: World, text: str) -> tuple[dict[str, User], dict[str, Reply]]:
    """The people, and the notice each got of the deadlines in `text`."""
    folks = await people(w)
    await w.load(text)
    await w.sweep()
    return folks, dict(await w.new_messages())


async def test_a_new_deadline_is_announced_then_reminded_at_each_offset_once(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.load(PROJECT)
        assert await w.sweep() == 3
        notices = await w.new_messages()
        # Unit and position together: Tân Hưng's and An Bình's chairs, Tân Hưng's office.
        assert sorted(chat for chat, _ in notices) == ["101", "102", "103"]
        assert notices[0][1].blocks[0].text == "Việc mới được giao cho anh/chị"
        assert await w.sweep(at(16, 10, 1)) == 0
        assert await w.sweep(at(24, 7, 29)) == 0
        assert await w.sweep(at(24)) == 3
        (_, reply), *_ = await w.new_messages()
        assert "Sắp đến hạn" in reply.plain_text
        assert "hạn thứ Ba 31/03/2026, còn 5 ngày làm việc" in reply.plain_text
        assert await w.sweep(at(24, 7, 31)) == 0
        sent = {day: await w.sweep(at(day)) for day in (25, 28, 30, 31)}
        assert sent == {25: 0, 28: 3, 30: 3, 31: 3}
        today = (await w.new_messages())[-1][1].plain_text
        assert "hạn là hôm nay" in today
        assert await w.sweep(at(1, month=4)) == 4  # and the supervisors' report
        overdue = (await w.new_messages())[0][1].plain_text
        assert "Quá hạn" in overdue and "đã quá hạn 1 ngày làm việc" in overdue


async def test_one_digest_per_person_groups_overdue_first_then_oldest_first(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.load(PROJECT + "\n" + REPORT.replace("2026-03-27", "2026-03-30")
                     .replace('["1d"]', '["3d"]').replace('"bao-cao"', '"bao-cao-2"'))
        await w.load(REPORT, "other.toml")
        await w.sweep()
        await w.new_messages()
        # Everyone has a digest, and the supervisors the overdue report.
        assert await w.sweep(at(28)) == 6
        (_, lan), *_ = [m for m in await w.new_messages() if m[0] == "101"]
        text = lan.plain_text
        assert text.index("Quá hạn") < text.index("Sắp đến hạn")
        assert text.index("1. Báo cáo rà soát — hạn thứ Sáu 27/03/2026") < text.index(
            "2. Báo cáo rà soát — hạn thứ Hai 30/03/2026") < text.index(
            "3. Đề án nâng cao chất lượng cán bộ — hạn thứ Ba 31/03/2026")
        labels = [b.label for row in lan.buttons for b in row]
        assert labels[:3] == ["✅ Đã hoàn thành (1)", "📄 Xem chi tiết (1)", "⏰ Nhắc lại mai (1)"]
        assert len(labels) == 9


async def test_a_units_confirmation_stops_everyones_reminders_in_that_unit(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START) as w:
        folks, notices = await announced(w, PROJECT)
        done = await w.press(folks["minh"], notices["102"], "Đã hoàn thành")
        assert done.plain_text.startswith("Đã ghi nhận: Xã Tân Hưng hoàn thành")
        again = await w.press(folks["lan"], notices["101"], "Đã hoàn thành")
        assert "đã được xác nhận hoàn thành trước đó" in again.plain_text
        assert await w.sweep(at(24)) == 1
        assert [chat for chat, _ in await w.new_messages()] == ["103"]
        progress = await w.say(folks["lan"], "/tiendo de-an", chat_id="-1001234")
        assert "1/2 đơn vị đã hoàn thành" in progress.plain_text
        assert progress.plain_text.index("⏳ Xã An Bình") < progress.plain_text.index(
            "✅ Xã Tân Hưng")


async def test_snooze_holds_reminders_until_tomorrow_morning_then_reminds_once(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START) as w:
        folks = await people(w)
        await w.load(PROJECT.replace('due = 2026-03-31', 'due = 2026-03-31T16:00:00')
                     .replace('done_by = "unit"', 'remind = ["1d", "2h"]'))
        await w.sweep()
        await w.new_messages()
        await w.sweep(at(30))
        reminder = dict(await w.new_messages())["101"]
        answer = await w.press(folks["lan"], reminder, "Nhắc lại mai")
        assert "vào sáng thứ Ba 31/03/2026" in answer.plain_text
        assert await w.sweep(at(31, 7, 29)) == 0
        assert await w.sweep(at(31)) == 1  # the snooze, for Lan only
        assert [chat for chat, _ in await w.new_messages()] == ["101"]
        assert await w.sweep(at(31, 14, 0)) == 3  # the 2h reminder, for everyone
        assert "16:00 thứ Ba 31/03/2026" in (await w.new_messages())[0][1].plain_text


async def test_the_supervisors_get_the_units_that_have_not_confirmed_each_morning(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START) as w:
        folks, notices = await announced(w, REPORT)
        await w.press(folks["son"], notices["105"], "Đã hoàn thành")
        await w.sweep(at(30))
        report = [reply for chat, reply in await w.new_messages() if chat == SUPERVISORS_CHAT]
        assert len(report) == 1
        text = report[0].plain_text
        assert text.startswith("Báo cáo việc quá hạn sáng thứ Hai 30/03/2026")
        assert "Báo cáo rà soát (hạn thứ Sáu 27/03/2026): chưa xác nhận 2/3 đơn vị — " \
               "Xã An Bình, Xã Tân Hưng" in text
        assert await w.sweep(at(30, 8)) == 0
        await w.sweep(at(31))
        assert [c for c, _ in await w.new_messages()].count(SUPERVISORS_CHAT) == 1


async def test_an_edited_due_date_is_announced_and_reminded_again(tmp_path: Path) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.load(PROJECT)
        await w.sweep()
        await w.sweep(at(24))
        await w.new_messages()
        w.clock.now = at(25, 9)
        await w.load(PROJECT.replace("2026-03-31", "2026-04-10").replace(
            "Đề án nâng cao", "Đề án (sửa) nâng cao"))
        assert await w.sweep() == 3
        (_, notice), *_ = await w.new_messages()
        assert "Việc mới được giao" in notice.plain_text
        assert "Đề án (sửa) nâng cao chất lượng cán bộ — hạn thứ Sáu 10/04/2026" \
            in notice.plain_text
        # The old date's reminders are gone; the new one's come at its own offsets.
        assert await w.sweep(at(28)) == 0
        assert await w.sweep(at(3, month=4)) == 3
        assert await w.sweep(at(30)) == 0


async def test_a_crash_in_the_middle_of_a_digest_run_loses_nothing_and_repeats_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.load(REPORT)
        real_send = w.app.ctx.outbox.send
        calls = 0

        async def crashing(message: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise RuntimeError("killed in the middle")
            await real_send(message)  # type: ignore[arg-type]

        monkeypatch.setattr(w.app.ctx.outbox, "send", crashing)
        with pytest.raises(RuntimeError):
            await w.sweep()
        assert await w.new_messages() == []
        row = await w.app.storage.database.fetch_one("SELECT COUNT(*) FROM deadline_ledger")
        assert row is not None and row[0] == 0
        monkeypatch.setattr(w.app.ctx.outbox, "send", real_send)
        assert await w.sweep() == 5
        assert await w.sweep() == 0
        assert sorted(chat for chat, _ in await w.new_messages()) == [
            "101", "102", "103", "104", "105"]


async def test_reminders_missed_while_down_are_sent_once_and_marked_late(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.load(PROJECT)
        await w.sweep()
        await w.new_messages()
        # Down from 23 to 29 March: the 7d and 3d reminders were missed.
        assert await w.sweep(at(29, 10)) == 3
        messages = await w.new_messages()
        text = messages[0][1].plain_text
        assert "gửi muộn" in text and text.count("Đề án nâng cao") == 1
        assert await w.sweep(at(29, 10, 1)) == 0
        # Down past the overdue window: nothing is sent any more.
        assert await w.sweep(at(20, 10, month=4)) == 0


async def test_a_chat_that_blocked_the_bot_gets_no_reminder(tmp_path: Path) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.app.storage.database.fetch_all("SELECT 1")
        async with w.app.storage.transaction() as db:
            await db.execute("INSERT INTO chats VALUES ('telegram', '101', ?, 'blocked')",
                             (to_db(START),))
        await w.load(PROJECT)
        assert await w.sweep() == 2


async def test_overlapping_sweeps_claim_each_reminder_once(tmp_path: Path) -> None:
    async with world(tmp_path, START) as w:
        await people(w)
        await w.load(REPORT)
        counts = await asyncio.gather(*(w.sweep() for _ in range(3)))
        assert sorted(counts) == [0, 0, 5]
        rows = await w.app.storage.database.fetch_all(
            "SELECT recipient, COUNT(*) FROM deadline_ledger GROUP BY recipient")
        assert len(rows) == 5 and all(row[1] == 1 for row in rows)


async def test_a_team_chat_is_reminded_and_its_confirmation_counts_for_the_team(
    tmp_path: Path,
) -> None:
    team = '[[hotline.teams]]\nname = "Tổ hỗ trợ chung"\nchat_id = -1007777\n'
    async with world(tmp_path, START, team) as w:
        staff = await w.app.storage.users.upsert("telegram", "900", "Chị Mai", START)
        await w.load(REPORT.replace("everyone = true", 'teams = ["Tổ hỗ trợ chung"]'))
        assert await w.sweep() == 1
        ((chat, notice),) = await w.new_messages()
        assert chat == "-1007777"
        snooze = await w.press(staff, notice, "Nhắc lại mai", chat_id="-1007777")
        assert "trò chuyện riêng" in snooze.plain_text
        done = await w.press(staff, notice, "Đã hoàn thành", chat_id="-1007777")
        assert done.plain_text.startswith("Đã ghi nhận: Tổ hỗ trợ chung hoàn thành")
        assert await w.sweep(at(26)) == 0
        elsewhere = await w.press(staff, notice, "Đã hoàn thành")
        assert "không còn giao cho anh/chị" in elsewhere.plain_text
