"""The pooled HTTP transport under python-telegram-bot (bot/channels/telegram_http.py).

Its connections answer httpcore's "has the server closed me?" question from a socket kept at
connect time; a wrong answer would send the next request down a dead connection. A loopback
server that closes every connection after one response checks that each request still gets
through, on a fresh connection, and that a pool of one is reused while the server keeps it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.channels.telegram_http import PooledTransport

RESPONSE = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
)


class OneShotServer:
    """Answers each request; closes the connection after it when `close_after` is set."""

    def __init__(self, close_after: bool) -> None:
        self.close_after = close_after
        self.connections = 0
        self.closed = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                writer.write(RESPONSE)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            await writer.wait_closed()
            self.closed.set()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/botTOKEN/sendMessage"


@pytest.fixture(params=[True, False], ids=["server-closes", "keep-alive"])
async def server(request: pytest.FixtureRequest) -> AsyncIterator[OneShotServer]:
    made = OneShotServer(close_after=bool(request.param))
    made.server = await asyncio.start_server(made.handle, "127.0.0.1", 0)
    async with made.server:
        yield made


async def test_every_request_gets_through_and_live_connections_are_reused(
    server: OneShotServer,
) -> None:
    transport = PooledTransport(httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(5):
            response = await client.post(server.url, json={"chat_id": 1, "text": "x"})
            assert response.json() == {"ok": True}
            if server.close_after:  # the close has reached our socket before the next request
                await server.closed.wait()
                server.closed.clear()
    assert server.connections == (5 if server.close_after else 1)
