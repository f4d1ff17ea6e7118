"""What keeps the Telegram channel safe to run: flood limit, one instance, no token in logs."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from pathlib import Path

import pytest

from bot.app import serve
from bot.channels.base import Pace
from bot.channels.telegram.channel import api_root
from bot.channels.telegram.redact import REDACTED, redacted_logs
from bot.config import ConfigError, load_config
from bot.delivery.flood import FloodLimiter, Verdict
from bot.delivery.pacing import Gcra
from bot.lock import AlreadyRunning, instance_lock
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


def test_a_second_process_serving_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    with instance_lock(tmp_path) as path:
        assert path.name == "serve.lock"
        with (
            pytest.raises(AlreadyRunning, match=f"already serving {tmp_path}"),
            instance_lock(tmp_path),
        ):
            pass
        with instance_lock(tmp_path / "other"):
            pass  # another database may be served beside it
    with instance_lock(tmp_path):
        pass  # released


async def test_run_refuses_to_start_while_another_instance_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with instance_lock(tmp_path / "data"):
        code, calls = await _run_once(tmp_path, f'token = "{TOKEN}"')
    assert code == 1
    assert "already serving" in caplog.text
    assert calls == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('token = "not a token"', "[telegram] token does not look like a bot token"),
        ('webhook_url = "http://bot.example/hook"', "[telegram] webhook_url must be an https://"),
        ('webhook_secret = "has spaces"', "[telegram] webhook_secret may only use letters"),
        ('base_url = "localhost:8081"', "[telegram] base_url must start with http://"),
        ("[delivery]\nflood_messages_per_minute = 0",
         "[delivery] flood_messages_per_minute is out of range"),
        ("[delivery]\nmessages_per_second = 0", "[delivery] messages_per_second is out of range"),
        ('[delivery]\nconcurrency = "4"', "[delivery] concurrency must be an integer"),
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
        code = await asyncio.wait_for(serve(config, stop=asyncio.Event()), 10)
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
        "stopping: Telegram rejected the bot token at getMe "
        f"(The token `{REDACTED}` was rejected by the server.)"
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
    pacer = Gcra(clock)
    pace = Pace(interval=1.0, burst=3)
    waits = []
    for _ in range(5):
        waits.append(pacer.wait(501, pace))
        pacer.take(501, pace)
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert pacer.wait(502, pace) == 0.0  # per chat
    clock.now += 10  # quiet for a while: the burst is available again
    assert pacer.wait(501, pace) == 0.0


def test_a_held_chat_waits_for_retry_after_and_others_do_not() -> None:
    clock = Clock()
    pacer = Gcra(clock)
    pacer.hold(501, 7.0)
    assert pacer.wait(501, Pace()) == 7.0
    assert pacer.wait(502, Pace()) == 0.0
    clock.now += 7
    assert pacer.wait(501, Pace()) == 0.0


@pytest.mark.parametrize(
    "written", ["http://127.0.0.1:8081", "http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot",
                "http://127.0.0.1:8081/bot/"],
)
def test_base_url_is_accepted_in_both_forms(written: str) -> None:
    assert api_root(written) == "http://127.0.0.1:8081"
