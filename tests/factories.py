"""Builders for test data: entry files and entries written the way people write them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.delivery.envelope import envelope
from bot.storage import Storage
from handlers.model import Address, ChatKind, Incoming, Reply, Sender

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIXED_NOW = datetime(2026, 11, 28, 9, 30, tzinfo=VN)

SECTIONS = """
## Thành phần hồ sơ
- Tờ khai theo mẫu.
- Giấy tờ tùy thân.

## Trình tự thực hiện
1. Nộp hồ sơ tại UBND cấp xã.
2. Nhận kết quả.

## Thời hạn giải quyết
Trong ngày làm việc.

## Phí, lệ phí
Miễn lệ phí.

## Nơi nộp hồ sơ
UBND cấp xã nơi cư trú.

## Kết quả
Giấy chứng nhận.

## Căn cứ pháp lý
- Luật Hộ tịch số 60/2014/QH13.
"""


def entry_text(
    entry_id: str = "ho-tich/dang-ky-khai-sinh",
    title: str = "Đăng ký khai sinh",
    *,
    code: str = "1.001193",
    kind: str = "procedure",
    verified: str = "2026-11-01",
    aliases: tuple[str, ...] = ("làm giấy khai sinh",),
    extra_front: str = "",
    body: str = SECTIONS,
) -> str:
    alias_list = ", ".join(f'"{a}"' for a in aliases)
    return f"""+++
id = "{entry_id}"
kind = "{kind}"
title = "{title}"
code = "{code}"
field = "Hộ tịch"
levels = ["xa"]
verified = {verified}
aliases = [{alias_list}]
{extra_front}
[[channels]]
channel = "in_person"
time = 1
unit = "working_days"
fee = "Miễn lệ phí"
+++
{body}"""


def write_entry(folder: Path, text: str, name: str | None = None) -> Path:
    entry_id = next(
        line.split("=", 1)[1].strip().strip('"')
        for line in text.splitlines()
        if line.startswith("id =")
    )
    path = folder / (name or f"{entry_id}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def incoming(
    sender: Sender, *, text: str | None = None, button: str | None = None,
    chat_id: str | None = None,
) -> Incoming:
    """What `sender` did, in their private chat or in the chat `chat_id`."""
    chat = Address(sender.channel, chat_id or sender.id)
    kind = ChatKind.GROUP if chat_id and chat_id.startswith("-") else ChatKind.PRIVATE
    return Incoming(sender, chat, kind, text=text, button=button)


async def outbox_messages(storage: Storage) -> list[tuple[str, str, Reply]]:
    """(channel, chat id, reply) of every message handlers queued, in order."""
    rows = await storage.database.fetch_all(
        "SELECT id, channel, chat_id, priority, payload FROM outbox ORDER BY id"
    )
    sent = []
    for row in rows:
        message = envelope(row["id"], Address(row["channel"], row["chat_id"]), row["priority"],
                           row["payload"])
        if message.reply is not None:
            sent.append((row["channel"], row["chat_id"], message.reply))
    return sent
