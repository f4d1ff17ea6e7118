"""Broadcast benchmark: `commune-bot run` in its own process against the fake Bot API.

A broadcast to N registered officials (default 5,000) is started through the staff
chat's /thongbao flow; while it goes out, one official asks a question every 4 s.
Prints the achieved delivery rate as a fraction of `[delivery] messages_per_second`
(target ≥ 0.9), duplicates and losses (target 0), and the p50/p99 time a question waits
for its answer during the broadcast.

    .venv/bin/python bench/broadcast.py [--recipients 5000] [--rate 25] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

# The benchmark drives the bot with the tests' fake Bot API (run from the checkout).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.broadcast_world import (
    broadcast_calls,
    peak_count,
    per_chat,
    register_officials,
    serve,
    start_broadcast,
    write_config,
)
from tests.factories import VN
from tests.fake_bot_api import FakeBotApi, Person

TEXT = "Thông báo thử nghiệm: hội nghị trực tuyến lúc 14:00 thứ Năm."
QUESTION = "đăng ký khai sinh cần giấy tờ gì"
ASK_EVERY = 4.0
ASKER = 9_000_001


async def ask_during(api: FakeBotApi, done: asyncio.Event) -> list[float]:
    """Seconds from each question to its answer, a question every ASK_EVERY seconds
    (within the flood limit of 20 a minute)."""
    asker = Person(api, ASKER, "Lan")
    delays = []
    while not done.is_set():
        started = time.monotonic()
        before = len(api.sent(asker.id))
        asker.says(QUESTION)
        await api.wait_for(lambda n=before: len(api.sent(asker.id)) > n, timeout=120)
        delays.append(time.monotonic() - started)
        await asyncio.sleep(max(0.0, ASK_EVERY - (time.monotonic() - started)))
    return delays


async def run(recipients: int, rate: float, concurrency: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="commune-bot-bench-"))
    api = FakeBotApi()
    await api.start()
    config = write_config(folder, api, rate, concurrency)
    ids = await register_officials(folder / "data" / "commune-bot.sqlite3", recipients,
                                   datetime.now(VN))
    await start_broadcast(config, TEXT)
    process = await serve(config, folder / "bot.log")
    done = asyncio.Event()
    try:
        await api.wait_for(lambda: broadcast_calls(api, TEXT), timeout=60)
        asker = asyncio.create_task(ask_during(api, done))
        await api.wait_for(lambda: api.delivered - len(api.sent(ASKER)) >= recipients,
                           timeout=recipients / rate * 4)
        done.set()
        delays = await asker
        await asyncio.sleep(1.0)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        await api.stop()
    calls = broadcast_calls(api, TEXT)
    counts = per_chat(calls)
    span = calls[-1].at - calls[0].at
    achieved = (len(calls) - 1) / span if span else float("inf")
    p99 = statistics.quantiles(delays, n=100)[98] if len(delays) > 1 else delays[0]
    print(f"recipients: {recipients}, configured limit: {rate:g}/s, concurrency: {concurrency}")
    print(f"achieved rate: {achieved:.1f}/s = {achieved / rate:.2f} of the limit "
          f"over {span:.1f} s; most arriving in any 1 s: {peak_count(calls, 1.0)}, "
          f"in any 10 s: {peak_count(calls, 10.0)}")
    print(f"duplicates: {sum(n - 1 for n in counts.values())}, "
          f"losses: {len(set(ids) - set(counts))}")
    print(f"questions during the broadcast: {len(delays)}, answer delay p50 "
          f"{statistics.median(delays) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=25.0,
                        help="[delivery] messages_per_second (default: the shipped 25)")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.recipients, args.rate, args.concurrency))


if __name__ == "__main__":
    main()
