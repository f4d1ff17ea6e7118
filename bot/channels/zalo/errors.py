"""Zalo's error codes → the channel-neutral delivery errors.

The codes come from secondary sources (see the README's "Zalo" section): -216 and
-220 are an invalid access token (refreshed once by the channel, then retried); -32 is
the app's call limit (back off); -211 and -218 are the OA's and the person's quotas
(wait); -213, -227, -230, -232 and -244 mean the person cannot be reached on Zalo now
(not following, inactive, outside the interaction window, refused the kind): recorded
with the reason and never retried in a loop. Anything else refuses the message.
"""

from __future__ import annotations

import httpx

from bot.channels.zalo.api import ZaloApiError
from bot.delivery.errors import DeliveryError, Rejected, RetryLater, Transient, Unreachable

TOKEN_INVALID = frozenset({-216, -220})
BACK_OFF = frozenset({-32})
QUOTA = frozenset({-211, -218})
UNREACHABLE = frozenset({-213, -227, -230, -232, -244})
QUOTA_WAIT_SECONDS = 15 * 60


def delivery_error(err: Exception) -> DeliveryError:
    if isinstance(err, ZaloApiError):
        reason = f"Zalo {err.code}: {err.message}"
        if err.code in BACK_OFF or err.code in TOKEN_INVALID:
            return Transient(reason)
        if err.code in QUOTA:
            return RetryLater(reason, QUOTA_WAIT_SECONDS)
        if err.code in UNREACHABLE:
            return Unreachable(reason)
        return Rejected(reason)
    if isinstance(err, httpx.HTTPError):
        return Transient(f"{type(err).__name__}: {err}")
    raise err
