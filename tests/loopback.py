"""An HTTP server on a free loopback port, for the fake chat-app APIs."""

from __future__ import annotations

import tornado.httpserver
import tornado.netutil
import tornado.web


class LoopbackServer:
    def __init__(self, app: tornado.web.Application) -> None:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port: int = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def close(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
