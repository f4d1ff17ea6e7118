"""Keep the bot token (and webhook secret) out of every log line.

The token is part of every Bot API address, so httpx's request lines and some network
errors carry it; anyone with the logs could then act as the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

REDACTED = "[REDACTED]"


class SecretRedactor(logging.Filter):
    """Replaces the secrets in a record's message, exception text and stack."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for the handler to report
            return True
        if self._has_secret(message):
            record.msg, record.args = self._redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _has_secret(self, text: str) -> bool:
        return any(secret in text for secret in self._secrets)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


@contextmanager
def redacted_logs(*secrets: str) -> Iterator[SecretRedactor]:
    """Filter every handler of the root logger (where all records end up) while active."""
    redactor = SecretRedactor(*secrets)
    handlers = [*logging.getLogger().handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        handler.addFilter(redactor)
    try:
        yield redactor
    finally:
        for handler in handlers:
            handler.removeFilter(redactor)
