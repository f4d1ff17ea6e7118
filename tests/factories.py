"""Builders for test data: entry files and entries written the way people write them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
