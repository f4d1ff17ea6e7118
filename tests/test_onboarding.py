"""Registration of officials, channel-independent: driven through the dispatcher with `Incoming`.

The official here writes from "zalo" on purpose: nothing in onboarding knows a chat app.
The support team's chat is a Telegram group, as configured.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.config import ConfigError, load_config, load_units
from handlers.model import Reply, Sender
from handlers.onboarding import match_units
from handlers.ports import Registration
from tests.factories import FIXED_NOW, incoming, outbox_messages

UNITS = ("Xã Tân Hưng", "Phường Tân Hưng", "Xã An Bình", "Thị trấn Tân Hưng Tây")
STAFF_CHAT = "-1001234"
LAN = Sender("zalo", "z-501", "Chị Lan")
HUNG = Sender("telegram", "900", "Anh Hùng")


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now


class Chat:
    def __init__(self, app: App) -> None:
        self.app = app

    async def say(self, text: str, sender: Sender = LAN) -> Reply:
        (reply,) = await self.app.dispatcher.handle(incoming(sender, text=text))
        return reply

    async def notices(self) -> list[tuple[str, str, Reply]]:
        """What handlers queued for other chats."""
        return await outbox_messages(self.app.storage)

    async def press(self, reply: Reply, label: str, sender: Sender = LAN,
                    chat_id: str | None = None) -> Reply:
        data = next(b.data for row in reply.buttons for b in row if label in b.label)
        (answer,) = await self.app.dispatcher.handle(
            incoming(sender, button=data, chat_id=chat_id)
        )
        return answer


def write_config(tmp_path: Path, extra: str = "") -> Path:
    units = ", ".join(f'"{u}"' for u in UNITS)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "bot.sqlite3"\n[onboarding]\nunits = [{units}]\n{extra}',
        encoding="utf-8",
    )
    return path


@asynccontextmanager
async def chat(
    tmp_path: Path, extra: str = "", *, clock: Clock | None = None
) -> AsyncIterator[Chat]:
    config = load_config(write_config(tmp_path, extra), environ={})
    async with open_app(config, clock=clock or Clock()) as app:
        yield Chat(app)


def labels(reply: Reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


@pytest.mark.parametrize(
    ("typed", "found", "exact"),
    [
        ("xa tan hung", ["Xã Tân Hưng"], True),
        ("XÃ TÂN HƯNG", ["Xã Tân Hưng"], True),
        ("UBND xã Tân Hưng", ["Xã Tân Hưng"], True),
        ("phuong tan hung", ["Phường Tân Hưng"], True),
        ("tân hưng", ["Xã Tân Hưng", "Phường Tân Hưng"], True),
        ("tan hun", ["Xã Tân Hưng", "Phường Tân Hưng"], False),
        ("xa an binhh", ["Xã An Bình"], False),
        ("đăng ký khai sinh cần giấy tờ gì", [], False),
        ("xã", [], False),
    ],
)
def test_units_are_found_however_they_are_typed(typed: str, found: list[str], exact: bool) -> None:
    match = match_units(typed, UNITS)
    assert list(match.units) == found
    assert match.exact is exact


async def test_questions_need_no_registration(tmp_path: Path) -> None:
    async with chat(tmp_path) as talk:
        card = await talk.say("dang ky khai sinh can giay to gi")
    assert card.blocks[0].text == "Đăng ký khai sinh"


async def test_registration_walks_through_unit_and_position(tmp_path: Path) -> None:
    async with chat(tmp_path) as talk:
        welcome = await talk.say("/start")
        assert welcome.blocks[0].text.startswith("Xin chào Chị Lan!")
        assert 'ví dụ: "Xã Tân Hưng"' in welcome.plain_text

        choices = await talk.say("tan hung")
        assert labels(choices) == ["Xã Tân Hưng", "Phường Tân Hưng"]
        position = await talk.press(choices, "Phường Tân Hưng")
        assert "Đơn vị: Phường Tân Hưng" in position.plain_text
        assert labels(position)[-1] == "Khác"

        wrong = await talk.say("trưởng thôn")
        assert "bấm chọn một chức danh" in wrong.plain_text
        assert labels(wrong) == labels(position)
        saved = await talk.say("công chức văn hóa xã hội")
        assert "Phường Tân Hưng — Công chức Văn hóa – Xã hội" in saved.plain_text

        profile = await talk.app.storage.users.profile(1)
        assert profile is not None and profile.approved
        after = await talk.say("xa an binh")  # registration is over: a question again
        assert "Đơn vị" not in after.plain_text


async def test_a_unit_that_is_not_listed_is_asked_again(tmp_path: Path) -> None:
    async with chat(tmp_path) as talk:
        await talk.say("/start")
        again = await talk.say("Xã Mỹ Lợi")
        assert 'chưa tìm thấy xã, phường nào tên "Xã Mỹ Lợi"' in again.plain_text
        pasted = await talk.say("thủ tục " * 100)
        assert f'tên "{"thủ tục " * 7}thủ …"' in pasted.plain_text  # cut between syllables
        position = await talk.say("xa an binh")
        assert "Đơn vị: Xã An Bình" in position.plain_text


async def test_registration_survives_a_restart(tmp_path: Path) -> None:
    async with chat(tmp_path) as talk:
        await talk.say("/start")
        position = await talk.say("xa an binh")
    async with chat(tmp_path) as talk:
        saved = await talk.press(position, "Tư pháp")
    assert "Xã An Bình — Công chức Tư pháp – Hộ tịch" in saved.plain_text


async def test_an_abandoned_registration_expires_instead_of_catching_questions(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with chat(tmp_path, clock=clock) as talk:
        await talk.say("/start")
        clock.now += timedelta(hours=2)
        card = await talk.say("dang ky khai sinh can giay to gi")
    assert card.blocks[0].text == "Đăng ký khai sinh"


async def test_cancel_stops_registration_and_says_what_still_works(tmp_path: Path) -> None:
    async with chat(tmp_path) as talk:
        await talk.say("/start")
        cancelled = await talk.say("/huy")
        assert "vẫn hỏi đáp thủ tục bình thường" in cancelled.plain_text
        card = await talk.say("dang ky khai sinh can giay to gi")
        assert card.blocks[0].text == "Đăng ký khai sinh"
        nothing = await talk.say("/huy")
    assert nothing.plain_text.startswith("Không có việc gì đang làm dở")


async def test_approval_in_the_staff_chat_and_again_after_a_change(tmp_path: Path) -> None:
    settings = f"require_approval = true\n[support]\nstaff_chat_id = {STAFF_CHAT}\n"
    async with chat(tmp_path, settings) as talk:
        await talk.say("/start")
        position = await talk.say("xa an binh")
        saved = await talk.press(position, "Chủ tịch UBND")
        assert "chờ tổ hỗ trợ duyệt" in saved.plain_text
        assert "đường dây nóng và nhắc hạn sẽ dùng được sau khi" in saved.plain_text
        (channel, chat_id, request), = await talk.notices()
        assert (channel, chat_id) == ("telegram", STAFF_CHAT)
        assert "Chị Lan" in request.plain_text and "Xã An Bình" in request.plain_text

        outside = await talk.press(request, "Duyệt", sender=HUNG)  # in a private chat
        assert outside.plain_text.startswith("Nút này đã cũ")
        profile = await talk.app.storage.users.profile(1)
        assert profile is not None and profile.registration is Registration.PENDING

        done = await talk.press(request, "Duyệt", sender=HUNG, chat_id=STAFF_CHAT)
        assert "Anh Hùng đã duyệt" in done.plain_text
        notices = await talk.notices()
        assert notices[-1][:2] == ("zalo", "z-501")
        assert "đã được tổ hỗ trợ duyệt" in notices[-1][2].plain_text
        shown = await talk.say("/hoso")
        assert "Trạng thái: đã duyệt" in shown.plain_text

        position = await talk.press(shown, "Sửa hồ sơ")
        position = await talk.say("phuong tan hung")
        await talk.press(position, "Chủ tịch UBND")
        changed = await talk.app.storage.users.profile(1)
        assert changed is not None and changed.registration is Registration.PENDING
        stale = await talk.press(request, "Duyệt", sender=HUNG, chat_id=STAFF_CHAT)
        assert "đã thay đổi" in stale.plain_text
        # the second request, and no notice for the stale press
        assert len(await talk.notices()) == 3


async def test_staff_list_pending_profiles_when_a_notice_was_lost(tmp_path: Path) -> None:
    settings = f"require_approval = true\n[support]\nstaff_chat_id = {STAFF_CHAT}\n"
    async with chat(tmp_path, settings) as talk:
        await talk.say("/start")
        await talk.press(await talk.say("xa an binh"), "Chủ tịch UBND")
        refused = await talk.say("/choduyet", sender=HUNG)  # in a private chat
        assert refused.plain_text == "Lệnh này chỉ dùng trong nhóm của tổ hỗ trợ."

        async def in_staff_chat(text: str) -> Reply:
            (reply,) = await talk.app.dispatcher.handle(
                incoming(HUNG, text=text, chat_id=STAFF_CHAT)
            )
            return reply

        listing = await in_staff_chat("/choduyet")
        assert "Hồ sơ 1:\n• Tên: Chị Lan\n• Đơn vị: Xã An Bình" in listing.plain_text
        assert labels(listing) == ["✅ Duyệt hồ sơ 1"]
        done = await talk.press(listing, "Duyệt hồ sơ 1", sender=HUNG, chat_id=STAFF_CHAT)
        assert "Anh Hùng đã duyệt" in done.plain_text
        profile = await talk.app.storage.users.profile(1)
        assert profile is not None and profile.approved
        assert (await in_staff_chat("/choduyet")).plain_text == (
            "Không có hồ sơ nào đang chờ duyệt."
        )


async def test_saving_the_same_profile_keeps_its_approval(tmp_path: Path) -> None:
    settings = f"require_approval = true\n[support]\nstaff_chat_id = {STAFF_CHAT}\n"
    async with chat(tmp_path, settings) as talk:
        await talk.say("/start")
        await talk.press(await talk.say("xa an binh"), "Khác")
        request = (await talk.notices())[0][2]
        await talk.press(request, "Duyệt", sender=HUNG, chat_id=STAFF_CHAT)
        await talk.say("/capnhat")
        saved = await talk.press(await talk.say("Xã An Bình"), "Khác")
        assert "dùng được đầy đủ các chức năng" in saved.plain_text
        assert len(await talk.notices()) == 2  # the request and the approval notice only


async def test_a_registration_under_way_ends_when_units_are_removed(tmp_path: Path) -> None:
    async with chat(tmp_path) as talk:
        await talk.say("/start")
        position = await talk.say("xa an binh")
    write_config(tmp_path).write_text('[storage]\npath = "bot.sqlite3"\n', encoding="utf-8")
    async with open_app(load_config(tmp_path / "config.toml", environ={}), clock=Clock()) as app:
        talk = Chat(app)
        pressed = await talk.press(position, "Tư pháp")
        card = await talk.say("dang ky khai sinh can giay to gi")
    assert "Nút này đã cũ" in pressed.plain_text
    assert card.blocks[0].text == "Đăng ký khai sinh"


@pytest.mark.parametrize(
    "data", ["o:u:²", "o:p:9", "o:a:99999999999999999999:1", f"o:a:{2**63}:0", "o:x", "o:"]
)
async def test_forged_registration_buttons_do_nothing(tmp_path: Path, data: str) -> None:
    async with chat(tmp_path) as talk:
        await talk.say("/start")
        (reply,) = await talk.app.dispatcher.handle(incoming(LAN, button=data))
    assert "Nút này đã cũ" in reply.plain_text


async def test_without_units_registration_is_off(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "bot.sqlite3"\n', encoding="utf-8")
    async with open_app(load_config(path, environ={}), clock=Clock()) as app:
        talk = Chat(app)
        welcome = await talk.say("/start")
        profile = await talk.say("/hoso")
        menu = [command for command, _ in app.dispatcher.menu()]
    assert welcome.buttons == () and len(welcome.blocks) == 1
    assert profile.plain_text.startswith("Hiện chưa mở đăng ký")
    assert menu == ["start", "hantra", "huongdan"]


def test_units_may_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "units.txt").write_text(
        "# Đơn vị hành chính cấp xã\nXã Tân Hưng\n\n  # sáp nhập 2025\nPhường An Bình\n",
        encoding="utf-8",
    )
    path = tmp_path / "config.toml"
    path.write_text('[onboarding]\nunits_file = "units.txt"\n', encoding="utf-8")
    assert load_units(load_config(path, environ={})) == ["Xã Tân Hưng", "Phường An Bình"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[onboarding]\nrequire_approval = true\n",
         "[onboarding] require_approval needs [support] staff_chat"),
        ('[onboarding]\nunits = ["Xã A"]\nunits_file = "u.txt"\n',
         "[onboarding] set either units or units_file, not both"),
        ("[onboarding]\npositions = []\n", "[onboarding] positions must list at least one"),
        ('[onboarding]\nunits = ["Xã A", "Xã A"]\n', '[onboarding] unit "Xã A" is listed twice'),
        ('[onboarding]\nunits_file = "missing.txt"\n', "[onboarding] units_file: cannot read"),
    ],
)
def test_onboarding_settings_are_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_units(load_config(path, environ={}))
    assert str(raised.value).startswith(f"{path}: {message}")
