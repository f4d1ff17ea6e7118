"""The webhook signature: `X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret)`.

A plain SHA-256 of the concatenation (not an HMAC), over the raw bytes as received,
with the OA Secret Key (not the App Secret) and the `timestamp` field of the body.
Events older than the replay window are refused, so a captured request cannot be
played again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

HEADER = "X-ZEvent-Signature"
REPLAY_WINDOW_MS = 5 * 60 * 1000


def mac(app_id: str, raw: bytes, timestamp: str, oa_secret: str) -> str:
    """The hex digest Zalo sends after `mac=`."""
    signed = app_id.encode() + raw + timestamp.encode() + oa_secret.encode()
    return hashlib.sha256(signed).hexdigest()


def verified_event(
    raw: bytes, header: str, app_id: str, oa_secret: str, now_ms: int
) -> dict[str, Any] | None:
    """The event a request carries when its signature is good and it is recent; else None."""
    try:
        event = json.loads(raw)
        # Through an integer, so that a JSON number gives the digits that were signed.
        timestamp = str(int(event["timestamp"]))
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(event, dict):
        return None
    expected = f"mac={mac(app_id, raw, timestamp, oa_secret)}"
    if not hmac.compare_digest(header.strip().encode(), expected.encode()):
        return None
    if abs(now_ms - int(timestamp)) > REPLAY_WINDOW_MS:
        return None
    return event
