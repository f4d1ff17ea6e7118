"""What the hotline tests share: the config contract, clocks, the people on each side."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.factories import VN
from tests.fake_bot_api import Call, FakeBotApi, Person, button_data, running_bot

OFFICIAL = 501
JUSTICE_TEAM = -1001000000001
GENERAL_TEAM = -1001000000002
SUPERVISORS = -1001000000009
# Team chats are groups, paced at 20 messages a minute (a message every 3 s after two):
# waits for what reaches them are that much longer.
GROUP_PACED = 20.0
# Tuesday 3 November 2026, 09:30 in Vietnam: office hours. Clocks stay in the past: the
# sender takes as due what handlers queued at their (test) time.
TUESDAY_MORNING = datetime(2026, 11, 3, 9, 30, tzinfo=VN)


def hotline_config(*, show_staff_names: bool = False, extra: str = "") -> str:
    """The issue's config contract, with a hotline phone and a supervisors' chat."""
    return f"""
[support]
hotline_phone = "0210 3 888 999"
[hotline]
office_hours = "07:30-11:30,13:30-17:00"
first_response_minutes = 60
escalate_minutes = 240
supervisor_chat_id = {SUPERVISORS}
reopen_days = 7
show_staff_names = {str(show_staff_names).lower()}
{extra}
[[hotline.teams]]
name = "Tổ hỗ trợ Tư pháp – Hộ tịch"
chat_id = {JUSTICE_TEAM}
topics = ["ho-tich", "chung-thuc"]
[[hotline.teams]]
name = "Tổ hỗ trợ chung"
chat_id = {GENERAL_TEAM}
topics = []
"""


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime = TUESDAY_MORNING) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def team_member(api: FakeBotApi, user_id: int, name: str, chat_id: int,
                forum: bool = False) -> Person:
    chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": "Tổ hỗ trợ"}
    if forum:
        chat["is_forum"] = True
    return Person(api, user_id, name, chat=chat)


@asynccontextmanager
async def hotline_bot(
    tmp_path: Path, clock: Clock | None = None, config: str | None = None
) -> AsyncIterator[FakeBotApi]:
    """The bot with the hotline configured, run as `commune-bot run` would."""
    async with running_bot(tmp_path, config or hotline_config(), clock=clock or Clock()) as api:
        api.timeout = GROUP_PACED
        yield api


async def open_ticket(api: FakeBotApi, official: Person, topic: str, text: str) -> Call:
    """/hotro, a topic, a description; returns the confirmation."""
    (topics,) = await official.ask("/hotro")
    _, (describe,) = await official.tap(button_data(topics, topic), on=topics, replies=1)
    assert "mô tả ngắn" in describe.params["text"]
    (confirmation,) = await official.ask(text)
    return confirmation


async def ticket_header(
    api: FakeBotApi, official: Person, topic: str, text: str, team: int
) -> Call:
    """Open a ticket and return its header card as delivered to `team`."""
    await open_ticket(api, official, topic, text)
    return await header_in(api, team)


async def header_in(api: FakeBotApi, chat_id: int, number: int = 0) -> Call:
    """The `number`-th ticket header card delivered to a team chat."""
    await api.wait_for(lambda: len(_headers(api, chat_id)) > number)
    return _headers(api, chat_id)[number]


def _headers(api: FakeBotApi, chat_id: int) -> list[Call]:
    return [c for c in api.sent(chat_id) if "Yêu cầu hỗ trợ số" in c.params["text"]]
