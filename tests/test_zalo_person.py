"""One person, two apps, after /lienket: their tickets and deadlines are one list in both
apps, and a reminder goes to Zalo within its free window, else to Telegram, never both."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.channels.base import Pace, PartDelivered
from bot.channels.zalo.channel import ZaloChannel
from bot.delivery.envelope import Envelope, payload_json
from bot.delivery.sender import Sender, SenderSettings
from bot.storage import Storage
from bot.storage.outbox import NewMessage
from handlers.model import Address, Outgoing, Priority, Reply
from handlers.ports import NewTicket, Registration, User
from tests.deadline_helpers import World, world
from tests.factories import VN
from tests.fake_zalo_api import FakeZalo
from tests.test_zalo_window import CS_PATH, USER, WROTE, ZNS_PATH, at, channel

__all__ = ["channel"]  # the Zalo channel fixture, shared with the window's tests

UNIT, POSITION = "Xã Tân Hưng", "Chủ tịch UBND"
DEADLINES = """[[deadline]]
id = "bao-cao"
title = "Báo cáo rà soát hộ nghèo"
due = 2026-03-27
remind = ["1d"]
done_by = "person"
[deadline.audience]
everyone = true

[[deadline]]
id = "ke-khai"
title = "Kê khai tài sản, thu nhập"
due = 2026-03-30
done_by = "person"
[deadline.audience]
everyone = true
"""
TEAM = '[[hotline.teams]]\nname = "Tổ hỗ trợ chung"\nchat_id = -100999\ntopics = []\n'
START = datetime(2026, 3, 16, 10, 0, tzinfo=VN)
ZALO_ID = "8171562230448590128"
TELEGRAM = Address("telegram", "501")


async def on_zalo(w: World) -> User:
    users, now = w.app.storage.users, w.clock()
    user = await users.upsert("zalo", ZALO_ID, "Lan", now)
    await users.save_profile(user.id, UNIT, POSITION, Registration.APPROVED, now)
    return user


async def link(w: World, issuer: User, typed_by: User) -> None:
    links, now = w.app.storage.links, w.clock()
    code = await links.issue(issuer.id, now + timedelta(minutes=10), now)
    await links.redeem(code, typed_by, now)


def text_of(reply: Reply) -> str:
    return reply.plain_text


async def test_after_linking_tickets_and_deadlines_of_both_accounts_belong_to_the_person(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, START, TEAM) as w:
        telegram = await w.official("501", UNIT, POSITION, "Lan")
        zalo = await on_zalo(w)
        tickets = w.app.storage.tickets
        for account, question in ((telegram, "Hỏi về chứng thực bản sao"),
                                  (zalo, "Hồ sơ khai sinh bị trả về")):
            await tickets.create(NewTicket(account.id, Address(account.channel,
                                                               account.external_id),
                                           "chung", "Tổ hỗ trợ chung", question), w.clock())
        await w.load(DEADLINES)
        await w.sweep()
        notices = dict(await w.new_messages())
        assert set(notices) == {"501", ZALO_ID}  # two accounts, two officials so far
        await w.press(zalo, notices[ZALO_ID], "Đã hoàn thành")  # the first deadline, on Zalo
        snoozed = await w.say(zalo, "/viec")
        assert "Báo cáo rà soát" not in text_of(snoozed)

        await link(w, telegram, zalo)  # both have a profile: the issuer is the person

        mine = [text_of(await w.say(account, "/yeucau")) for account in (telegram, zalo)]
        assert mine[0] == mine[1]
        assert "chứng thực bản sao" in mine[0] and "khai sinh bị trả về" in mine[0]
        lists = [text_of(await w.say(account, "/viec")) for account in (telegram, zalo)]
        assert lists[0] == lists[1]
        assert "Kê khai tài sản" in lists[0] and "Báo cáo rà soát" not in lists[0]
        (person,) = await w.app.storage.deadlines.officials()
        assert person.user_id == telegram.id
        assert person.elsewhere == (Address("zalo", ZALO_ID),)

        await w.new_messages()
        assert await w.sweep() == 0  # the notices both accounts had are not sent again
        # The day before the first due time: its reminder would have gone to both, but
        # the confirmation made on Zalo now covers the person; the second goes once.
        await w.sweep(datetime(2026, 3, 29, 7, 30, tzinfo=VN))
        ((to, reminder),) = [(chat, reply) for chat, reply in await w.new_messages()
                             if chat in ("501", ZALO_ID)]
        assert to == ZALO_ID and "Kê khai tài sản" in text_of(reminder)
        assert "Báo cáo rà soát" not in text_of(reminder)
        row = await w.app.storage.database.fetch_one(
            "SELECT channel, payload FROM outbox WHERE key LIKE 'reminder:user:%' "
            "ORDER BY id DESC LIMIT 1")
        assert row is not None and row["channel"] == "zalo"
        assert '"fallback":["telegram","501"]' in row["payload"]


async def test_linking_moves_what_only_the_other_account_had_in_one_transaction(
    storage: Storage,
) -> None:
    now = START
    telegram = await storage.users.upsert("telegram", "501", "Lan", now)
    zalo = await storage.users.upsert("zalo", ZALO_ID, "Lan", now)
    await storage.users.save_profile(telegram.id, UNIT, POSITION, Registration.APPROVED, now)
    ticket = await storage.tickets.create(NewTicket(
        zalo.id, Address("zalo", ZALO_ID), "chung", "Tổ hỗ trợ chung", "Hỏi"), now)
    code = await storage.links.issue(telegram.id, now + timedelta(minutes=10), now)
    try:
        async with storage.transaction():
            await storage.links.redeem(code, zalo, now)
            raise RuntimeError("the handler failed after linking")
    except RuntimeError:
        pass
    assert [t.id for t in await storage.tickets.of_user(zalo.id, 5)] == [ticket.id]
    assert await storage.users.upsert("zalo", ZALO_ID, "Lan", now) == zalo  # rolled back

    code = await storage.links.issue(zalo.id, now + timedelta(minutes=10), now)
    await storage.links.redeem(code, telegram, now)  # the profile decides: Telegram's
    assert [t.id for t in await storage.tickets.of_user(telegram.id, 5)] == [ticket.id]
    assert await storage.tickets.of_user(zalo.id, 5) == []


class Recorder:
    """The other chat app (Telegram's side of these tests): delivers what it is given."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[Envelope] = []

    def pace(self, address: Address) -> Pace:
        return Pace()

    async def send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        self.sent.append(envelope)
        await on_part(f"m{len(self.sent)}", True)


async def remind(storage: Storage, number: int, fallback: Address | None = TELEGRAM) -> None:
    """A deadline reminder to the person, addressed to Zalo first as the sweep does."""
    message = Outgoing(Reply.text(f"Nhắc việc số {number}: hạn nộp báo cáo là ngày 05/12."),
                       Address("zalo", USER), key=f"reminder:user:1:{number}",
                       ref=f"deadline:{number}", priority=Priority.REMINDER, fallback=fallback)
    await storage.outbox.enqueue([NewMessage(message.key or "", message.address or TELEGRAM,
                                             Priority.REMINDER, payload_json(message),
                                             message.ref)], WROTE)


async def deliver(storage: Storage, senders: list[Sender], key: str) -> tuple[str, str]:
    """Run the senders until the message `key` is no longer pending: (channel, state)."""
    tasks = [asyncio.create_task(sender.run()) for sender in senders]
    try:
        for _ in range(500):
            row = await storage.database.fetch_one(
                "SELECT channel, state FROM outbox WHERE key = ?", (key,))
            assert row is not None
            if row["state"] != "pending":
                return row["channel"], row["state"]
            await asyncio.sleep(0.01)
        raise AssertionError(f"{key} still pending")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_reminder_goes_to_zalo_in_its_window_else_to_telegram_and_never_both(
    channel: ZaloChannel, fake_zalo: FakeZalo, storage: Storage
) -> None:
    telegram = Recorder("telegram")
    clock = channel._clock  # type: ignore[attr-defined]
    senders = [Sender(channel, storage, SenderSettings(), clock=clock),
               Sender(telegram, storage, SenderSettings(), clock=clock)]
    await storage.zalo_contacts.set_phone(USER, "84912345678", WROTE)  # ZNS would be possible
    at(channel, WROTE + timedelta(hours=1))
    await remind(storage, 1)
    assert await deliver(storage, senders, "reminder:user:1:1") == ("zalo", "delivered")
    assert len(fake_zalo.sent(USER)) == 1 and telegram.sent == []

    await remind(storage, 2)  # written in the window, which closes before it is sent
    at(channel, WROTE + timedelta(hours=49))
    assert await deliver(storage, senders, "reminder:user:1:2") == ("telegram", "delivered")
    (moved,) = telegram.sent
    assert moved.address == TELEGRAM and moved.key == "reminder:user:1:2"
    assert len(fake_zalo.sent(USER)) == 1 and not fake_zalo.made(ZNS_PATH)

    await remind(storage, 3, fallback=None)  # no Telegram account: ZNS, as before
    assert await deliver(storage, senders, "reminder:user:1:3") == ("zalo", "delivered")
    assert len(fake_zalo.made(ZNS_PATH)) == 1 and len(telegram.sent) == 1


async def test_a_reminder_to_a_zalo_chat_that_refuses_the_oa_goes_to_telegram(
    channel: ZaloChannel, fake_zalo: FakeZalo, storage: Storage
) -> None:
    telegram = Recorder("telegram")
    clock = channel._clock  # type: ignore[attr-defined]
    senders = [Sender(channel, storage, SenderSettings(), clock=clock),
               Sender(telegram, storage, SenderSettings(), clock=clock)]
    at(channel, WROTE + timedelta(hours=1))
    fake_zalo.fail_next(CS_PATH, -213)  # the person no longer follows the OA
    await remind(storage, 1)
    assert await deliver(storage, senders, "reminder:user:1:1") == ("telegram", "delivered")
    await remind(storage, 2)  # the Zalo chat is now known to refuse: straight to Telegram
    assert await deliver(storage, senders, "reminder:user:1:2") == ("telegram", "delivered")
    assert [e.key for e in telegram.sent] == ["reminder:user:1:1", "reminder:user:1:2"]
    assert len(fake_zalo.made(CS_PATH, ok_only=False)) == 1 and not fake_zalo.sent(USER)


async def test_a_linked_person_is_reminded_while_one_of_their_chats_still_takes_messages(
    storage: Storage,
) -> None:
    telegram = await storage.users.upsert("telegram", "501", "Lan", START)
    zalo = await storage.users.upsert("zalo", ZALO_ID, "Lan", START)
    await storage.users.save_profile(telegram.id, UNIT, POSITION, Registration.APPROVED, START)
    code = await storage.links.issue(zalo.id, START + timedelta(minutes=10), START)
    await storage.links.redeem(code, telegram, START)
    await storage.chats.mark_inactive(TELEGRAM, "blocked", START)
    (person,) = await storage.deadlines.officials()
    assert not person.inactive and person.elsewhere == (Address("zalo", ZALO_ID),)
    await storage.chats.mark_inactive(Address("zalo", ZALO_ID), "-213", START)
    (person,) = await storage.deadlines.officials()
    assert person.inactive
