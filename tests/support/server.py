"""A real uvicorn server on 127.0.0.1, running as a task in the test's own event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from bot.web.server import server_config

# Only a safety net: a request still running at shutdown is cancelled after this long.
GRACE_SECONDS = 5


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port; yield its base URL; stop the server on exit."""
    # Bind first and hand the socket over, so no other process can take the port in between.
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = server_config(
        app,
        host="127.0.0.1",
        port=port,
        max_connections=500,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    config.load()
    server = uvicorn.Server(config)
    # Server.serve() minus its signal capture (pytest keeps Ctrl-C); startup() returns
    # once the socket listens, so nothing has to poll for readiness.
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    loop = asyncio.create_task(server.main_loop(), name="uvicorn")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await loop
        await server.shutdown(sockets=[sock])
