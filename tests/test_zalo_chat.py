"""The Zalo channel end to end: the bot serving its webhook against a fake OA API.

Each test runs the bot as `commune-bot run` does with a `[zalo]` section, posts signed
events as Zalo would, and checks what reached Zalo and what the database kept.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite
import httpx

from bot.channels.zalo.convert import BUTTON_PREFIX
from tests.factories import FIXED_NOW, entry_text, write_entry
from tests.fake_zalo_api import APP_SECRET, running_zalo_bot

USER = "8171562230448590128"


def clock() -> datetime:
    return FIXED_NOW


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "commune-bot.sqlite3"


def zalo_buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, payload) of the buttons a press sends back (not those opening a page)."""
    payload = (message.get("attachment") or {}).get("payload", {})
    return [(b["title"], b["payload"]) for b in payload.get("buttons", [])
            if b["type"] == "oa.query.hide"]


async def test_a_question_on_zalo_is_answered_with_plain_text_and_buttons(
    tmp_path: Path,
) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        (card,) = await lan.answer("dang ky khai sinh can giay to gi")
    assert card["text"].startswith("Đăng ký khai sinh")
    assert "<b>" not in card["text"] and "**" not in card["text"]
    pressed = zalo_buttons(card)
    assert pressed and all(payload.startswith(BUTTON_PREFIX) for _, payload in pressed)
    links = [b for b in card["attachment"]["payload"]["buttons"] if b["type"] == "oa.open.url"]
    assert [b["payload"]["url"][:8] for b in links] == ["https://"]  # the portal's record
    call = bot.fake.made("/v3.0/oa/message/cs")[0]
    assert call.body["recipient"] == {"user_id": USER}
    assert call.headers["access_token"].startswith("access-")


async def test_a_button_press_comes_back_as_a_message_and_is_routed_like_a_press(
    tmp_path: Path,
) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        *_, card = await lan.answer("dang ky khai sinh can giay to gi")
        fee = next(payload for title, payload in zalo_buttons(card) if "phí" in title.lower())
        answer = await lan.answer(fee)
    assert "Phí, lệ phí" in answer[0]["text"]
    async with (
        aiosqlite.connect(database(tmp_path)) as db,
        db.execute("SELECT query FROM question_log") as rows,
    ):
        logged = [row[0] for row in await rows.fetchall()]
    assert logged == ["dang ky khai sinh can giay to gi"]  # the press is not a question


async def test_the_same_msg_id_delivered_twice_is_answered_once(tmp_path: Path) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        event = lan.event("dang ky khai sinh can giay to gi")
        for _ in range(3):
            response = await lan.post(event)
            assert response.status_code == 200
        await lan.answer("/start")  # nothing is left to send once it is answered
        sent = bot.fake.sent(USER)
    cards = [m for m in sent if m["text"].startswith("Đăng ký khai sinh")]
    endings = [m for m in sent if any(p.startswith("#b:f:") for _, p in zalo_buttons(m))]
    assert len(cards) == 1 and len(endings) == 1  # one card, and its last part once


async def test_a_long_answer_is_split_at_2000_characters_between_paragraphs(
    tmp_path: Path,
) -> None:
    steps = "\n\n".join(
        f"{n}. Bước {n}: kiểm tra hồ sơ, đối chiếu dữ liệu và ghi kết quả vào sổ theo dõi. " * 3
        for n in range(1, 45)
    )
    write_entry(tmp_path / "kb", entry_text(
        "thu-nghiem/quy-trinh-dai", "Quy trình thẩm định đê điều mẫu", code="9.999901",
        aliases=("quy trình đê điều",),
        body=f"\n## Trình tự thực hiện\n{steps}\n\n## Căn cứ pháp lý\n- Luật Đê điều.\n",
    ))
    async with running_zalo_bot(tmp_path, '[knowledge]\nfolders = ["kb"]\n',
                                clock=clock) as bot:
        lan = bot.user(USER)
        (card,) = await lan.answer("quy trình thẩm định đê điều mẫu")
        assert len(card["text"]) < 1000  # the answer itself fits a phone screen
        steps_button = next(p for title, p in zalo_buttons(card) if "Các bước" in title)
        parts = await lan.answer(steps_button)
    assert len(steps) > 10_000 and len(parts) >= 6
    assert all(len(part["text"]) <= 2000 for part in parts)  # code points, as Zalo counts
    assert all("attachment" not in part for part in parts[:-1])
    assert zalo_buttons(parts[-1])
    numbers = [int(n) for part in parts for n in re.findall(r"Bước (\d+):", part["text"])]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, 45))
    for part in parts[1:]:
        assert re.match(r"\d+\. Bước", part["text"])


async def test_a_photo_is_answered_politely_and_unfollow_and_receipts_are_ignored(
    tmp_path: Path,
) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        photo = lan.event("", "user_send_image", attachments=[
            {"type": "image", "payload": {"url": "https://photo.example.invalid/1.jpg"}}])
        assert (await lan.post(photo)).status_code == 200
        (reply,) = await bot.fake.wait_for(lambda: bot.fake.sent(USER))
        for name in ("user_seen_message", "unfollow"):
            event = {**lan.event("", name), "follower": {"id": USER}}
            if name == "user_seen_message":
                event["sender"], event["recipient"] = {"id": "oa"}, {"id": USER}
            assert (await lan.post(event)).status_code == 200
        await lan.ask("/huongdan")
    assert "ảnh" in reply["text"] or "tệp" in reply["text"] or reply["text"]
    assert len(bot.fake.sent(USER)) == 2


async def test_following_the_oa_is_greeted_like_start(tmp_path: Path) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        follow = {**lan.event("", "follow"), "follower": {"id": USER}, "oa_id": "oa"}
        del follow["message"], follow["sender"]
        assert (await lan.post(follow)).status_code == 200
        (welcome,) = await bot.fake.wait_for(lambda: bot.fake.sent(USER))
    assert welcome["text"].startswith("Xin chào")


async def test_the_domain_verifier_file_is_served_at_the_root(tmp_path: Path) -> None:
    verifier = tmp_path / "zalo_verifierAbC123.html"
    verifier.write_text('<meta name="zalo-platform-site-verification" content="AbC123" />',
                        encoding="utf-8")
    async with running_zalo_bot(tmp_path, zalo=f'verifier_file = "{verifier.name}"',
                                clock=clock) as bot:
        root = bot.webhook.removesuffix("/zalo")
        async with httpx.AsyncClient() as client:
            served = await client.get(f"{root}/zalo_verifierAbC123.html")
            other = await client.get(f"{root}/zalo_verifierOther.html")
    assert served.status_code == 200 and "AbC123" in served.text
    assert other.status_code == 404


async def test_the_webhook_answers_200_quickly_and_stores_before_answering(
    tmp_path: Path,
) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        event = lan.event("dang ky khai sinh can giay to gi")
        started = time.monotonic()
        response = await lan.post(event)
        elapsed = time.monotonic() - started
        async with (
            aiosqlite.connect(database(tmp_path)) as db,
            db.execute("SELECT update_id, payload FROM inbox WHERE channel = 'zalo'") as rows,
        ):
            stored = list(await rows.fetchall())
        await bot.fake.wait_for(lambda: bot.fake.sent(USER))
    assert response.status_code == 200 and elapsed < 2
    assert [row[0] for row in stored] == [event["message"]["msg_id"]]
    assert json.loads(stored[0][1])["sender"]["id"] == USER
    assert APP_SECRET not in stored[0][1]


async def test_a_phone_submitted_in_the_info_form_is_kept_for_zns(tmp_path: Path) -> None:
    async with running_zalo_bot(tmp_path, clock=clock) as bot:
        lan = bot.user(USER)
        form = {**lan.event("", "user_submit_info"),
                "info": {"name": "Lan", "phone": "0912 345 678", "address": ""}}
        del form["message"]
        assert (await lan.post(form)).status_code == 200
        await lan.answer("/start")
    async with (
        aiosqlite.connect(database(tmp_path)) as db,
        db.execute("SELECT phone, phone_consent_at IS NOT NULL FROM zalo_contacts") as rows,
    ):
        assert list(await rows.fetchall()) == [("84912345678", 1)]
