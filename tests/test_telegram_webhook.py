"""Webhook mode: Telegram posts updates to the bot, which checks the secret token each time."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from tests.factories import FIXED_NOW
from tests.fake_bot_api import Person, running_bot

SECRET = "right-Secret_1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until_listening(port: int) -> None:
    """PTB starts its webhook server right after setWebhook; wait (briefly) until it is up."""
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on port {port}")


async def test_webhook_rejects_a_wrong_secret_token_and_answers_the_right_one(
    tmp_path: Path,
) -> None:
    port = free_port()
    telegram = (
        'webhook_url = "https://bot.example.invalid/telegram/hook"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\nwebhook_secret = "{SECRET}"\n'
    )
    async with running_bot(tmp_path, telegram=telegram, clock=lambda: FIXED_NOW) as api:
        assert api.webhook["url"] == "https://bot.example.invalid/telegram/hook"
        assert api.webhook["secret_token"] == SECRET
        assert api.webhook["drop_pending_updates"] is False
        assert api.webhook["allowed_updates"] == ["message", "callback_query"]
        await until_listening(port)

        lan = Person(api, 501, "Lan")
        url = f"http://127.0.0.1:{port}/telegram/hook"
        async with httpx.AsyncClient() as client:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                update = {"update_id": 7, "message": lan.message("/huongdan")}
                refused = await client.post(url, json=update, headers=headers)
                assert refused.status_code == 403
            update = {"update_id": 8, "message": lan.message("dang ky khai sinh can giay to gi")}
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert accepted.status_code == 200
        (card,) = await api.wait_for(lambda: api.sent(501))
        assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
    assert not api.made("getUpdates", ok_only=False)


async def test_without_a_configured_secret_a_random_one_is_set(tmp_path: Path) -> None:
    telegram = (
        'webhook_url = "https://bot.example.invalid/hook"\n'
        f"webhook_port = {free_port()}\n"
    )
    async with running_bot(tmp_path, telegram=telegram) as api:
        secret = api.webhook["secret_token"]
    assert len(secret) >= 32
    assert secret.replace("-", "").replace("_", "").isalnum()
