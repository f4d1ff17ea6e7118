"""The OA Open API calls the channel makes, over httpx.

Zalo answers HTTP 200 with `{"error": code, "message": …}` for most failures, so a
non-zero `error` becomes `ZaloApiError`; the token endpoint's own failures
(`error_name`, `error_description`) become `TokenRejected`. Secrets and tokens travel
in headers and form bodies, never in addresses, so no request line can leak them. Each
call has its own connection: a channel stopping while the outbox drains never meets a
closed client, and a few messages a second need no pool.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

API_HOST = "https://openapi.zalo.me"
OAUTH_HOST = "https://oauth.zaloapp.com"
ZNS_HOST = "https://business.openapi.zalo.me"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# An upload carries up to a few megabytes.
UPLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
# The refresh call is capped harder: a refresh that hangs holds every sender waiting.
TOKEN_TIMEOUT = httpx.Timeout(12.0, connect=5.0)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every call: loading the system's certificates is the slow part
    of a new client."""
    return ssl.create_default_context()


def _client(timeout: httpx.Timeout) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout, verify=_tls())


class ZaloApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message


class TokenRejected(Exception):
    """The token endpoint refused the code or refresh token (spent, expired, revoked)."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: float

    def expires_at(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.expires_in)


class ZaloApi:
    def __init__(self, app_id: str, app_secret: str, api_base: str = "") -> None:
        base = api_base.rstrip("/")
        self._api = base or API_HOST
        self._oauth = base or OAUTH_HOST
        self._zns = base or ZNS_HOST
        self._app_id = app_id
        self._app_secret = app_secret

    async def authorise(self, code: str, code_verifier: str = "") -> TokenPair:
        form = {"code": code, "app_id": self._app_id, "grant_type": "authorization_code"}
        if code_verifier:
            form["code_verifier"] = code_verifier
        return await self._token(form)

    async def refresh(self, refresh_token: str) -> TokenPair:
        return await self._token({"refresh_token": refresh_token, "app_id": self._app_id,
                                  "grant_type": "refresh_token"})

    async def send_cs(self, access_token: str, user_id: str, message: dict[str, Any]) -> str:
        """A customer-support message; the message id Zalo gave it."""
        data = await self._call(f"{self._api}/v3.0/oa/message/cs", access_token,
                                {"recipient": {"user_id": user_id}, "message": message})
        return str(data.get("message_id", ""))

    async def upload(self, access_token: str, kind: str, name: str, content: bytes) -> str:
        """An `image` (Zalo answers an attachment id) or a `file` (a token) uploaded, to
        send in a customer-support message."""
        async with _client(UPLOAD_TIMEOUT) as client:
            response = await client.post(f"{self._api}/v2.0/oa/upload/{kind}",
                                         files={"file": (name, content)},
                                         headers={"access_token": access_token})
        data = _data(response)
        return str(data.get("attachment_id" if kind == "image" else "token", ""))

    async def send_zns(
        self, access_token: str, phone: str, template_id: str, template_data: dict[str, str],
        tracking_id: str,
    ) -> str:
        """A ZNS template message to a phone number (charged per message delivered)."""
        data = await self._call(f"{self._zns}/message/template", access_token,
                                {"phone": phone, "template_id": template_id,
                                 "template_data": template_data, "tracking_id": tracking_id})
        return str(data.get("msg_id", ""))

    async def _token(self, form: dict[str, str]) -> TokenPair:
        async with _client(TOKEN_TIMEOUT) as client:
            response = await client.post(f"{self._oauth}/v4/oa/access_token", data=form,
                                         headers={"secret_key": self._app_secret})
        if response.status_code >= 500:
            response.raise_for_status()
        body = _json(response)
        if "access_token" not in body or "refresh_token" not in body:
            # Only the error's code and name: the rest may echo what was sent.
            raise TokenRejected(f"error {body.get('error', response.status_code)} "
                                f"{body.get('error_name', '')}".strip())
        return TokenPair(str(body["access_token"]), str(body["refresh_token"]),
                         float(body.get("expires_in", 3600)))

    async def _call(self, url: str, access_token: str, body: dict[str, Any]) -> dict[str, Any]:
        async with _client(TIMEOUT) as client:
            response = await client.post(url, json=body, headers={"access_token": access_token})
        return _data(response)


def _data(response: httpx.Response) -> dict[str, Any]:
    """The `data` of a call's answer; a non-zero `error` raises `ZaloApiError`."""
    if response.status_code >= 500:
        response.raise_for_status()
    answer = _json(response)
    code = int(answer.get("error", 0) or 0)
    if code != 0:
        raise ZaloApiError(code, str(answer.get("message", "")))
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def _json(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object; an answer that is not one (a proxy's error page) is a
    transport problem, retried like a time-out."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise httpx.DecodingError(f"HTTP {response.status_code}: not a JSON object",
                                  request=response.request)
    return body
