"""The OA's tokens: stored in the database, refreshed one at a time with rotation, once
on a -216, ahead of expiry, and never again once the refresh token is dead."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.tokens import TokenDead, TokenSource
from bot.cli import main
from bot.storage import Storage
from tests.factories import FIXED_NOW
from tests.fake_bot_api import Person, running_bot
from tests.fake_zalo_api import (
    APP_ID,
    APP_SECRET,
    OA_SECRET,
    FakeZalo,
    running_zalo_bot,
    store_tokens,
    zalo_config,
)
from tests.test_telegram_webhook import free_port

USER = "8171562230448590128"
TOKEN_PATH = "/v4/oa/access_token"
CS_PATH = "/v3.0/oa/message/cs"
STAFF_CHAT = -1001234


def utc_now() -> datetime:
    return datetime.now(UTC)


class Deaths:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def __call__(self, reason: str) -> None:
        self.reasons.append(reason)


def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Everything at DEBUG, but aiosqlite's SQL parameters, off as `commune-bot run` has them."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="aiosqlite")


def source(fake_zalo: FakeZalo, storage: Storage, deaths: Deaths) -> TokenSource:
    return TokenSource(APP_ID, ZaloApi(APP_ID, APP_SECRET, fake_zalo.base_url), storage.zalo_tokens,
                       utc_now, deaths)


async def test_two_refreshes_at_once_make_one_call_and_both_get_the_new_token(
    fake_zalo: FakeZalo, storage: Storage
) -> None:
    access, refresh = fake_zalo.issue_pair()
    await storage.zalo_tokens.store(APP_ID, access, refresh, utc_now() + timedelta(hours=2),
                                    utc_now())
    fake_zalo.token_delay = 0.2  # the second caller arrives while the first call is under way
    tokens = source(fake_zalo, storage, Deaths())
    first, second = await asyncio.gather(tokens.refresh(access), tokens.refresh(access))
    assert len(fake_zalo.made(TOKEN_PATH)) == 1
    assert first == second != access
    stored = await storage.zalo_tokens.get(APP_ID)
    assert stored is not None and stored.access_token == first
    assert stored.refresh_token != refresh and stored.refreshing_since is None
    assert stored.expires_at - utc_now() > timedelta(hours=24)  # expires_in "90000" trusted


async def test_a_token_with_less_than_an_hour_left_is_refreshed_before_use(
    fake_zalo: FakeZalo, storage: Storage
) -> None:
    access, refresh = fake_zalo.issue_pair()
    await storage.zalo_tokens.store(APP_ID, access, refresh, utc_now() + timedelta(minutes=50),
                                    utc_now())
    tokens = source(fake_zalo, storage, Deaths())
    fresh = await tokens.access_token()
    assert fresh != access and await tokens.access_token() == fresh
    assert len(fake_zalo.made(TOKEN_PATH)) == 1


async def test_a_crash_between_refresh_and_store_asks_a_person_instead_of_looping(
    fake_zalo: FakeZalo, tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite3"
    access, refresh = fake_zalo.issue_pair()
    crashed = await Storage.open(path)
    await crashed.zalo_tokens.store(APP_ID, access, refresh, utc_now() + timedelta(minutes=30),
                                    utc_now())
    # The process claims the refresh, Zalo rotates the pair, and the process dies before
    # the answer is stored.
    await crashed.zalo_tokens.claim_refresh(APP_ID, utc_now())
    await ZaloApi(APP_ID, APP_SECRET, fake_zalo.base_url).refresh(refresh)
    await crashed.close()

    storage = await Storage.open(path)
    deaths = Deaths()
    tokens = source(fake_zalo, storage, deaths)
    try:
        for _ in range(3):
            with pytest.raises(TokenDead, match="never stored its answer"):
                await tokens.ensure_alive()
            with pytest.raises(TokenDead):
                await tokens.access_token()
        assert len(deaths.reasons) == 1  # told once
        assert len(fake_zalo.made(TOKEN_PATH, ok_only=False)) == 1  # only the lost refresh
        stored = await storage.zalo_tokens.get(APP_ID)
        assert stored is not None and stored.dead_reason is not None
    finally:
        await storage.close()


async def test_a_216_refreshes_once_and_retries_once(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    async with running_zalo_bot(tmp_path, fake=fake_zalo, clock=lambda: FIXED_NOW) as bot:
        lan = bot.user(USER)
        await lan.ask("/huongdan")
        fake_zalo.revoke_access()  # Zalo no longer accepts the stored access token
        (help_again,) = await lan.ask("/huongdan")
    attempts = fake_zalo.made(CS_PATH, ok_only=False)
    assert [call.error for call in attempts] == [0, -216, 0]
    assert attempts[1].headers["access_token"] != attempts[2].headers["access_token"]
    assert len(fake_zalo.made(TOKEN_PATH)) == 1
    assert help_again["text"].startswith("Tôi có thể giúp")


async def test_the_token_is_refreshed_ahead_of_expiry_without_waiting_for_a_message(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    await store_tokens(tmp_path / "data" / "commune-bot.sqlite3", *fake_zalo.issue_pair(),
                       expires_in=timedelta(minutes=40))
    async with running_zalo_bot(tmp_path, fake=fake_zalo, tokens=False):
        await fake_zalo.wait_for(lambda: fake_zalo.made(TOKEN_PATH))
    storage = await Storage.open(tmp_path / "data" / "commune-bot.sqlite3")
    try:
        stored = await storage.zalo_tokens.get(APP_ID)
    finally:
        await storage.close()
    assert stored is not None and stored.expires_at - utc_now() > timedelta(hours=24)


@pytest.mark.parametrize(("code", "state", "attempts"), [
    (-230, "failed", 1),  # outside the interaction window: recorded, not retried
    (-213, "failed", 1),  # not following the OA
    (-32, "delivered", 2),  # the app's call limit: backed off, then sent
])
async def test_zalo_errors_are_recorded_or_retried_by_kind(
    tmp_path: Path, fake_zalo: FakeZalo, code: int, state: str, attempts: int
) -> None:
    config = "[delivery]\nretry_initial_seconds = 0.05\n"
    async with running_zalo_bot(tmp_path, config, fake=fake_zalo, clock=lambda: FIXED_NOW) as bot:
        fake_zalo.fail_next(CS_PATH, code)
        await bot.user(USER).says("/huongdan")
        await fake_zalo.wait_for(lambda: len(fake_zalo.made(CS_PATH, ok_only=False)) >= attempts)
        await asyncio.sleep(0.3)  # time for a retry that must not happen
    storage = await Storage.open(tmp_path / "data" / "commune-bot.sqlite3")
    try:
        row = await storage.database.fetch_one("SELECT state, error FROM outbox")
    finally:
        await storage.close()
    assert len(fake_zalo.made(CS_PATH, ok_only=False)) == attempts
    assert row is not None and row["state"] == state
    if state == "failed":
        assert f"Zalo {code}" in row["error"]


async def test_a_dead_refresh_token_stops_zalo_tells_the_supervisors_and_telegram_goes_on(
    tmp_path: Path, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    debug_logs(caplog)
    database = tmp_path / "data" / "commune-bot.sqlite3"
    await store_tokens(database, "access-revoked", "refresh-revoked",
                       expires_in=timedelta(minutes=10))  # unknown to Zalo: refused
    config = (f"[support]\nstaff_chat_id = {STAFF_CHAT}\n"
              + zalo_config(fake_zalo, free_port()))
    async with running_bot(tmp_path, config, clock=lambda: FIXED_NOW) as api:
        (notice,) = await api.wait_for(lambda: api.sent(STAFF_CHAT))
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("dang ky khai sinh can giay to gi")
    assert "Kênh Zalo OA" in notice.params["text"] and "zalo auth" in notice.params["text"]
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
    assert len(fake_zalo.made(TOKEN_PATH, ok_only=False)) == 1  # no loop
    assert "Zalo refused the refresh token" in caplog.text
    for secret in (APP_SECRET, OA_SECRET, "refresh-revoked", "access-revoked", *fake_zalo.issued):
        assert secret not in caplog.text


async def test_secrets_and_tokens_never_appear_in_logs(
    tmp_path: Path, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    debug_logs(caplog)
    async with running_zalo_bot(tmp_path, fake=fake_zalo, clock=lambda: FIXED_NOW) as bot:
        lan = bot.user(USER)
        await lan.answer("dang ky khai sinh can giay to gi")
        fake_zalo.revoke_access()
        fake_zalo.fail_next(CS_PATH, -201)
        await lan.ask("/huongdan")
        await lan.post(lan.event("khóa sai"), secret=APP_SECRET)
    assert fake_zalo.issued and "refreshed" in caplog.text
    for secret in (APP_SECRET, OA_SECRET, *fake_zalo.issued):
        assert secret not in caplog.text


async def test_zalo_auth_stores_the_first_pair_and_refuses_a_spent_token(
    tmp_path: Path, fake_zalo: FakeZalo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ndata_dir = "data"\n' + zalo_config(fake_zalo, free_port()),
                      encoding="utf-8")
    _, refresh = fake_zalo.issue_pair()

    async def auth(*grant: str) -> int:  # the command runs its own loop: in a thread
        return await asyncio.to_thread(main, ["zalo", "auth", "--config", str(config), *grant])

    assert await auth("--refresh-token", refresh) == 0
    out = capsys.readouterr().out
    assert "Zalo token stored" in out and refresh not in out
    assert await auth("--refresh-token", refresh) == 1
    assert "Zalo refused the refresh token" in capsys.readouterr().err
    assert await auth("--code", "AUTH-CODE-1") == 0
    storage = await Storage.open(tmp_path / "data" / "commune-bot.sqlite3")
    try:
        token = await storage.zalo_tokens.get(APP_ID)
    finally:
        await storage.close()
    assert token is not None and token.access_token == fake_zalo.issued[-2]


async def test_a_token_refused_even_when_fresh_is_not_refreshed_again_and_again(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    config = "[delivery]\nretry_initial_seconds = 0.05\nretry_max_seconds = 0.05\n"
    async with running_zalo_bot(tmp_path, config, fake=fake_zalo, clock=lambda: FIXED_NOW) as bot:
        fake_zalo.fail_next(CS_PATH, -216, times=6)  # as when the app lost its permissions
        (answer,) = await bot.user(USER).ask("/huongdan")
    assert [call.error for call in fake_zalo.made(CS_PATH, ok_only=False)] == [-216] * 6 + [0]
    assert len(fake_zalo.made(TOKEN_PATH)) == 1
    assert answer["text"].startswith("Tôi có thể giúp")


async def test_zalo_without_a_stored_token_does_not_start_and_telegram_serves(
    tmp_path: Path, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, zalo_config(fake_zalo, free_port()),
                           clock=lambda: FIXED_NOW) as api:
        lan = Person(api, 501, "Lan")
        (card,) = await lan.ask("dang ky khai sinh can giay to gi")
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
    assert "no Zalo token is stored" in caplog.text and "zalo auth --code" in caplog.text
    assert not fake_zalo.calls
