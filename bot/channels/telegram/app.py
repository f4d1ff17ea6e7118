"""Builds the python-telegram-bot Application from the [telegram] section."""

from __future__ import annotations

import os

from telegram.ext import Application, ApplicationBuilder

from bot.channels.telegram.pacing import PacedRateLimiter
from bot.config import TelegramSection


def build_application(section: TelegramSection) -> Application:
    """An Application whose every send goes through Telegram's rate limits.

    The limiter keeps to about 30 messages a second overall, 20 a minute per group and
    one a second per private chat after a short burst, and on a 429 waits the
    `retry_after` Telegram asks for before trying again (up to `send_retries` times).

    Updates are handled one at a time, in order, so one person's quick messages (a
    registration step, then a question) are read in the order they were typed; handling
    takes milliseconds next to the sending it waits for anyway.
    """
    # Opt in now to durations as timedelta (PTB's next major version); otherwise every
    # 429 logs a deprecation warning. The bot never reads durations as numbers.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder = (
        ApplicationBuilder()
        .token(section.token)
        .rate_limiter(PacedRateLimiter(max_retries=section.send_retries))
        # Reminders have their own scheduler that reads the database; PTB's is not used.
        .job_queue(None)
    )
    if section.base_url:
        root = section.base_url.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    return builder.build()
