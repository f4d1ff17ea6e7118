"""Delivering a `Reply` to a Telegram chat, for answers and for notices to other chats."""

from __future__ import annotations

import logging

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.render import render
from handlers.model import Reply

log = logging.getLogger(__name__)

# Answers cite laws and portals; previews of those links would bury the answer.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_reply(bot: Bot, chat_id: int | str, reply: Reply) -> None:
    for part in render(reply):
        await bot.send_message(
            chat_id,
            part.text,
            parse_mode=ParseMode.HTML,
            reply_markup=part.markup,
            link_preview_options=NO_PREVIEW,
        )


class TelegramNotifier:
    """Lets handlers reach another chat (the staff chat, an official being approved)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def __call__(self, channel: str, chat_id: str, reply: Reply) -> None:
        if channel != CHANNEL:
            log.warning("cannot send to %s chat %s from Telegram", channel, chat_id)
            return
        try:
            await send_reply(self._bot, chat_id, reply)
        except TelegramError:
            # The person may have blocked the bot; what triggered the notice still stands.
            log.warning("could not deliver a notice to chat %s", chat_id, exc_info=True)
