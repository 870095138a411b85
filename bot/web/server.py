"""uvicorn with its limits set: keep-alive, header size and time, concurrent connections.

uvicorn arms no timer on a new connection, and any byte received cancels its keep-alive
timer, so a client that never finishes its request line and headers is held for ever. The
protocol below closes a connection whose request head has not arrived whole in time.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

KEEP_ALIVE_SECONDS = 5
# The request line and headers must arrive whole within this time (slow-header clients).
HEADER_SECONDS = 10.0
# Largest request head uvicorn buffers (h11's own default, made explicit).
MAX_HEADER_BYTES = 16 * 1024


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for each request's head."""

    header_seconds = HEADER_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send a whole request head within HEADER_SECONDS."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Once a request's head is whole (a cycle runs), its deadline is off."""
        super().data_received(data)
        if self._waiting_for_head():
            return
        self._disarm()

    def on_response_complete(self) -> None:
        """The next request on a kept-alive connection gets its own deadline."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """No timer outlives its connection."""
        self._disarm()
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_seconds, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()


def server_config(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    max_connections: int,
    header_seconds: float = HEADER_SECONDS,
    **extra: Any,
) -> uvicorn.Config:
    """The uvicorn configuration the bot runs with (tests use it too)."""
    protocol = type("BoundedH11Protocol", (BoundedH11Protocol,), {"header_seconds": header_seconds})
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        ws="none",
        lifespan="off",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=max_connections,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        server_header=False,
        **extra,
    )


def settle() -> None:
    """Once the bot has started: what it holds (modules, settings, templates, the catalog)
    lives as long as the process, so it is frozen and Python's full collections no longer
    walk it. A full collection of a started bot took 300 ms on a loaded 2-core machine, the
    event loop and every reply stopped meanwhile (bench/purge.py met one inside a batch)."""
    gc.collect()
    gc.freeze()
