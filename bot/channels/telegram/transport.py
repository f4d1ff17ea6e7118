"""python-telegram-bot's HTTP over aiohttp, with JSON bodies.

PTB lets a bot bring its own networking backend (a `BaseRequest`); its default is httpx.
Measured against the fake Bot API on loopback (`bench/telegram_http.py`), a sendMessage
through httpx costs more than twice the CPU it costs through this class, and the sends
were most of what an answer cost. PTB still builds the requests, reads the answers and
raises its own errors (`_request_wrapper` turns status codes into `BadRequest`,
`RetryAfter`, `InvalidToken`…); this class only moves bytes, and turns aiohttp's errors
into PTB's `TimedOut` and `NetworkError`, as PTB's own httpx backend does. A request
without files goes as one JSON body, which the Bot API accepts for every method:
percent-encoding a form, as PTB does, costs more than the rest of the request for a long
Vietnamese answer.
"""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# What PTB passes for a timeout the caller left unset (`BaseRequest.DEFAULT_NONE`).
_UNSET = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """At most `connections` requests at once over kept-alive connections.

    Timeouts mean what PTB's defaults mean (seconds): `connect` for a new connection,
    `read` between bytes of the answer, `pool` for a free connection. aiohttp has no
    write timeout of its own; a stalled upload ends at the read timeout.
    """

    def __init__(
        self,
        connections: int,
        *,
        read_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 1.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read_timeout if isinstance(read_timeout, _UNSET) else read_timeout
        connect = (self._connect_timeout if isinstance(connect_timeout, _UNSET)
                   else connect_timeout)
        pool = self._pool_timeout if isinstance(pool_timeout, _UNSET) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            # aiohttp's `connect` covers waiting for a free connection and making one.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect, sock_read=read,
        )
        try:
            async with self._session.request(method, url, timeout=timeout,
                                             **_body(request_data)) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's own time-outs are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _body(request_data: RequestData | None) -> dict[str, Any]:
    """The request's body: JSON, or a multipart form when it carries files."""
    if request_data is None:
        return {}
    if not request_data.contains_files:
        return {"data": json.dumps(request_data.parameters, ensure_ascii=False).encode(),
                "headers": {"Content-Type": "application/json"}}
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        filename, content, *mime = upload
        if isinstance(content, bytes):  # aiohttp streams a file, but not bytes, in chunks
            content = io.BytesIO(content)
        form.add_field(name, content, filename=filename,
                       content_type=mime[0] if mime else "application/octet-stream")
    return {"data": form}
