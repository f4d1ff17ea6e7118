"""What keeps the Telegram channel safe to run: flood limit, one instance, no token in logs."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from pathlib import Path

import pytest

from bot.app import run_telegram
from bot.channels.telegram.limits import FloodLimiter, Verdict
from bot.channels.telegram.lock import AlreadyRunning, instance_lock
from bot.channels.telegram.pacing import ChatPacer, PacedRateLimiter
from bot.channels.telegram.redact import REDACTED, redacted_logs
from bot.config import ConfigError, load_config
from tests.fake_bot_api import TOKEN, Call, FakeBotApi


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_flood_limit_warns_once_then_drops_until_the_window_has_room() -> None:
    clock = Clock()
    flood = FloodLimiter(3, window=60, clock=clock)
    assert [flood.check("lan") for _ in range(3)] == [Verdict.ALLOW] * 3
    assert flood.check("lan") is Verdict.WARN
    assert flood.check("lan") is Verdict.DROP
    assert flood.check("nam") is Verdict.ALLOW  # per person
    clock.now += 30
    assert flood.check("lan") is Verdict.DROP
    clock.now += 30  # the first three are a minute old now
    assert flood.check("lan") is Verdict.ALLOW
    assert [flood.check("lan") for _ in range(3)] == [Verdict.ALLOW] * 2 + [Verdict.WARN]


def test_flood_limit_forgets_people_who_went_quiet() -> None:
    clock = Clock()
    flood = FloodLimiter(1, window=60, clock=clock)
    for person in range(2000):
        flood.check(str(person))
    clock.now += 61
    flood.check("lan")
    assert len(flood._sent) == 1


def test_token_is_redacted_from_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("httpx")
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    with caplog.at_level(logging.INFO), redacted_logs(TOKEN, "webhook-secret"):
        log.info('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
        try:
            raise ConnectionError(f"cannot reach {url} (secret webhook-secret)")
        except ConnectionError:
            log.exception("polling failed")
    assert TOKEN not in caplog.text
    assert "webhook-secret" not in caplog.text
    assert f"https://api.telegram.org/bot{REDACTED}/getUpdates" in caplog.text
    assert "ConnectionError: cannot reach" in caplog.text


def test_the_filter_is_removed_when_the_bot_stops(caplog: pytest.LogCaptureFixture) -> None:
    with redacted_logs(TOKEN):
        pass
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("token %s", TOKEN)
    assert TOKEN in caplog.text


def test_a_second_instance_for_the_same_bot_is_refused(tmp_path: Path) -> None:
    with instance_lock(tmp_path, TOKEN) as path:
        assert path.name == "telegram-bot-123456.lock"
        with (
            pytest.raises(AlreadyRunning, match="already running bot 123456"),
            instance_lock(tmp_path, TOKEN),
        ):
            pass
        with instance_lock(tmp_path, "654321:other"):
            pass  # another bot may run beside it
    with instance_lock(tmp_path, TOKEN):
        pass  # released


async def test_run_refuses_to_start_while_another_instance_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with instance_lock(tmp_path / "data", TOKEN):
        code, calls = await _run_once(tmp_path, f'token = "{TOKEN}"')
    assert code == 1
    assert "already running bot 123456" in caplog.text
    assert calls == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('token = "not a token"', "[telegram] token does not look like a bot token"),
        ('webhook_url = "http://bot.example/hook"', "[telegram] webhook_url must be an https://"),
        ('webhook_secret = "has spaces"', "[telegram] webhook_secret may only use letters"),
        ('base_url = "localhost:8081"', "[telegram] base_url must start with http://"),
        ("flood_messages_per_minute = 0", "[telegram] flood_messages_per_minute must be positive"),
        ("send_retries = -1", "[telegram] send_retries must not be negative"),
    ],
)
def test_telegram_settings_are_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[telegram]\n{text}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    assert str(raised.value).startswith(f"{path}: {message}")
    assert "not a token" not in str(raised.value)


async def _run_once(tmp_path: Path, settings: str) -> tuple[int, list[Call]]:
    """Start the bot against the fake server (data in tmp_path/data); it must give up by
    itself. Its exit code, and the calls the server received."""
    api = FakeBotApi()
    await api.start()
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[bot]\ndata_dir = "data"\n[telegram]\nbase_url = "{api.base_url}"\n{settings}\n',
        encoding="utf-8",
    )
    try:
        config = load_config(config_path, environ={})
        code = await asyncio.wait_for(run_telegram(config, stop=asyncio.Event()), 10)
    finally:
        await api.stop()
    return code, api.calls


async def test_a_rejected_token_stops_with_one_line_that_hides_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "999999:WRONG-token_abc"
    code, _ = await _run_once(tmp_path, f'token = "{wrong}"')
    assert code == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"cannot serve Telegram: The token `{REDACTED}` was rejected by the server."
    ]
    assert wrong not in caplog.text
    assert all(r.exc_info is None for r in errors)


# tornado leaves the socket it failed to bind for the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_a_webhook_port_in_use_is_reported_not_masked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _ = await _run_once(
            tmp_path,
            f'token = "{TOKEN}"\nwebhook_url = "https://bot.example/hook"\n'
            f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}',
        )
    gc.collect()
    assert code == 1
    assert "cannot serve Telegram:" in caplog.text
    assert "Address already in use" in caplog.text or "address already in use" in caplog.text


def test_a_private_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    clock = Clock()
    pacer = ChatPacer(interval=1.0, burst=3, clock=clock)
    assert [pacer.reserve(501) for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert pacer.reserve(502) == 0.0  # per chat
    clock.now += 10  # quiet for a while: the burst is available again
    assert [pacer.reserve(501) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


async def test_sends_to_private_chats_are_paced_and_groups_left_to_the_group_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    async def send(*args: object, **kwargs: object) -> bool:
        return True

    monkeypatch.setattr("bot.channels.telegram.pacing.asyncio.sleep", record)
    limiter = PacedRateLimiter(max_retries=0, pacer=ChatPacer(burst=2, clock=Clock()))
    for chat_id in (501, "501", 501, -1001234, "-1001234", "@channel"):
        assert await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat_id},
                                             None)
    await limiter.process_request(send, (), {}, "answerCallbackQuery", {"text": "ok"}, None)
    assert waits == [0.0, 0.0, 1.0]
