"""The hotline's config contract, its one-line errors, and the conversation rules that
need no chat app: the "I don't know" button, plain words, /huy."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import open_app
from bot.config import ConfigError, load_config
from handlers.button_codec import pack
from handlers.hotline import buttons
from handlers.model import Sender
from handlers.ports import TicketState
from tests.factories import incoming
from tests.hotline_helpers import GENERAL_TEAM, JUSTICE_TEAM, TUESDAY_MORNING, hotline_config

LAN = Sender("telegram", "501", "Lan")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "bot.sqlite3"\n{text}', encoding="utf-8")
    return path


def test_the_issue_contract_loads(tmp_path: Path) -> None:
    hotline = load_config(write(tmp_path, hotline_config()), environ={}).hotline
    assert [(t.name, t.chat_id, t.topics) for t in hotline.teams] == [
        ("Tổ hỗ trợ Tư pháp – Hộ tịch", JUSTICE_TEAM, ["ho-tich", "chung-thuc"]),
        ("Tổ hỗ trợ chung", GENERAL_TEAM, []),
    ]
    assert [t.id for t in hotline.topics][:2] == ["ho-tich", "chung-thuc"]
    assert hotline.reopen_days == 7 and not hotline.show_staff_names


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[[hotline.teams]]\nname = "A"\nchat_id = "abc"\n',
         '[hotline.teams] chat_id must be an integer, got "abc"'),
        ('[[hotline.teams]]\nname = "A"\n', "[hotline.teams] chat_id is required"),
        ('[[hotline.teams]]\nname = "A"\nchat_id = -1\ncolour = 1\n',
         "[hotline.teams] unknown key 'colour'"),
        ('[[hotline.teams]]\nname = "A"\nchat_id = -1\n[[hotline.teams]]\nname = "B"\n'
         'chat_id = -2\n', "exactly one team must have no topics (the default team), found 2"),
        ('[[hotline.teams]]\nname = "A"\nchat_id = -1\ntopics = ["thue"]\n'
         '[[hotline.teams]]\nname = "B"\nchat_id = -2\n',
         '"A" takes topic "thue", which [[hotline.topics]] does not list'),
        ('[hotline]\noffice_hours = "7h-11h"\n', "[hotline] office_hours: \"7h-11h\" is not"),
        ('[calendar]\nextra_days_off = ["15/02/2027"]\n',
         '[calendar] extra_days_off: "15/02/2027" is not a date'),
    ],
)
def test_a_broken_hotline_config_is_one_line_naming_the_key(
    tmp_path: Path, text: str, error: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text), environ={})
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "config.toml"))
    assert error in message


async def test_i_dont_know_offers_the_team_and_plain_words_open_a_ticket(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, hotline_config()), environ={})
    async with open_app(config, clock=lambda: TUESDAY_MORNING) as app:
        (unknown,) = await app.dispatcher.handle(incoming(LAN, text="giá xăng hôm nay"))
        ((button,),) = unknown.buttons
        assert button.label == "🙋 Hỏi tổ hỗ trợ"
        (topics,) = await app.dispatcher.handle(incoming(LAN, button=button.data))
        assert "“giá xăng hôm nay”" in topics.plain_text
        assert len(topics.buttons) == 7

        (cancelled,) = await app.dispatcher.handle(incoming(LAN, text="/huy"))
        assert "Đã thôi gửi yêu cầu" in cancelled.plain_text
        (asked,) = await app.dispatcher.handle(
            incoming(LAN, text="cho tôi gặp cán bộ hỗ trợ"))
        assert "lĩnh vực nào" in asked.plain_text

        nam = Sender("telegram", "502", "Nam")
        (forged,) = await app.dispatcher.handle(incoming(nam, button=button.data))
        assert "Nút này đã cũ" in forged.plain_text  # someone else's question


async def test_an_unregistered_official_registers_before_the_ticket(tmp_path: Path) -> None:
    units = '[onboarding]\nunits = ["Xã Tân Hưng"]\n'
    config = load_config(write(tmp_path, hotline_config() + units), environ={})
    async with open_app(config, clock=lambda: TUESDAY_MORNING) as app:
        (first,) = await app.dispatcher.handle(incoming(LAN, text="/hotro"))
        assert "đăng ký xã, phường và chức danh trước" in first.plain_text
        assert "xã, phường nào" in first.plain_text
        (position,) = await app.dispatcher.handle(incoming(LAN, text="xa tan hung"))
        await app.dispatcher.handle(incoming(LAN, button=position.buttons[0][0].data))
        (topics,) = await app.dispatcher.handle(incoming(LAN, text="/hotro"))
        assert "lĩnh vực nào" in topics.plain_text
        menu = [name for name, _ in app.dispatcher.menu()]
        assert menu == ["start", "thongtin", "capnhat", "hotro", "yeucau", "huy", "viec",
                        "hantra", "huongdan"]


async def test_thanks_after_closing_reopens_nothing_but_a_new_problem_does(
    tmp_path: Path,
) -> None:
    config = load_config(write(tmp_path, hotline_config()), environ={})
    hung = Sender("telegram", "900", "Hùng")
    async with open_app(config, clock=lambda: TUESDAY_MORNING) as app:
        handle, tickets = app.dispatcher.handle, app.storage.tickets
        await handle(incoming(LAN, text="/hotro"))
        await handle(incoming(LAN, button=pack(buttons.ChooseTopic(0))))
        await handle(incoming(LAN, text="Sổ hộ tịch ghi sai năm sinh"))
        await handle(incoming(hung, button=pack(buttons.Close(1)),
                              chat_id=str(JUSTICE_TEAM)))
        (thanks,) = await handle(incoming(LAN, text="cảm ơn anh nhiều"))
        assert "Không có gì ạ" in thanks.plain_text
        ticket = await tickets.get(1)
        assert ticket is not None and ticket.state is TicketState.CLOSED
        await handle(incoming(LAN, text="Vẫn còn sai ở bản sao"))
        ticket = await tickets.get(1)
        assert ticket is not None and ticket.state is TicketState.OPEN  # nobody claimed it
