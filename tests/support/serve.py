"""Serve the bot's Starlette app with a real uvicorn on 127.0.0.1, on the test's own loop."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.types import ASGIApp

from bot.web.server import HEADER_SECONDS as HEAD_DEFAULT
from bot.web.server import server_config


@contextlib.asynccontextmanager
async def serve(app: ASGIApp, *, header_seconds: float = HEAD_DEFAULT) -> AsyncIterator[str]:
    """Yield the base URL while uvicorn answers on a free port; close everything after."""
    # IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted sockets (no delayed-ACK stalls).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The bot's own server configuration (its limits), on the socket bound here.
    config = server_config(
        app,
        host="127.0.0.1",
        port=port,
        max_connections=500,
        header_seconds=header_seconds,
        log_config=None,
        access_log=False,
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for listener in server.servers:
            listener.close()
        for connection in list(server.server_state.connections):
            connection.shutdown()
        for listener in server.servers:
            await listener.wait_closed()
        sock.close()
