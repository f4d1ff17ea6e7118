"""python-telegram-bot's exceptions → the channel-neutral delivery errors.

PTB maps HTTP statuses to its own exception tree (401/404 → InvalidToken, 403 →
Forbidden, 400 → BadRequest, 429 → RetryAfter, other statuses and transport failures →
NetworkError, time-outs → TimedOut).
"""

from __future__ import annotations

from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.delivery.errors import (
    ChannelFatal,
    DeliveryError,
    Rejected,
    RetryLater,
    Transient,
    Unreachable,
)

# 400s that mean the chat is gone rather than that the message is wrong.
GONE = ("chat not found", "user is deactivated", "bot was kicked", "not enough rights")


def delivery_error(err: TelegramError) -> DeliveryError | ChannelFatal:
    message = str(err)
    if isinstance(err, RetryAfter):
        wait = err.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return RetryLater(message, seconds)
    if isinstance(err, InvalidToken):
        return ChannelFatal(f"Telegram rejected the bot token ({message})")
    if isinstance(err, Forbidden):
        return Unreachable(message)
    if isinstance(err, ChatMigrated):
        return Rejected(f"the group became a supergroup with id {err.new_chat_id}")
    if isinstance(err, BadRequest):
        if any(gone in message.lower() for gone in GONE):
            return Unreachable(message)
        return Rejected(message)
    return Transient(message)


def is_transient(err: BaseException) -> bool:
    """Worth retrying at start: the network, a server error, a 429; not a bad token."""
    return isinstance(err, NetworkError | RetryAfter) and not isinstance(err, BadRequest)
