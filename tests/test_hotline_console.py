"""The hotline with no Telegram token: the official in one terminal, the support team in
another (`commune-bot chat --staff`), on one database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.app import run_console
from bot.config import load_config
from tests.hotline_helpers import hotline_config

WAIT_SECONDS = 20.0


class Terminal:
    """Types each line once what it waits for has been printed (None: type at once)."""

    def __init__(self, script: Iterable[tuple[str | None, str | None]]) -> None:
        self._script = iter(script)
        self.output: list[str] = []

    async def read_line(self, prompt: str) -> str | None:
        wait_for, line = next(self._script, (None, None))
        if wait_for is not None:
            await self._until(lambda: any(wait_for in text for text in self.output))
        return line

    def write(self, text: str) -> None:
        self.output.append(text)

    async def _until(self, condition: Callable[[], bool]) -> None:
        async def poll() -> None:
            while not condition():
                await asyncio.sleep(0.02)  # the other terminal's message, via the database

        await asyncio.wait_for(poll(), WAIT_SECONDS)

    @property
    def shown(self) -> str:
        return "\n".join(self.output)


async def test_two_terminals_walk_through_a_ticket(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "bot.sqlite3"\n{hotline_config()}', encoding="utf-8")
    config = load_config(path, environ={})
    official = Terminal([(None, "/hotro"), (None, "1"), (None, "Không in được trích lục"),
                         ("Đã gửi yêu cầu số 1", None)])
    await run_console(config, read_line=official.read_line, write=official.write)
    assert "Tổ hỗ trợ Tư pháp – Hộ tịch" in official.shown

    staff = Terminal([("Không in được trích lục", "1"), ("đã nhận xử lý", "! máy in của xã"),
                      ("Đã lưu ghi chú", "Anh chọn mẫu trích lục bản sao rồi in lại nhé"),
                      (None, None)])
    await run_console(config, staff="", read_line=staff.read_line, write=staff.write)
    assert "Yêu cầu hỗ trợ số 1" in staff.shown
    assert "[1] ✋ Nhận xử lý" in staff.shown

    official = Terminal([("mẫu trích lục bản sao", None)])
    await run_console(config, read_line=official.read_line, write=official.write)
    assert "💬 Tổ hỗ trợ Tư pháp – Hộ tịch:" in official.shown
    assert "máy in của xã" not in official.shown
