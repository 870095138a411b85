"""uvicorn with its limits set: keep-alive, header size and time, concurrent connections.

uvicorn arms no timer on a new connection, and any byte received cancels its keep-alive
timer, so a client that never finishes its request line and headers is held for ever. The
protocol below closes a connection whose request head has not arrived whole in time, and
answers 431 to a head larger than MAX_HEADER_BYTES (httptools, unlike h11, sets no bound
of its own: a header that never ends would grow in memory).

The protocol is uvicorn's httptools one (the C parser Node.js uses): h11, pure Python,
was a tenth of the bot's CPU per web chat step (a CPU-time sampler in bench.instances);
with httptools a step took 5-10 % less of the bot's CPU on both engines (bench.conversation
and bench.instances side by side with h11).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

KEEP_ALIVE_SECONDS = 5
# The request line and headers must arrive whole within this time (slow-header clients).
HEADER_SECONDS = 10.0
# Largest request head accepted (h11's default, which the bot used before httptools).
MAX_HEADER_BYTES = 16 * 1024
# How long a refused client may go on sending (read and dropped) before the connection
# closes: closing with its bytes unread would reset the connection and lose the answer.
LINGER_SECONDS = 2.0
# The response to a head over the bound (RFC 6585); the connection closes after it.
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
    b"connection: close\r\n\r\n"
)


class _HeadTooLarge(Exception):
    """Raised inside a parser callback; uvicorn turns it into its 400, replaced by 431."""


class BoundedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus a deadline and a size bound for each request's head."""

    header_seconds = HEADER_SECONDS
    max_head_bytes = MAX_HEADER_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        # Between a request's first byte and its last header (pipelined ones included).
        self._in_head = False
        self._head_parsed = 0  # the URL's and headers' bytes the parser handed over
        self._head_received = 0  # bytes received while a head was incomplete
        self._too_large = False
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send a whole request head within HEADER_SECONDS."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Once a request's head is whole (a cycle runs), its deadline is off. A head still
        incomplete counts every byte received meanwhile: the parser keeps a header's
        pieces to itself until the header ends."""
        if self._refused:
            return  # the answer is out; what follows is dropped until the client closes
        super().data_received(data)
        if self._refused or self.transport.is_closing():
            return
        if self._in_head:
            self._head_received += len(data)
            if self._head_received > self.max_head_bytes:
                self._refuse()
                return
        if self._waiting_for_head():
            return
        self._disarm()

    def on_message_begin(self) -> None:
        """A request's first byte: its head is counted from here."""
        super().on_message_begin()
        self._in_head = True
        self._head_parsed = self._head_received = 0

    def on_url(self, url: bytes) -> None:
        """Part of the request line: counted against the bound."""
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        """A whole header (name, ": ", value, CRLF): counted against the bound."""
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The head is whole: the request runs."""
        self._in_head = False
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse; 431 when the head was too large."""
        if self._too_large:
            self._refuse()
            return
        super().send_400_response(msg)

    def _count(self, size: int) -> None:
        self._head_parsed += size
        if self._head_parsed > self.max_head_bytes:
            self._too_large = True
            raise _HeadTooLarge

    def _refuse(self) -> None:
        """No more requests from this connection: answer 431 after those it sent before."""
        self._disarm()
        self._refused = True
        self._answer_refusal()

    def _answer_refusal(self) -> None:
        """Answer 431 and close our side, unless a pipelined request before it is still to be
        answered. The client's next bytes are read and dropped, for LINGER_SECONDS at most,
        so that the answer reaches it (closing with its bytes unread would reset it)."""
        if self.cycle is not None and not self.cycle.response_complete:
            return  # on_response_complete comes back here
        self._disarm()
        self.transport.write(_TOO_LARGE)
        self.transport.write_eof()
        self._head_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def on_response_complete(self) -> None:
        """The next request on a kept-alive connection gets its own deadline (or, behind a
        refused head, the refusal goes out once the answers before it have)."""
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self._refused:
            self._answer_refusal()
            return
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
    protocol = type("BoundedProtocol", (BoundedProtocol,), {"header_seconds": header_seconds})
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        ws="none",
        lifespan="off",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=max_connections,
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
