"""Delivery benchmark: the real `commune-bot run` process against the fake Bot API.

    python bench/delivery.py [--broadcast 5000] [--rate 100] [--officials 100] [--seconds 60]
                             [--parts 1,2,3]

Prints, all measured in one run on this machine (compare the ratios, not the absolutes):

1. Throughput: updates handled per second, `commune-bot` (with `[delivery]
   messages_per_second = 1000`, so no rate limit is in the way) against a bare
   python-telegram-bot echo bot (bench/echo_bot.py), each given the same burst of
   questions from distinct chats; then commune-bot again with every question of the
   question bank, each different, so that none is answered from the recent searches.
2. Broadcast: `--broadcast` messages to distinct chats queued in the outbox (as a
   broadcast writes them) and drained at `--rate`, while officials ask questions: the
   achieved rate as a fraction of the limit, the fastest one-second window, duplicates,
   losses, and the answers' p50/p99 latency meanwhile.
3. Conversation: `--officials` officials each ask, wait for the answer, read it for
   `--think` seconds and ask again, for `--seconds`: p50/p99 latency from the update
   (its arrival at the Bot API) to the answer's sendMessage, for commune-bot and the
   echo bot.

The fake Bot API runs in this process, each bot in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.delivery.envelope import payload_json  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.storage.outbox import NewMessage  # noqa: E402
from handlers.model import Address, Outgoing, Priority, Reply  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotApi, Person  # noqa: E402

QUESTION = "dang ky khai sinh can giay to gi"
BROADCAST_TEXT = "Thông báo: hạn nộp báo cáo quý là ngày 15/12/2026."
BROADCAST_CHATS = 1_000_000  # broadcast recipients are chats 1_000_000…
SETTLED_AFTER = 10.0  # s: the officials start at one moment and spread out after


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Bot:
    """A bot process against the fake API."""

    def __init__(self, args: list[str], workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Bot:
        log = (self.workdir / "bot.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            *self.args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=log, cwd=self.workdir,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        await self.process.wait()


def commune_bot(api: FakeBotApi, workdir: Path, rate: float, concurrency: int = 4) -> Bot:
    config = workdir / "config.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{workdir / "data"}"\n'
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n'
        f"[delivery]\nmessages_per_second = {rate}\nconcurrency = {concurrency}\n"
        "flood_messages_per_minute = 10000\n",
        encoding="utf-8",
    )
    return Bot([sys.executable, "-m", "bot", "run", "--config", str(config)], workdir)


def echo_bot(api: FakeBotApi, workdir: Path) -> Bot:
    return Bot([sys.executable, str(ROOT / "bench" / "echo_bot.py"), TOKEN, api.base_url],
               workdir)


async def ready(api: FakeBotApi) -> None:
    await api.wait_for(lambda: api.made("deleteWebhook"), timeout=60)


def bank_questions() -> list[str]:
    """The question bank's questions (every typing variant), each once."""
    seen: dict[str, None] = {}
    for name in ("tune.jsonl", "heldout.jsonl"):
        for line in (ROOT / "bench" / "questions" / name).read_text("utf-8").splitlines():
            seen.setdefault(json.loads(line)["q"], None)
    return list(seen)


def cpu_seconds(process: asyncio.subprocess.Process | None) -> float:
    """The CPU time (user + system) a bot process has used, from /proc."""
    assert process is not None
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def throughput(bot: Bot, api: FakeBotApi, questions: list[str]) -> tuple[float, float]:
    """Updates per second, and the bot's CPU ms per update: a burst of `questions` from
    distinct chats until all are answered."""
    async with bot:
        await ready(api)
        people = [Person(api, 500_000 + n, f"CB {n}") for n in range(len(questions))]
        started, cpu = time.monotonic(), cpu_seconds(bot.process)
        for person, question in zip(people, questions, strict=True):
            person.says(question)
        await api.wait_for(lambda: all(api.sent(p.id) for p in people), timeout=600)
        elapsed, used = time.monotonic() - started, cpu_seconds(bot.process) - cpu
        return len(questions) / elapsed, used / len(questions) * 1000


async def conversation(bot: Bot, api: FakeBotApi, officials: int, seconds: float,
                       think: float) -> list[tuple[float, float]]:
    """(when asked, s after the start; latency, s from the question's arrival to its
    answer's sendMessage) for every question."""
    latencies: list[tuple[float, float]] = []
    async with bot:
        await ready(api)
        start = time.monotonic()
        end = start + seconds

        async def official(person: Person) -> None:
            while time.monotonic() < end:
                asked = time.monotonic()
                (answer,) = await person.ask(QUESTION)
                latencies.append((asked - start, answer.at - asked))
                await asyncio.sleep(think)

        await asyncio.gather(*(official(Person(api, 600_000 + n, f"CB {n}"))
                               for n in range(officials)))
    return latencies


async def queue_broadcast(workdir: Path, recipients: int) -> None:
    storage = await Storage.open(workdir / "data" / "commune-bot.sqlite3")
    try:
        reply = Reply.text(BROADCAST_TEXT)
        rows = [
            NewMessage(f"broadcast:bench:{n}", Address("telegram", str(BROADCAST_CHATS + n)),
                       Priority.BROADCAST, payload_json(Outgoing(reply)))
            for n in range(recipients)
        ]
        from datetime import UTC, datetime

        await storage.outbox.enqueue(rows, datetime.now(UTC))
    finally:
        await storage.close()


async def broadcast(api: FakeBotApi, workdir: Path, recipients: int, rate: float,
                    askers: int) -> dict[str, float]:
    await queue_broadcast(workdir, recipients)
    latencies: list[float] = []
    async with commune_bot(api, workdir, rate):
        await ready(api)

        def delivered() -> list[float]:
            return [c.at for c in api.made("sendMessage")
                    if c.params["chat_id"] >= BROADCAST_CHATS]

        async def official(person: Person) -> None:
            while len(delivered()) < recipients:
                asked = time.monotonic()
                (answer,) = await person.ask(QUESTION)
                latencies.append(answer.at - asked)
                await asyncio.sleep(2.0)

        askers_done = asyncio.gather(*(official(Person(api, 700_000 + n, f"CB {n}"))
                                       for n in range(askers)))
        deadline = time.monotonic() + recipients / rate * 3 + 60
        while len(delivered()) < recipients and time.monotonic() < deadline:
            await asyncio.sleep(0.5)  # a look twice a second: cheap next to the sends
        await askers_done
    times = sorted(delivered())
    counts = Counter(c.params["chat_id"] for c in api.made("sendMessage")
                     if c.params["chat_id"] >= BROADCAST_CHATS)
    achieved = (len(times) - 1) / (times[-1] - times[0])
    fastest = max(sum(1 for t in times[i:i + int(rate * 2) + 2] if t - start < 1.0)
                  for i, start in enumerate(times))
    return {
        "achieved": achieved, "fastest_window": fastest,
        "duplicates": sum(n - 1 for n in counts.values()),
        "losses": recipients - len(counts),
        "answer_p50": percentile(latencies, 0.5), "answer_p99": percentile(latencies, 0.99),
        "answers": len(latencies),
    }


async def fresh_api() -> FakeBotApi:
    api = FakeBotApi()
    await api.start()
    return api


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--broadcast", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--officials", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--parts", default="1,2,3",
                        help="which measurements to run, e.g. 1,3 (default all)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "1" in parts:
        await print_throughput(args)
    if "2" in parts:
        await print_broadcast(args)
    if "3" in parts:
        await print_conversation(args)


async def print_throughput(args: argparse.Namespace) -> None:
    print(f"1. Throughput: a burst of {args.updates} questions from distinct chats")
    same = [QUESTION] * args.updates
    varied = bank_questions()
    runs = {"echo bot": same, "commune-bot": same,
            f"commune-bot, {len(varied)} different questions": varied}
    rates = {}
    for name, questions in runs.items():
        with tempfile.TemporaryDirectory() as folder:
            api = await fresh_api()
            bot = (echo_bot(api, Path(folder)) if name == "echo bot"
                   else commune_bot(api, Path(folder), rate=1000))
            rates[name], cpu = await throughput(bot, api, questions)
            await api.stop()
        print(f"   {name:12} {rates[name]:8.1f} updates/s"
              f" (ratio to the echo bot {rates[name] / rates['echo bot']:.2f}),"
              f" {cpu:.2f} ms of CPU per update")


async def print_broadcast(args: argparse.Namespace) -> None:
    print(f"\n2. Broadcast: {args.broadcast} messages to distinct chats at "
          f"{args.rate:g}/s, 20 officials asking meanwhile")
    with tempfile.TemporaryDirectory() as folder:
        api = await fresh_api()
        result = await broadcast(api, Path(folder), args.broadcast, args.rate, askers=20)
        await api.stop()
    print(f"   achieved rate {result['achieved']:.1f}/s = "
          f"{result['achieved'] / args.rate:.3f} of the limit; fastest 1-s window "
          f"{result['fastest_window']:.0f} messages")
    print(f"   duplicates {result['duplicates']:.0f}, losses {result['losses']:.0f}")
    print(f"   answers meanwhile: {result['answers']:.0f}, p50 "
          f"{result['answer_p50'] * 1000:.0f} ms, p99 {result['answer_p99'] * 1000:.0f} ms")


async def print_conversation(args: argparse.Namespace) -> None:
    print(f"\n3. Conversation: {args.officials} officials ask, wait, read "
          f"{args.think:g} s, ask again, for {args.seconds:g} s")
    for name in ("echo bot", "commune-bot"):
        with tempfile.TemporaryDirectory() as folder:
            api = await fresh_api()
            bot = (echo_bot(api, Path(folder)) if name == "echo bot"
                   else commune_bot(api, Path(folder), rate=25))
            timed = await conversation(bot, api, args.officials, args.seconds, args.think)
            await api.stop()
        latencies = [latency for _, latency in timed]
        settled = [latency for asked, latency in timed if asked >= SETTLED_AFTER]
        print(f"   {name:12} {len(latencies):6d} answers, p50 "
              f"{statistics.median(latencies) * 1000:6.1f} ms, p99 "
              f"{percentile(latencies, 0.99) * 1000:6.1f} ms; after the first "
              f"{SETTLED_AFTER:g} s (all asking at once at the start) p99 "
              f"{percentile(settled, 0.99) * 1000:6.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
