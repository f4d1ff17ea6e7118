"""Photos and files in a ticket between an official on Zalo and the team's Telegram group:
fetched from the app that holds them and uploaded to the other, within each app's limits;
what cannot be passed on is named, and a file that cannot go is reported to the team."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.zalo.channel import ZaloChannel
from bot.delivery.envelope import Envelope
from bot.delivery.errors import Rejected, Transient
from bot.delivery.files import Fetched, FileTooBig, download
from handlers.model import Address, Attachment, AttachmentKind, Priority, Upload
from tests.fake_bot_api import TOKEN, running_bot
from tests.fake_zalo_api import FakeZalo, ZaloUser, store_tokens, zalo_config
from tests.hotline_helpers import (
    GROUP_PACED,
    JUSTICE_TEAM,
    Clock,
    header_in,
    hotline_config,
    team_member,
)
from tests.test_telegram_webhook import free_port, until_listening
from tests.test_zalo_chat import zalo_buttons
from tests.test_zalo_window import USER, WROTE, Delivered, at, channel

__all__ = ["channel"]  # the Zalo channel fixture, shared with the window's tests

ZALO_USER = "8171562230448590128"
MB = 1024 * 1024


def attachment_event(lan: ZaloUser, event: str, url: str, **payload: object
                     ) -> dict[str, object]:
    kind = {"user_send_image": "image", "user_send_file": "file"}.get(event, "sticker")
    return lan.event("", event, attachments=[{"type": kind, "payload": {"url": url, **payload}}])


async def test_photos_and_files_pass_between_an_official_on_zalo_and_the_telegram_team(
    tmp_path: Path, fake_zalo: FakeZalo
) -> None:
    port = free_port()
    await store_tokens(tmp_path / "data" / "commune-bot.sqlite3", *fake_zalo.issue_pair())
    config = hotline_config() + zalo_config(fake_zalo, port)
    async with running_bot(tmp_path, config, clock=Clock()) as api:
        api.timeout = GROUP_PACED
        await until_listening(port)
        lan = ZaloUser(fake_zalo, f"http://127.0.0.1:{port}/zalo", ZALO_USER)
        (topics,) = await lan.ask("/hotro")
        await lan.ask(next(p for title, p in zalo_buttons(topics) if "Hộ tịch" in title))
        photo = b"\xff\xd8\xff" + os.urandom(300_000)
        url = fake_zalo.host_file("giay-khai-sinh.jpg", photo)
        before = len(fake_zalo.sent(ZALO_USER))
        for event in (attachment_event(lan, "user_send_image", url),
                      attachment_event(lan, "user_send_sticker", f"{fake_zalo.base_url}/cdn/s")):
            assert (await lan.post(event)).status_code == 200
        await fake_zalo.wait_for(lambda: len(fake_zalo.sent(ZALO_USER)) == before + 2)
        await lan.ask("Hồ sơ khai sinh bị trả về không rõ lý do")

        header = await header_in(api, JUSTICE_TEAM)
        assert "nhãn dán, nhưng không chuyển được sang Telegram" in header.params["text"]
        (first,) = await api.wait_for(lambda: api.uploaded(JUSTICE_TEAM))
        assert first.method == "sendPhoto" and first.params["photo"]["content"] == photo

        form = b"%PDF-1.4\n" + os.urandom(2 * MB)
        url = fake_zalo.host_file("to-khai.pdf", form)
        await lan.post(attachment_event(lan, "user_send_file", url, name="to-khai.pdf"))
        await api.wait_for(lambda: len(api.uploaded(JUSTICE_TEAM)) == 2)
        document = api.uploaded(JUSTICE_TEAM)[1]
        assert document.method == "sendDocument"
        assert document.params["document"] == {"filename": "to-khai.pdf", "content": form}

        gone = attachment_event(lan, "user_send_image", f"{fake_zalo.base_url}/cdn/expired.jpg")
        await lan.post(gone)  # Zalo's link no longer works: the team is told
        await api.wait_for(lambda: [c for c in api.sent(JUSTICE_TEAM)
                                    if "không chuyển được sang đây" in c.params["text"]])

        hung = team_member(api, 900, "Hùng", JUSTICE_TEAM)
        screenshot = os.urandom(200_000)
        api.host_file("shot-1280", screenshot)  # the largest size is the one passed on
        hung.sends_photo("shot", reply_to_message=header.result)
        guide = os.urandom(3 * MB)  # more than an image may be on Zalo: sent as a file
        api.host_file("guide", guide)
        hung.sends(document={"file_id": "guide", "file_unique_id": "ug",
                             "file_name": "huong-dan.pdf", "file_size": len(guide)},
                   reply_to_message=header.result)
        await fake_zalo.wait_for(lambda: len(fake_zalo.attached(ZALO_USER)) == 2, timeout=15)
        huge = os.urandom(6 * MB)  # more than Zalo takes at all
        api.host_file("huge", huge)
        hung.sends(document={"file_id": "huge", "file_unique_id": "uh", "file_name": "scan.pdf",
                             "file_size": len(huge)}, reply_to_message=header.result)
        failed = await api.wait_for(lambda: [c for c in api.sent(JUSTICE_TEAM)
                                             if "không đến được" in c.params["text"]])
    assert fake_zalo.attached(ZALO_USER) == [("shot-1280", screenshot),
                                             ("huong-dan.pdf", guide)]
    assert "tệp quá lớn" in failed[0].params["text"]
    images = [m for m in fake_zalo.sent(ZALO_USER) if "elements" in str(m.get("attachment"))]
    assert len(images) == 1  # the screenshot as an image, the guide as a file


async def test_a_download_is_cut_off_at_its_limit_and_its_errors_name_no_address(
    fake_zalo: FakeZalo,
) -> None:
    url = fake_zalo.host_file("scan.pdf", os.urandom(64 * 1024))
    assert len(await download(url, limit=64 * 1024)) == 64 * 1024
    with pytest.raises(FileTooBig, match="file too big"):
        await download(url, limit=1000)
    secret = f"{fake_zalo.base_url}/cdn/{TOKEN}/missing"
    with pytest.raises(Rejected) as refused:
        await download(secret)
    assert "404" in refused.value.reason and TOKEN not in refused.value.reason
    closed = f"http://127.0.0.1:{free_port()}/file/bot{TOKEN}/x"
    with pytest.raises(Transient) as failed:
        await download(closed)
    assert TOKEN not in failed.value.reason


async def test_on_zalo_a_photo_over_1_mb_goes_as_a_file_and_over_5_mb_not_at_all(
    channel: ZaloChannel, fake_zalo: FakeZalo
) -> None:
    at(channel, WROTE + timedelta(hours=1))
    sizes = {"small.jpg": MB // 2, "large.jpg": 2 * MB, "huge.jpg": 6 * MB}
    photos = {name: Envelope(n, Address("zalo", USER), Priority.RELAY,
                             upload=Upload("telegram", Attachment(AttachmentKind.PHOTO, name)),
                             fetched=Fetched(AttachmentKind.PHOTO, name, os.urandom(size)))
              for n, (name, size) in enumerate(sizes.items(), start=1)}
    delivered = Delivered()
    await channel.send(photos["small.jpg"], delivered)
    await channel.send(photos["large.jpg"], delivered)
    with pytest.raises(FileTooBig):
        await channel.send(photos["huge.jpg"], delivered)
    assert [call.body["file"][0] for call in fake_zalo.made("/v2.0/oa/upload/image")] == \
        ["small.jpg"]
    assert [call.body["file"][0] for call in fake_zalo.made("/v2.0/oa/upload/file")] == \
        ["large.jpg"]
    assert [name for name, _ in fake_zalo.attached(USER)] == ["small.jpg", "large.jpg"]
    assert len(delivered.ids) == 2
