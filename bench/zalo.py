"""Zalo benchmark: the webhook's answer time, and the time from an event to the answer
reaching the fake OA API, with the bot run as `commune-bot run` runs it.

Run from the project root:

    .venv/bin/python bench/zalo.py [--people 100]

`--people` officials each post one signed question at once (the burst Zalo sends when
many write together). For each, the webhook's time to answer 200 (Zalo wants it within
2 s: the event is stored, and handled after the answer) as the poster sees it and as
tornado measures it in the bot, and the time until the answer's first message reached
`message/cs`. The posters, the fake OA API and the bot share one process and one
event loop, so the poster's times include the others' work.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hotline import percentile
from tests.fake_zalo_api import running_zalo_bot

QUESTIONS = ("dang ky khai sinh can giay to gi", "lệ phí đăng ký kết hôn",
             "chứng thực bản sao mất bao lâu", "thủ tục đăng ký khai tử")
UNLIMITED = "[delivery]\nflood_messages_per_minute = 100000\nconcurrency = 8\n"


class ServerTimes(logging.Handler):
    """Tornado's own measure of each webhook request, from its start to the 200."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        # tornado.web logs (status, "POST /zalo (address)", milliseconds).
        if isinstance(record.args, tuple) and " /zalo " in str(record.args[1]):
            self.seconds.append(float(record.args[2]) / 1000)


async def measure(people: int) -> tuple[list[float], list[float], list[float]]:
    server = ServerTimes()
    access = logging.getLogger("tornado.access")
    access.addHandler(server)
    access.setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        async with running_zalo_bot(Path(folder), UNLIMITED) as bot:
            users = [bot.user(f"81715622304485{n:05d}") for n in range(people)]
            await users[0].answer("/start")  # warm: the index and the first connection
            posted: dict[str, float] = {}
            answered: list[float] = []

            limits = httpx.Limits(max_connections=people)

            async def one(n: int, client: httpx.AsyncClient) -> None:
                user = users[n]
                event = user.event(QUESTIONS[n % len(QUESTIONS)])
                posted[user.id] = time.perf_counter()
                response = await user.post(event, client=client)
                assert response.status_code == 200
                answered.append(time.perf_counter() - posted[user.id])

            async with httpx.AsyncClient(limits=limits) as client:
                await asyncio.gather(*(one(n, client) for n in range(people)))
            arrived: dict[str, float] = {}

            def all_arrived() -> bool:
                for user in users[1:] if people > 1 else users:
                    if user.id not in arrived and bot.fake.sent(user.id):
                        arrived[user.id] = time.perf_counter()
                return len(arrived) >= len(users) - (1 if people > 1 else 0)

            await bot.fake.wait_for(all_arrived, timeout=300)
    delivered = [arrived[user_id] - posted[user_id] for user_id in arrived]
    access.removeHandler(server)
    return answered, server.seconds[-people:], delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100)
    args = parser.parse_args()
    answered, served, delivered = asyncio.run(measure(args.people))
    for name, values in (("webhook 200, as the poster sees it", answered),
                         ("webhook 200, in the server", served),
                         ("first answer message", delivered)):
        print(f"{name}: n={len(values)} p50={percentile(values, 0.5) * 1000:.0f} ms "
              f"p99={percentile(values, 0.99) * 1000:.0f} ms max={max(values) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
