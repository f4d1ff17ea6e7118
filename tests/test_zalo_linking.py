"""One person, two apps: /lienket in one app gives a code, typed in the other it links
the accounts, and the profile then answers from both."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.storage import Storage
from handlers.ports import LinkOutcome, Registration
from tests.factories import FIXED_NOW
from tests.fake_bot_api import Person, button_data, running_bot
from tests.fake_zalo_api import FakeZalo, ZaloUser, store_tokens, zalo_config
from tests.test_telegram_webhook import free_port

UNITS = '[onboarding]\nunits = ["Xã Tân Hưng", "Xã An Bình"]\n'
ZALO_USER = "8171562230448590128"


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)


async def test_an_official_registered_on_telegram_links_zalo_and_sees_the_profile_there(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    port = free_port()
    await store_tokens(tmp_path / "data" / "commune-bot.sqlite3", *fake_zalo.issue_pair())
    async with running_bot(tmp_path, UNITS + zalo_config(fake_zalo, port),
                           clock=lambda: FIXED_NOW) as api:
        lan = Person(api, 501, "Lan")
        await lan.ask("/start")
        (position,) = await lan.ask("xa an binh")
        await lan.tap(button_data(position, "Văn phòng"), on=position, replies=1)

        on_zalo = ZaloUser(fake_zalo, f"http://127.0.0.1:{port}/zalo", ZALO_USER)
        (before,) = await on_zalo.ask("/thongtin")
        assert "Xã An Bình" not in before["text"]
        await on_zalo.answer("/huy")
        (offer,) = await on_zalo.ask("/lienket")
        code = code_in(offer["text"])
        assert "không phải Zalo" in offer["text"]

        (wrong,) = await lan.ask("/lienket 000000" if code != "000000" else "/lienket 111111")
        assert "không đúng hoặc đã hết hạn" in wrong.params["text"]
        (done,) = await lan.ask(f"/lienket {code}")
        assert "Đã liên kết xong với tài khoản Zalo" in done.params["text"]
        (told,) = await fake_zalo.wait_for(lambda: fake_zalo.sent(ZALO_USER)[-1:]
                                      if "Đã liên kết" in fake_zalo.sent(ZALO_USER)[-1]["text"]
                                      else None)
        assert "tài khoản Telegram" in told["text"]

        (profile,) = await on_zalo.ask("/thongtin")
        (again,) = await lan.ask(f"/lienket {code}")  # a code works once
    assert "Xã An Bình" in profile["text"] and "Văn phòng" in profile["text"]
    assert "không đúng hoặc đã hết hạn" in again.params["text"]


async def test_the_person_keeps_the_account_with_a_profile_and_codes_expire(
    storage: Storage,
) -> None:
    telegram = await storage.users.upsert("telegram", "501", "Lan", FIXED_NOW)
    zalo = await storage.users.upsert("zalo", "777", "Lan", FIXED_NOW)
    await storage.users.save_profile(telegram.id, "Xã An Bình", "Khác",
                                     Registration.APPROVED, FIXED_NOW)
    expired = await storage.links.issue(zalo.id, FIXED_NOW + timedelta(minutes=10), FIXED_NOW)
    late = await storage.links.redeem(expired, telegram, FIXED_NOW + timedelta(minutes=11))
    assert late.outcome is LinkOutcome.UNKNOWN

    code = await storage.links.issue(zalo.id, FIXED_NOW + timedelta(minutes=10), FIXED_NOW)
    same = await storage.links.redeem(code, zalo, FIXED_NOW)
    assert same.outcome is LinkOutcome.ALREADY  # typed by the account that asked for it
    code = await storage.links.issue(zalo.id, FIXED_NOW + timedelta(minutes=10), FIXED_NOW)
    linked = await storage.links.redeem(code, telegram, FIXED_NOW)
    assert linked.outcome is LinkOutcome.LINKED and linked.other == zalo
    assert await storage.users.upsert("zalo", "777", "Lan", FIXED_NOW) == telegram

    other = await storage.users.upsert("telegram", "502", "Hoa", FIXED_NOW)
    code = await storage.links.issue(other.id, FIXED_NOW + timedelta(minutes=10), FIXED_NOW)
    assert (await storage.links.redeem(code, telegram, FIXED_NOW)).outcome is \
        LinkOutcome.SAME_APP
