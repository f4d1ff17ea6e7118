"""Hotline benchmark: latency from a staff reply to the official's chat, through the
fake Bot API server on loopback, with the bot run as `commune-bot run` runs it.

Run from the project root:

    .venv/bin/python bench/hotline.py [--replies 30] [--mode reply|forum]

One official opens a ticket; a staff member then answers it `--replies` times (a
Telegram reply to the ticket's header, or a message in its forum topic). Each latency
runs from the moment the staff message is queued at the fake server until the fake
server has received the relayed sendMessage for the official: the bot's getUpdates
long poll, the inbox, the handling transaction, the outbox and the sender. Replies are
spaced a little over a second apart, because a private chat is paced at about one
message a second and the pace is not what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_bot_api import Person, running_bot
from tests.hotline_helpers import (
    GENERAL_TEAM,
    GROUP_PACED,
    OFFICIAL,
    hotline_config,
    team_member,
    ticket_header,
)

SPACING_SECONDS = 1.1
# One staff member answering this fast would meet the per-person flood limit.
UNLIMITED = "[delivery]\nflood_messages_per_minute = 100000\n"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p99 of 30 values is the largest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def measure(replies: int, forum: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        async with running_bot(Path(folder), hotline_config() + UNLIMITED) as api:
            api.timeout = GROUP_PACED
            official = Person(api, OFFICIAL, "Lan")
            staff = team_member(api, 900, "Hùng", GENERAL_TEAM, forum=forum)
            header = await ticket_header(api, official, "Khác", "Đo độ trễ", GENERAL_TEAM)
            thread = header.params.get("message_thread_id")
            latencies = []
            await asyncio.sleep(SPACING_SECONDS * 3)  # the official's chat got 3 messages
            for n in range(replies):
                text = f"Trả lời số {n}"
                before = len(api.arrived)
                started = time.perf_counter()
                if forum:
                    staff.says_in_topic(thread, text)
                else:
                    staff.replies(header, text)
                await api.wait_for(lambda t=text, b=before: any(
                    c.method == "sendMessage" and c.params.get("chat_id") == OFFICIAL
                    and t in c.params.get("text", "") for c in api.arrived[b:]))
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(SPACING_SECONDS)
            return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=30)
    parser.add_argument("--mode", choices=["reply", "forum"], default="reply")
    args = parser.parse_args()
    latencies = asyncio.run(measure(args.replies, args.mode == "forum"))
    print(f"staff reply → official's chat, {args.mode} mode, {len(latencies)} replies: "
          f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms (reply #{latencies.index(max(latencies)) + 1})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
