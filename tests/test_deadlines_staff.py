"""Staff tools in the support team's chat (/taohan, /thongbao with progress and stop,
/tiendo) and the officials' /viec, driven through the dispatcher."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.storage.database import to_db
from tests.deadline_helpers import STAFF_CHAT, World, world
from tests.factories import VN

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=VN)  # a Tuesday


async def staff_and_officials(w: World) -> tuple[object, ...]:
    staff = await w.app.storage.users.upsert("telegram", "900", "Chị Mai", NOW)
    lan = await w.official("101", "Xã Tân Hưng", "Chủ tịch UBND", "Chị Lan")
    hoa = await w.official("103", "Xã An Bình", "Chủ tịch UBND")
    tuan = await w.official("104", "Xã Tân Hưng", "Công chức Tư pháp – Hộ tịch")
    return staff, lan, hoa, tuan


async def test_taohan_creates_a_deadline_that_is_announced_and_listed_by_viec(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, NOW) as w:
        staff, lan, _, tuan = await staff_and_officials(w)
        refused = await w.say(lan, "/taohan")
        assert "chỉ dùng trong nhóm của tổ hỗ trợ" in refused.plain_text
        asked = await w.say(staff, "/taohan", chat_id=STAFF_CHAT)
        assert "tên việc" in asked.plain_text
        await w.say(staff, "Báo cáo rà soát cán bộ xã", chat_id=STAFF_CHAT)
        bad = await w.say(staff, "31/11/2026", chat_id=STAFF_CHAT)
        assert "không đúng hoặc đã qua" in bad.plain_text
        audience = await w.say(staff, "04/12/2026", chat_id=STAFF_CHAT)
        preview = await w.say(staff, "xa tan hung", chat_id=STAFF_CHAT)
        assert "Hạn: thứ Sáu 04/12/2026" in preview.plain_text
        assert "các đơn vị: Xã Tân Hưng — 2 cán bộ" in preview.plain_text
        assert len(audience.buttons) == 1 + 9  # everyone, then each position
        created = await w.press(staff, preview, "Xác nhận", chat_id=STAFF_CHAT)
        assert "2 cán bộ sẽ được báo" in created.plain_text
        assert await w.sweep() == 2
        chats = sorted(chat for chat, _ in await w.new_messages())
        assert chats == ["101", "104"]
        viec = await w.say(lan, "/viec")
        assert "Báo cáo rà soát cán bộ xã — hạn thứ Sáu 04/12/2026, còn 3 ngày làm việc" \
            in viec.plain_text
        await w.press(tuan, viec, "Đã hoàn thành")
        assert "không có việc nào" in (await w.say(lan, "/viec")).plain_text


async def test_thongbao_previews_sends_reports_progress_and_stops(tmp_path: Path) -> None:
    async with world(tmp_path, NOW) as w:
        staff, *_ = await staff_and_officials(w)
        async with w.app.storage.transaction() as db:
            await db.execute("INSERT INTO chats VALUES ('telegram', '103', ?, 'blocked')",
                             (to_db(NOW),))
        audience = await w.say(staff, "/thongbao Họp giao ban lúc 14:00.", chat_id=STAFF_CHAT)
        chairs = await w.press(staff, audience, "Chủ tịch UBND", chat_id=STAFF_CHAT)
        assert "chức danh: Chủ tịch UBND — 1 cán bộ (bỏ qua 1 người" in chairs.plain_text
        everyone = await w.press(staff, audience, "Tất cả", chat_id=STAFF_CHAT)
        assert "Tất cả cán bộ đã đăng ký — 2 cán bộ (bỏ qua 1" in everyone.plain_text
        started = await w.press(staff, everyone, "Xác nhận", chat_id=STAFF_CHAT)
        assert "tới 2 cán bộ (bỏ qua 1)" in started.plain_text
        sent = await w.new_messages()
        assert sorted(chat for chat, _ in sent) == ["101", "104"]
        assert "Họp giao ban lúc 14:00." in sent[0][1].plain_text
        rows = await w.app.storage.database.fetch_all(
            "SELECT key, priority FROM outbox WHERE ref = 'broadcast:1' ORDER BY key")
        assert [tuple(r) for r in rows] == [("broadcast:1:2", 3), ("broadcast:1:4", 3)]
        progress = await w.press(staff, started, "Tiến độ", chat_id=STAFF_CHAT)
        assert "đã gửi 0, đang chờ 2, không gửi được 0, bỏ qua 1" in progress.plain_text
        stopped = await w.press(staff, started, "Dừng", chat_id=STAFF_CHAT)
        assert "2 tin chưa gửi sẽ không gửi nữa" in stopped.plain_text
        after = await w.press(staff, started, "Tiến độ", chat_id=STAFF_CHAT)
        assert "không gửi được 2" in after.plain_text and "Đã dừng gửi" in after.plain_text
        forged = await w.say(staff, button="bc:1:1")
        assert "Nút này đã cũ" in forged.plain_text  # outside the staff chat


async def test_a_forged_or_stale_reminder_button_does_nothing(tmp_path: Path) -> None:
    async with world(tmp_path, NOW) as w:
        _, lan, *_ = await staff_and_officials(w)
        for data in ("dl:c:1:202612041700", "dl:c:x:1", "dl:c:1:299913991700"):
            reply = await w.say(lan, button=data)
            assert "không còn giao cho anh/chị" in reply.plain_text or \
                "Nút này đã cũ" in reply.plain_text
        row = await w.app.storage.database.fetch_one("SELECT COUNT(*) FROM deadline_done")
        assert row is not None and row[0] == 0
