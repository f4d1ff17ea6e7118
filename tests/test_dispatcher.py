"""Channel-independent conversation rules: buttons, attachments, odd characters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.config import load_config
from handlers import callbacks
from handlers.button_codec import MAX_BYTES, pack
from handlers.model import Address, Attachment, AttachmentKind, Incoming, Sender
from knowledge.entry import Section
from knowledge.search import SearchIndex, SearchResult
from tests.factories import FIXED_NOW, incoming

LAN = Sender("console", "lan", "Chị Lan")
NAM = Sender("console", "nam", "Anh Nam")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "bot.sqlite3"\n', encoding="utf-8")
    async with open_app(load_config(path, environ={}), clock=lambda: FIXED_NOW) as app:
        yield app


async def ask(app: App, sender: Sender, text: str) -> str:
    (reply,) = await app.dispatcher.handle(incoming(sender, text=text))
    return reply.plain_text


async def press(app: App, sender: Sender, data: str) -> str:
    (reply,) = await app.dispatcher.handle(incoming(sender, button=data))
    return reply.plain_text


async def test_section_button_shows_that_section(app: App) -> None:
    (reply,) = await app.dispatcher.handle(
        incoming(LAN, text="dang ky khai sinh can giay to gi")
    )
    fee = next(b for row in reply.buttons for b in row if b.label == "💰 Lệ phí")
    assert app.dispatcher.buttons.unpack(fee.data) == callbacks.ShowSection(1, Section.FEE)
    assert "Miễn lệ phí" in await press(app, LAN, fee.data)


@pytest.mark.parametrize(
    "data",
    ["s:1:fee", "garbage", "s:999:fee", "s:1:secrets", "p:1:9", "", "s:¹:fee", "p:1:²",
     f"s:{2**63}:fee", f"f:{'9' * 40}:1"],
)
async def test_forged_stale_or_foreign_buttons_do_nothing(app: App, data: str) -> None:
    await ask(app, LAN, "dang ky khai sinh can giay to gi")
    assert "Nút này đã cũ" in await press(app, NAM, data)


async def test_feedback_is_stored_only_for_the_asker(app: App) -> None:
    await ask(app, LAN, "dang ky khai sinh can giay to gi")
    assert "Cảm ơn" in await press(app, LAN, "f:1:0")
    record = await app.storage.questions.get(1)
    assert record is not None and record.feedback == -1
    assert "Nút này đã cũ" in await press(app, NAM, "f:1:1")


async def test_attachments_get_a_text_only_reply(app: App) -> None:
    sticker = Incoming(LAN, Address("console", LAN.id),
                       attachments=(Attachment(AttachmentKind.STICKER, "st-1"),))
    (reply,) = await app.dispatcher.handle(sticker)
    assert "chỉ đọc được tin nhắn chữ" in reply.plain_text


async def test_a_photo_with_a_caption_is_answered_by_its_caption(app: App) -> None:
    note, card = await app.dispatcher.handle(
        Incoming(LAN, Address("console", LAN.id), text="dang ky khai sinh can giay to gi",
                 attachments=(Attachment(AttachmentKind.PHOTO, "ph-1"),))
    )
    assert note.plain_text.startswith("Tôi chưa đọc được ảnh, tệp đính kèm")
    assert card.blocks[0].text == "Đăng ký khai sinh"


def test_button_data_fits_telegram_limit(app: App) -> None:
    biggest = callbacks.ShowSection(10**15, Section.CONDITIONS)
    assert len(pack(biggest).encode()) <= MAX_BYTES
    assert app.dispatcher.buttons.unpack(pack(biggest)) == biggest


async def test_undecodable_characters_are_replaced_not_a_failure(app: App) -> None:
    text = await ask(app, LAN, "khai sinh can gi \udcff\udcfe")
    assert "Đăng ký khai sinh" in text
    record = await app.storage.questions.get(1)
    assert record is not None and record.query == "khai sinh can gi ??"


async def test_a_question_is_searched_once_before_its_turn_on_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched: list[str] = []
    search = SearchIndex.search

    def counting(index: SearchIndex, query: str, limit: int = 5) -> SearchResult:
        searched.append(query)
        return search(index, query, limit)

    monkeypatch.setattr(SearchIndex, "search", counting)
    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "bot.sqlite3"\n', encoding="utf-8")
    async with open_app(load_config(path, environ={}), clock=lambda: FIXED_NOW) as app:
        question = incoming(LAN, text="  dang ky ket hon can gi ")
        app.dispatcher.prepare(question)
        assert searched == ["dang ky ket hon can gi"]
        (reply,) = await app.dispatcher.handle(question)
        assert "kết hôn" in reply.plain_text.lower()
        assert searched == ["dang ky ket hon can gi"]  # handling found it remembered
        for other in (incoming(LAN, text="/huongdan"), incoming(LAN, button="s:1:fee"),
                      incoming(NAM, text="@bot hỏi", chat_id="-100")):
            app.dispatcher.prepare(other)
        assert searched == ["dang ky ket hon can gi"]
