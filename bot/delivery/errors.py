"""What can go wrong delivering a message, in channel-neutral terms.

Each channel maps its own errors to these (Telegram's 429, 5xx, 403, 400, 401; Zalo's
error codes), so the sender has one policy for all of them.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered this time; `reason` is kept with the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    """The chat app asks to wait (Telegram's 429): only this chat waits `retry_after` s."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Transient(DeliveryError):
    """A server error, a time-out, a lost connection: back off and try again."""


class Unreachable(DeliveryError):
    """The person blocked the bot or the bot left the group: stop sending to the chat
    until it writes again."""


class Rejected(DeliveryError):
    """The chat app refuses this message for good (too long, cannot parse, file too
    big): recorded with the reason, never retried."""


class Elsewhere(DeliveryError):
    """This chat app cannot reach the person for free now (Zalo outside its window), and
    the message names another of their accounts (`Envelope.fallback`): it goes there."""


class ChannelFatal(Exception):
    """The channel cannot go on at all (the token was revoked): the process must stop
    with a clear message and a non-zero exit, so that a supervisor restarts or alerts."""
