"""The Zalo webhook refuses (403) anything not signed with the OA Secret Key over the raw
body, or too old, and stores nothing of it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path

import aiosqlite
import pytest

from bot.channels.zalo.signature import mac, verified_event
from tests.factories import FIXED_NOW
from tests.fake_zalo_api import APP_ID, APP_SECRET, OA_SECRET, running_zalo_bot

USER = "8171562230448590128"


def now_ms() -> int:
    return int(time.time() * 1000)


def signed(event: dict[str, object], secret: str = OA_SECRET) -> tuple[bytes, str]:
    raw = json.dumps(event).encode()
    return raw, f"mac={mac(APP_ID, raw, str(event['timestamp']), secret)}"


def test_the_mac_is_sha256_of_app_id_raw_body_timestamp_and_oa_secret() -> None:
    # Plain SHA-256 of the concatenation, not an HMAC keyed with the secret.
    assert mac("1", b"{}", "2", "k") == hashlib.sha256(b"1{}2k").hexdigest()
    assert mac("1", b"{}", "2", "k") != hmac.new(b"k", b"1{}2", "sha256").hexdigest()


def test_a_numeric_timestamp_is_checked_as_the_digits_that_were_signed() -> None:
    stamp = now_ms()
    raw = b'{"event_name":"user_send_text","timestamp":%d}' % stamp
    header = f"mac={mac(APP_ID, raw, str(stamp), OA_SECRET)}"
    assert verified_event(raw, header, APP_ID, OA_SECRET, stamp) is not None


@pytest.mark.parametrize("case", ["wrong key", "app secret", "body changed", "stale",
                                  "no signature", "probe", "not json"])
def test_a_request_not_signed_as_zalo_signs_is_refused(case: str) -> None:
    event = {"event_name": "user_send_text", "timestamp": str(now_ms()),
             "sender": {"id": USER}, "message": {"msg_id": "a1", "text": "xin chao"}}
    raw, header = signed(event)
    now = now_ms()
    if case == "wrong key":
        raw, header = signed(event, "another-oa-secret")
    elif case == "app secret":
        raw, header = signed(event, APP_SECRET)
    elif case == "body changed":
        raw = raw.replace(b"xin chao", b"chuyen tien")
    elif case == "stale":
        now += 6 * 60 * 1000
    elif case == "no signature":
        header = ""
    elif case == "probe":
        raw, header = b"{}", ""
    elif case == "not json":
        raw = b"not json" + raw
    assert verified_event(raw, header, APP_ID, OA_SECRET, now) is None
    if case in ("wrong key", "app secret", "stale"):
        good_raw, good_header = signed(event)
        assert verified_event(good_raw, good_header, APP_ID, OA_SECRET, now_ms()) == event


async def test_the_webhook_answers_403_to_bad_signatures_and_keeps_only_the_good_one(
    tmp_path: Path,
) -> None:
    async with running_zalo_bot(tmp_path, clock=lambda: FIXED_NOW) as bot:
        lan = bot.user(USER)
        good = lan.event("dang ky khai sinh can giay to gi")
        raw = json.dumps(good).encode()
        stale = {**lan.event("cũ"), "timestamp": str(now_ms() - 10 * 60 * 1000)}
        refused = [
            await lan.post(lan.event("khóa sai"), secret="not-the-oa-secret"),
            await lan.post(lan.event("khóa ứng dụng"), secret=APP_SECRET),
            await lan.post(good, raw=raw.replace(b"khai sinh", b"ket hon"), signed=raw),
            await lan.post(stale),
        ]
        accepted = await lan.post(good)
        await bot.fake.wait_for(lambda: bot.fake.sent(USER))
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert accepted.status_code == 200
    async with (
        aiosqlite.connect(tmp_path / "data" / "commune-bot.sqlite3") as db,
        db.execute("SELECT update_id FROM inbox") as rows,
    ):
        assert [row[0] for row in await rows.fetchall()] == [good["message"]["msg_id"]]
