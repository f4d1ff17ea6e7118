"""The webhook's secret token."""

from __future__ import annotations

import secrets

from bot.config import TelegramSection


def webhook_secret(section: TelegramSection) -> str:
    """The configured secret, or a fresh random one (Telegram is told it at every start)."""
    return section.webhook_secret or secrets.token_urlsafe(32)
