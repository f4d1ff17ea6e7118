"""Running the Application: long polling, or a webhook server when a public URL is set.

Pending updates are never dropped at start: what officials sent while the bot was down
is answered when it comes back.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import Application, Updater

from bot.config import TelegramSection

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def webhook_secret(section: TelegramSection) -> str:
    """The configured secret, or a fresh random one (Telegram is told it at every start)."""
    return section.webhook_secret or secrets.token_urlsafe(32)


async def serve(
    application: Application,
    section: TelegramSection,
    menu: Sequence[tuple[str, str]],
    stop: asyncio.Event,
    secret: str,
) -> None:
    """Serve updates until `stop` is set, then shut down cleanly."""
    try:
        await application.initialize()  # checks the token
    except BaseException:
        # A failed initialise does not shut the bot down: close its open connections.
        await application.bot.shutdown()
        raise
    async with application:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in menu])
        await application.start()
        updater = application.updater
        assert updater is not None, "built with an updater"
        try:
            await _receive_updates(application, updater, section, secret)
            await stop.wait()
        finally:
            # Stop what did start, so that a failed start reports its own error.
            if updater.running:
                await updater.stop()
            await application.stop()


async def _receive_updates(
    application: Application, updater: Updater, section: TelegramSection, secret: str
) -> None:
    if section.webhook_url:
        await updater.start_webhook(
            listen=section.webhook_listen,
            port=section.webhook_port,
            # The reverse proxy forwards the public path unchanged.
            url_path=urlsplit(section.webhook_url).path.lstrip("/"),
            webhook_url=section.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        log.info(
            "webhook for @%s listening on %s:%s",
            application.bot.username, section.webhook_listen, section.webhook_port,
        )
    else:
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
        log.info("polling for @%s", application.bot.username)
