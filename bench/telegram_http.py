"""CPU per sendMessage through python-telegram-bot, by HTTP backend and answer handling.

    python bench/telegram_http.py [--requests 2000]

The fake Bot API runs in its own process; this process sends an answer-sized message
with a keyboard, four at a time, and prints its own CPU time per request (compare the
rows of one run, not runs on different days):

- PTB's default backend (httpx), the answer read as a `Message`;
- `bot/channels/telegram/transport.py` (aiohttp, JSON bodies), the answer as a `Message`;
- the same backend, the answer read as plain JSON (what the Telegram channel does for
  getUpdates and sendMessage).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402
from telegram.warnings import PTBUserWarning  # noqa: E402

from bot.channels.telegram.transport import AiohttpRequest  # noqa: E402
from tests.fake_bot_api import TOKEN  # noqa: E402

SERVER = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from tests.fake_bot_api import FakeBotApi
async def main():
    api = FakeBotApi()
    await api.start()
    print(api.base_url, flush=True)
    while True:
        await asyncio.sleep(5)
        api.calls.clear()
asyncio.run(main())
"""
TEXT = "<b>Đăng ký khai sinh</b>\n" + "Hồ sơ gồm tờ khai theo mẫu và giấy chứng sinh. " * 12
KEYBOARD = {"inline_keyboard": [[{"text": "📄 Hồ sơ", "callback_data": "s:1:documents"},
                                 {"text": "💰 Lệ phí", "callback_data": "s:1:fee"}],
                                [{"text": "👍", "callback_data": "f:1:1"},
                                 {"text": "👎", "callback_data": "f:1:0"}]]}


async def cpu_per_request(send: Callable[[int], Awaitable[object]], requests: int) -> float:
    gate = asyncio.Semaphore(4)

    async def one(n: int) -> None:
        async with gate:
            await send(n)

    await asyncio.gather(*(one(n) for n in range(50)))  # connections made, caches warm
    started = time.process_time()
    await asyncio.gather(*(one(n) for n in range(requests)))
    return (time.process_time() - started) / requests * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(ROOT)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = f"{server.stdout.readline().strip()}/bot"
        httpx_bot = Bot(TOKEN, base_url=base, request=HTTPXRequest(connection_pool_size=16))
        aiohttp_bot = Bot(TOKEN, base_url=base, request=AiohttpRequest(16))
        for bot in (httpx_bot, aiohttp_bot):
            await bot.initialize()
        rows = {
            "httpx, Message": lambda n: httpx_bot.send_message(
                1000 + n, TEXT, parse_mode="HTML", reply_markup=KEYBOARD),
            "aiohttp + JSON, Message": lambda n: aiohttp_bot.send_message(
                1000 + n, TEXT, parse_mode="HTML", reply_markup=KEYBOARD),
            "aiohttp + JSON, plain JSON": lambda n: aiohttp_bot.do_api_request(
                "sendMessage", api_kwargs={"chat_id": 1000 + n, "text": TEXT,
                                           "parse_mode": "HTML", "reply_markup": KEYBOARD}),
        }
        results = {name: await cpu_per_request(send, args.requests)
                   for name, send in rows.items()}
        first = next(iter(results.values()))
        for name, ms in results.items():
            print(f"{name:28} {ms:6.3f} ms CPU per request ({ms / first:.2f} of the first)")
        for bot in (httpx_bot, aiohttp_bot):
            await bot.shutdown()
    finally:
        server.kill()


if __name__ == "__main__":
    asyncio.run(main())
