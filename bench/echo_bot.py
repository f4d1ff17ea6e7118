"""A bare python-telegram-bot echo bot: the comparison for bench/delivery.py.

It answers every text message with the same text, through PTB's own Application and long
polling, with no rate limiter: the least any bot on python-telegram-bot can do per update.

    python bench/echo_bot.py TOKEN BASE_URL
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def main() -> None:
    token, base_url = sys.argv[1], sys.argv[2]
    application = (
        Application.builder().token(token).base_url(f"{base_url}/bot").job_queue(None).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
