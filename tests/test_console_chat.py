"""The terminal chat, driven line by line the way a person types."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import aiosqlite

from bot.app import open_app, serve_console
from bot.config import load_config
from tests.factories import FIXED_NOW


class Terminal:
    """Feeds typed lines to the chat and collects what it prints."""

    def __init__(self, lines: Iterable[str | None]) -> None:
        self._lines = iter(lines)
        self.output: list[str] = []

    async def read_line(self, prompt: str) -> str | None:
        return next(self._lines, None)

    def write(self, text: str) -> None:
        self.output.append(text)

    @property
    def replies(self) -> list[str]:
        return [text for text in self.output if text.startswith("\n")]


async def chat(tmp_path: Path, lines: Iterable[str | None], config_text: str = "") -> Terminal:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "bot.sqlite3"\n{config_text}', encoding="utf-8")
    terminal = Terminal(lines)
    async with open_app(load_config(path, environ={}), clock=lambda: FIXED_NOW) as app:
        await serve_console(app, read_line=terminal.read_line, write=terminal.write)
    return terminal


async def test_question_with_and_without_diacritics_gets_documents_and_legal_basis(
    tmp_path: Path,
) -> None:
    terminal = await chat(
        tmp_path, ["đăng ký khai sinh cần giấy tờ gì", "dang ky khai sinh can giay to gi", "/thoat"]
    )
    assert len(terminal.replies) == 2
    for reply in terminal.replies:
        assert "Đăng ký khai sinh" in reply
        assert "▸ Thành phần hồ sơ" in reply
        assert "Giấy chứng sinh" in reply
        assert "60/2014/QH13" in reply
    assert terminal.output[-1] == "Tạm biệt anh/chị!"


async def test_typing_a_button_number_shows_that_part(tmp_path: Path) -> None:
    terminal = await chat(tmp_path, ["dang ky khai sinh can giay to gi", None])
    (first,) = terminal.replies
    fee_button = next(line for line in first.splitlines() if "Lệ phí" in line)
    assert fee_button.strip().startswith("[")
    number = fee_button.strip()[1 : fee_button.strip().index("]")]
    terminal = await chat(tmp_path, ["dang ky khai sinh can giay to gi", number, None])
    assert "▸ Phí, lệ phí" in terminal.replies[1]
    assert "Miễn lệ phí" in terminal.replies[1]


async def test_out_of_range_number_and_unknown_question_are_answered_politely(
    tmp_path: Path,
) -> None:
    terminal = await chat(
        tmp_path,
        ["dang ky khai sinh can giay to gi", "99", "giá xăng hôm nay", "/thoat"],
        config_text='[support]\nhotline_phone = "0210 3 888 999"\n',
    )
    assert "Không có lựa chọn số 99" in "\n".join(terminal.output)
    unknown = terminal.replies[-1]
    assert "chưa có thông tin chắc chắn" in unknown
    assert "0210 3 888 999" in unknown


async def test_greeting_and_help_are_not_logged_as_answers(tmp_path: Path) -> None:
    terminal = await chat(tmp_path, ["/start", "xin chào", "/help", "/thoat"])
    start, hello, help_text = terminal.replies
    assert "Xin chào anh/chị!" in start
    assert "Anh/chị cần hỏi về thủ tục nào" in hello
    assert "Tra cứu thủ tục hành chính" in help_text
    async with aiosqlite.connect(tmp_path / "bot.sqlite3") as db, db.execute(
        "SELECT query, answer_id, intent FROM question_log"
    ) as cursor:
        assert await cursor.fetchall() == [("xin chào", None, "greeting")]


async def test_only_a_few_plain_digits_press_a_button(tmp_path: Path) -> None:
    terminal = await chat(
        tmp_path, ["dang ky khai sinh can giay to gi", "²", "1" * 5000, "/thoat"]
    )
    first, superscript, long_number = terminal.replies
    assert "[1]" in first
    for reply in (superscript, long_number):  # read as questions, not as choices
        assert "chưa có thông tin chắc chắn" in reply


async def test_every_question_goes_to_the_question_log(tmp_path: Path) -> None:
    await chat(tmp_path, ["giá xăng hôm nay", "dang ky khai sinh can giay to gi", "1", None])
    async with aiosqlite.connect(tmp_path / "bot.sqlite3") as db, db.execute(
        "SELECT query, normalized_query, answer_id, intent FROM question_log ORDER BY id"
    ) as cursor:
        rows = await cursor.fetchall()
    assert rows[0] == ("giá xăng hôm nay", "gia xang hom nay", None, "unknown")
    assert rows[1][0] == "dang ky khai sinh can giay to gi"
    assert rows[1][2] == "ho-tich/dang-ky-khai-sinh"
    assert len(rows) == 2  # a button press is not a new question


def test_the_chat_command_reads_piped_questions_and_ends_at_end_of_input(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "bot.sqlite3"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--config", str(config)],
        input="dang ky khai sinh can giay to gi\n", capture_output=True, text=True,
        encoding="utf-8", timeout=60,
    )
    assert done.returncode == 0
    assert "▸ Thành phần hồ sơ" in done.stdout and "60/2014/QH13" in done.stdout
    assert done.stdout.rstrip().endswith("Tạm biệt anh/chị!")
    assert done.stderr == ""


def test_the_chat_command_with_stdin_closed_says_goodbye(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "bot.sqlite3"\n', encoding="utf-8")
    done = subprocess.run(  # `<&-`: the shell starts the bot with stdin closed
        ["sh", "-c", 'exec "$0" -m bot chat --config "$1" <&-', sys.executable, str(config)],
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.rstrip().endswith("Tạm biệt anh/chị!")


def numbered(reply: str) -> dict[str, str]:
    """Button label → the number to type, as the terminal shows them."""
    found = (line.strip() for line in reply.splitlines())
    return {line.split("] ", 1)[1]: line[1 : line.index("]")]
            for line in found if line.startswith("[") and "] " in line}


async def test_button_numbers_keep_their_meaning_after_each_press(tmp_path: Path) -> None:
    first = numbered((await chat(tmp_path / "a", ["dang ky khai sinh", None])).replies[0])
    fee, steps = first["💰 Lệ phí"], first["🪜 Các bước"]
    terminal = await chat(tmp_path / "b", ["dang ky khai sinh", fee, steps, None])
    card, fees, shown_steps = terminal.replies
    assert numbered(card) == first  # a new chat, the same card
    assert "▸ Phí, lệ phí" in fees
    later = numbered(fees)
    assert min(int(n) for n in later.values()) == max(int(n) for n in first.values()) + 1
    assert "▸ Trình tự thực hiện" in shown_steps  # the first message's number still works
