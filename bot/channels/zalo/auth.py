"""`commune-bot zalo auth`: exchange a code (or a first refresh token) for the OA's
token pair and store it, ending any "re-authorise" state.

The running bot may be serving meanwhile (admin commands take no instance lock): the
pair is written in one transaction, and the channel reads the token from the database
at every call.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from bot.channels.zalo.api import TokenRejected, ZaloApi
from bot.config import Config
from bot.storage import Storage


async def authorise(
    config: Config, code: str | None, refresh_token: str | None, code_verifier: str = ""
) -> tuple[str, bool]:
    """(what to print, success). Nothing secret is printed."""
    section = config.zalo
    api = ZaloApi(section.app_id, section.app_secret, section.api_base)
    try:
        if code:
            pair = await api.authorise(code, code_verifier)
        else:
            pair = await api.refresh(refresh_token or "")
    except TokenRejected as err:
        return f"error: Zalo refused the {'code' if code else 'refresh token'} ({err})", False
    except httpx.HTTPError as err:
        return f"error: cannot reach Zalo's token endpoint ({type(err).__name__})", False
    now = datetime.now(UTC)
    storage = await Storage.open(config.database_path)
    try:
        await storage.zalo_tokens.store(section.app_id, pair.access_token, pair.refresh_token,
                                        pair.expires_at(now), now)
    finally:
        await storage.close()
    hours = pair.expires_in / 3600
    return (f"Zalo token stored for app {section.app_id}: the access token is valid for "
            f"{hours:.0f} h and is renewed by the bot; restart the bot if its Zalo channel "
            "had stopped"), True
