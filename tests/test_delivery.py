"""The delivery core against the fake Bot API: nothing lost, nothing twice, one slow or
limited chat delays no other, and the process heals or stops cleanly."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.app import serve
from bot.config import load_config
from bot.delivery.envelope import payload_json
from bot.storage import Storage
from bot.storage.outbox import NewMessage
from handlers.model import Address, Outgoing, Priority, Reply
from tests.factories import FIXED_NOW
from tests.fake_bot_api import TOKEN, FakeBotApi, Person, running_bot

QUESTION = "dang ky khai sinh can giay to gi"
FAST_RETRIES = "[delivery]\nretry_initial_seconds = 0.05\nretry_max_seconds = 0.2\n"


def clock() -> datetime:
    return FIXED_NOW


def answers(api: FakeBotApi, chat_id: int) -> list[str]:
    return [call.params["text"] for call in api.sent(chat_id)]


async def test_a_redelivered_update_is_handled_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        lan = Person(api, 501, "Lan")
        update_id = lan.says(QUESTION)
        await api.wait_for(lambda: api.sent(501))
        api.redeliver(update_id)
        await Person(api, 502, "Nam").ask("/huongdan")  # the redelivery was read before this
    assert len(answers(api, 501)) == 1


async def test_a_429_for_one_chat_does_not_delay_another(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        api.limit_chat(501, times=1, retry_after=2)
        lan, nam = Person(api, 501, "Lan"), Person(api, 502, "Nam")
        lan.says(QUESTION)
        await api.wait_for(lambda: api.made("sendMessage", ok_only=False))
        (nam_card,) = await nam.ask(QUESTION)
        (lan_card,) = await api.wait_for(lambda: api.sent(501))
    refused = next(c for c in api.made("sendMessage", ok_only=False) if c.status == 429)
    assert nam_card.at - refused.at < 1.0
    assert lan_card.at - refused.at >= 2.0


async def test_server_errors_are_retried_until_delivered(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FAST_RETRIES, clock=clock) as api:
        api.break_next("sendMessage", times=3, status=500)
        (card,) = await Person(api, 501, "Lan").ask(QUESTION)
    failures = [c for c in api.made("sendMessage", ok_only=False) if c.status == 500]
    assert len(failures) == 3
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
    assert failures[0].params["text"] == card.params["text"]


async def test_a_burst_gets_one_answer_each_though_answers_skip_the_outbox_lookup(
    tmp_path: Path,
) -> None:
    """Answers are handed to the sender as they commit and also found by its lookups of
    the outbox; each goes out once, and a retried one is not starved by the burst."""
    async with running_bot(tmp_path, FAST_RETRIES, clock=clock) as api:
        api.break_next("sendMessage", times=1, status=500)
        people = [Person(api, 7_000 + n, f"CB {n}") for n in range(120)]
        for person in people:
            person.says(QUESTION)
        await api.wait_for(lambda: all(api.sent(p.id) for p in people), timeout=60)
        await asyncio.sleep(0.5)  # room for a second copy, were one on its way
    assert [len(api.sent(p.id)) for p in people] == [1] * len(people)


async def test_a_hung_send_delays_no_other_chat_and_a_time_out_is_retried(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FAST_RETRIES, clock=clock) as api:
        api.break_next("sendMessage", hang=6.0)  # longer than the client waits: a time-out
        lan, nam = Person(api, 501, "Lan"), Person(api, 502, "Nam")
        lan.says(QUESTION)
        await asyncio.sleep(0.2)  # Lan's answer is on its way (and hangs)
        started = asyncio.get_running_loop().time()
        await nam.ask(QUESTION)
        nam_waited = asyncio.get_running_loop().time() - started
        (lan_card,) = await api.wait_for(lambda: api.sent(501), timeout=15)
    assert nam_waited < 1.0
    assert lan_card.params["text"].startswith("<b>Đăng ký khai sinh</b>")


async def test_a_blocked_person_is_marked_inactive_until_they_write_again(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, clock=clock) as api:
        api.blocked.add(501)
        lan = Person(api, 501, "Lan")
        lan.says(QUESTION)
        await api.wait_for(lambda: any(c.status == 403 for c in api.made("sendMessage",
                                                                          ok_only=False)))
        await Person(api, 502, "Nam").ask("/huongdan")
        storage = await Storage.open(tmp_path / "data" / "commune-bot.sqlite3")
        try:
            assert not await storage.chats.is_active(Address("telegram", "501"))
        finally:
            await storage.close()
        api.blocked.clear()  # Lan unblocks the bot and writes again
        (card,) = await lan.ask(QUESTION)
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")


async def test_a_token_revoked_while_polling_stops_the_process_with_status_1(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotApi()
    await api.start()
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "data"\n[telegram]\ntoken = "{TOKEN}"\n'
                      f'base_url = "{api.base_url}/bot"\n', encoding="utf-8")
    try:
        task = asyncio.create_task(
            serve(load_config(config, environ={}), stop=asyncio.Event(), clock=clock)
        )
        await api.wait_for(lambda: api.made("deleteWebhook") or task.done())  # polling next
        api.revoke_token()
        code = await asyncio.wait_for(task, 30)
    finally:
        await api.stop()
    assert code == 1
    assert "Telegram rejected the bot token" in caplog.text
    assert TOKEN not in caplog.text


async def test_transient_errors_at_start_are_retried(tmp_path: Path) -> None:
    api = FakeBotApi()
    await api.start()
    api.break_next("getMe", times=2, status=502)
    api.break_next("setMyCommands", times=2, status=500)
    async with running_bot(tmp_path, FAST_RETRIES, clock=clock, api=api) as api:
        (card,) = await Person(api, 501, "Lan").ask(QUESTION)
        await api.wait_for(lambda: api.made("setMyCommands"))
    assert len(api.made("getMe", ok_only=False)) == 3
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")


async def test_a_database_locked_for_8_seconds_delays_but_does_not_fail_the_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with running_bot(tmp_path, clock=clock) as api:
        other = await aiosqlite.connect(tmp_path / "data" / "commune-bot.sqlite3",
                                        isolation_level=None)
        await other.execute("BEGIN IMMEDIATE")  # an admin command, a backup…
        lan = Person(api, 501, "Lan")
        lan.says(QUESTION)
        await asyncio.sleep(8)
        await other.commit()
        await other.close()
        (card,) = await api.wait_for(lambda: api.sent(501), timeout=15)
    assert card.params["text"].startswith("<b>Đăng ký khai sinh</b>")
    assert "database is locked" in caplog.text


async def test_a_broadcast_never_holds_up_an_answer_and_keeps_to_its_rate(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    storage = await Storage.open(data / "commune-bot.sqlite3")
    try:  # a broadcast to 200 officials, queued as /thongbao queues it
        notice = payload_json(Outgoing(Reply.text("Thông báo: họp giao ban lúc 14 giờ.")))
        await storage.outbox.enqueue(
            [NewMessage(f"broadcast:1:{n}", Address("telegram", str(20_000 + n)),
                        Priority.BROADCAST, notice) for n in range(200)],
            FIXED_NOW,
        )
    finally:
        await storage.close()
    async with running_bot(tmp_path, "[delivery]\nmessages_per_second = 40\n", clock=clock) as api:
        def broadcast() -> list[float]:
            return [c.at for c in api.made("sendMessage") if c.params["chat_id"] >= 20_000]

        await api.wait_for(lambda: len(broadcast()) >= 20)
        asked = asyncio.get_running_loop().time()
        (card,) = await Person(api, 501, "Lan").ask(QUESTION)
        assert card.at - asked < 1.0
        assert len(broadcast()) < 200  # the answer did not wait for the broadcast
        await api.wait_for(lambda: len(broadcast()) == 200, timeout=20)
    times = broadcast()
    # Arrivals as the fake sees them: it shares this busy process, so requests can be
    # stamped late and bunch up within a second; over ten seconds that evens out. The
    # sender's own one-second window is checked exactly in test_pacing.
    assert all(sum(1 for t in times if start <= t < start + 10.0) <= 400 for start in times)
    assert len({c.params["chat_id"] for c in api.made("sendMessage")}) == 201
