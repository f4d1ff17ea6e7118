"""Zalo's interaction window: free replies within 48 h of the person's last message,
then a reminder goes through ZNS (template and consented phone), else it is recorded
as not delivered on Zalo, with the reason, and never retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.zalo.channel import ZaloChannel
from bot.config import ZaloSection, ZnsSection
from bot.delivery.envelope import Envelope
from bot.delivery.errors import Rejected, Unreachable
from bot.storage import Storage
from handlers.model import Address, Priority, Reply
from tests.fake_zalo_api import APP_ID, APP_SECRET, OA_SECRET, FakeZalo
from tests.hotline_helpers import Clock

USER = "8171562230448590128"
WROTE = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
CS_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"


class Delivered:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def __call__(self, message_id: str, last: bool) -> None:
        self.ids.append(message_id)


async def no_death(reason: str) -> None:
    raise AssertionError(reason)


@pytest.fixture
async def channel(fake_zalo: FakeZalo, storage: Storage) -> ZaloChannel:
    section = ZaloSection(app_id=APP_ID, app_secret=APP_SECRET, oa_secret=OA_SECRET,
                          api_base=fake_zalo.base_url,
                          zns=ZnsSection(templates={"deadline": "301234"}))
    access, refresh = fake_zalo.issue_pair()
    real_now = datetime.now(UTC)
    await storage.zalo_tokens.store(APP_ID, access, refresh, real_now + timedelta(days=30),
                                    real_now)
    clock = Clock(WROTE)
    zalo = ZaloChannel(section, storage, no_death, clock=clock)
    await storage.zalo_contacts.wrote(USER, "msg-1", WROTE)
    return zalo


def reminder(number: int, kind: str = "deadline",
             priority: Priority = Priority.REMINDER) -> Envelope:
    return Envelope(number, Address("zalo", USER), priority,
                    Reply.text(f"Nhắc việc số {number}: hạn nộp báo cáo là ngày 05/12/2026."),
                    ref=f"{kind}:{number}", key=f"{kind}-reminder:{number}")


def at(channel: ZaloChannel, moment: datetime) -> None:
    channel._clock.now = moment  # type: ignore[attr-defined]


async def test_eight_free_replies_then_zns_for_a_reminder_with_a_consented_phone(
    channel: ZaloChannel, fake_zalo: FakeZalo, storage: Storage
) -> None:
    at(channel, WROTE + timedelta(hours=1))
    delivered = Delivered()
    for number in range(1, 9):
        await channel.send(reminder(number), delivered)
    assert len(fake_zalo.sent(USER)) == 8 and len(delivered.ids) == 8
    with pytest.raises(Rejected, match="no consented phone"):
        await channel.send(reminder(9), delivered)  # the 9th would not be free
    await storage.zalo_contacts.set_phone(USER, "84912345678", WROTE)
    await channel.send(reminder(10), delivered)
    (zns,) = fake_zalo.made(ZNS_PATH)
    assert zns.body["phone"] == "84912345678" and zns.body["template_id"] == "301234"
    assert zns.body["template_data"] == {"noi_dung": reminder(10).reply.plain_text}  # type: ignore[union-attr]
    assert zns.body["tracking_id"] == "deadline-reminder:10"
    assert len(fake_zalo.sent(USER)) == 8


async def test_after_48_hours_a_reminder_goes_by_zns_or_is_not_delivered_with_the_reason(
    channel: ZaloChannel, fake_zalo: FakeZalo, storage: Storage
) -> None:
    at(channel, WROTE + timedelta(days=3))
    delivered = Delivered()
    with pytest.raises(Rejected, match=r"free window \(last message 3 d 0 h ago\) and no "
                                       "consented phone"):
        await channel.send(reminder(1), delivered)
    await storage.zalo_contacts.set_phone(USER, "84912345678", WROTE)
    with pytest.raises(Rejected, match="no ZNS template for this kind"):
        await channel.send(reminder(2, kind="meeting"), delivered)
    await channel.send(reminder(3), delivered)
    assert len(fake_zalo.made(ZNS_PATH)) == 1 and not fake_zalo.sent(USER)
    await storage.zalo_contacts.wrote(USER, "msg-2", WROTE + timedelta(days=3))
    await channel.send(reminder(4), delivered)  # the person wrote again: free again
    assert len(fake_zalo.sent(USER)) == 1 and len(fake_zalo.made(ZNS_PATH)) == 1


async def test_a_relay_after_7_days_is_undeliverable_and_one_within_goes_as_cs(
    channel: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    delivered = Delivered()
    at(channel, WROTE + timedelta(days=4))
    await channel.send(reminder(1, kind="ticket", priority=Priority.RELAY), delivered)
    assert len(fake_zalo.sent(USER)) == 1  # past the free window: Zalo decides (and may charge)
    at(channel, WROTE + timedelta(days=8))
    with pytest.raises(Unreachable, match="Zalo refuses messages after 7 days"):
        await channel.send(reminder(2, kind="ticket", priority=Priority.RELAY), delivered)
    assert len(fake_zalo.sent(USER)) == 1


async def test_a_person_who_never_wrote_cannot_be_reached(
    channel: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    envelope = Envelope(1, Address("zalo", "111"), Priority.RELAY, Reply.text("Xin chào"))
    with pytest.raises(Unreachable, match="never wrote"):
        await channel.send(envelope, Delivered())
    assert not fake_zalo.made(CS_PATH, ok_only=False)
