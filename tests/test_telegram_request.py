"""AiohttpRequest: python-telegram-bot's calls on aiohttp, checked on the wire.

A loopback server records what arrives: the same form bytes as PTB's stock HTTPXRequest
sends, uploads as the same multipart fields, the same answers (a Message back), the same
errors (TimedOut, NetworkError), the pool's limit, servers that close connections, and a proxy
named in the environment (and NO_PROXY) honoured as aiohttp honours them.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field

import pytest
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartParser
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels.telegram_http import AiohttpRequest

TOKEN = "123456:TEST"
ME = {"id": 123456, "is_bot": True, "first_name": "Gương Sáng", "username": "guongsang_bot"}
MESSAGE = {"message_id": 7, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "x"}
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@dataclass
class Received:
    """One request as the server read it, and which connection (counted from 1) it came on."""

    path: str
    headers: dict[str, str]
    body: bytes
    connection: int


@dataclass
class RecordingServer:
    """Answers each call with a Message, in the way `mode` says.

    answer: keep-alive answers; close: answer with `Connection: close` and hang up;
    hang_up: read the request and hang up without answering; cut: promise a body and hang up
    halfway; silent: never answer; hold: answer once `release` is set.
    """

    mode: str = "answer"
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = self.connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                path = lines[0].split(" ")[1]
                async with self.arrived:
                    self.received.append(Received(path, headers, body, connection))
                    self.arrived.notify_all()
                if not await self._answer(path, reader, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; whether the connection stays open for the next."""
        if self.mode == "hang_up":
            return False
        if self.mode == "silent":
            await reader.read()  # hold the connection until the client gives up
            return False
        if self.mode == "hold":
            await self.release.wait()
        answer = json.dumps({"ok": True, "result": ME if path.endswith("/getMe") else MESSAGE})
        payload = answer.encode()
        length = len(payload) * (2 if self.mode == "cut" else 1)
        closing = b"Connection: close\r\n" if self.mode == "close" else b""
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + closing
            + f"Content-Length: {length}\r\n\r\n".encode()
            + payload
        )
        await writer.drain()
        return self.mode not in ("close", "cut")

    async def wait_received(self, count: int) -> None:
        """Until `count` requests have arrived."""
        async with self.arrived:
            await self.arrived.wait_for(lambda: len(self.received) >= count)

    @property
    def origin(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/bot"


async def start_server() -> RecordingServer:
    made = RecordingServer()
    made.server = await asyncio.start_server(made.handle, "127.0.0.1", 0)
    return made


@pytest.fixture
async def server() -> AsyncIterator[RecordingServer]:
    made = await start_server()
    assert made.server is not None
    async with made.server:
        yield made


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test names its own proxies; none leak in from the machine running the tests."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def ours(
    read_timeout: float = 5.0, pool_size: int = 2, pool_timeout: float = 5.0
) -> AiohttpRequest:
    return AiohttpRequest(
        connection_pool_size=pool_size,
        read_timeout=read_timeout,
        write_timeout=5.0,
        connect_timeout=5.0,
        pool_timeout=pool_timeout,
    )


async def send_with(request: BaseRequest, base_url: str) -> int:
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="3.yes")]])
        message = await bot.send_message(42, "Xin chào Hoa & An = bạn?", reply_markup=markup)
        return message.message_id


async def upload_with(request: BaseRequest, base_url: str) -> None:
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        await bot.send_document(
            42, b"%PDF-1.4 hello", filename="Báo cáo tháng 5.pdf", caption="Tổng hợp & xuất"
        )


async def form_of(received: Received) -> list[tuple[str, str | None, str | None, bytes]]:
    """A multipart body as a server reads it: (field, file name, content type, content)."""

    async def body() -> AsyncGenerator[bytes, None]:
        yield received.body

    parsed = await MultiPartParser(Headers(received.headers), body()).parse()
    fields: list[tuple[str, str | None, str | None, bytes]] = []
    for name, value in parsed.multi_items():
        if isinstance(value, UploadFile):
            fields.append((name, value.filename, value.content_type, await value.read()))
        else:
            fields.append((name, None, None, value.encode()))
    await parsed.close()
    return sorted(fields)


def calls(server: RecordingServer, method: str) -> list[Received]:
    return [r for r in server.received if r.path.endswith(f"/{method}")]


async def test_calls_arrive_as_the_stock_request_sends_them(server: RecordingServer) -> None:
    assert await send_with(HTTPXRequest(connection_pool_size=2), server.base_url) == 7
    stock = calls(server, "sendMessage")
    server.received.clear()
    assert await send_with(ours(), server.base_url) == 7
    mine = calls(server, "sendMessage")
    assert [r.body for r in mine] == [r.body for r in stock]
    for name in ("content-type", "user-agent", "host", "content-length"):
        assert mine[0].headers[name] == stock[0].headers[name]


async def test_uploads_are_the_stock_multipart_fields(server: RecordingServer) -> None:
    await upload_with(HTTPXRequest(connection_pool_size=2), server.base_url)
    [stock] = calls(server, "sendDocument")
    server.received.clear()
    await upload_with(ours(), server.base_url)
    [mine] = calls(server, "sendDocument")
    assert mine.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert mine.headers["user-agent"] == stock.headers["user-agent"]
    fields = await form_of(mine)
    assert fields == await form_of(stock)
    assert ("document", "Báo cáo tháng 5.pdf", "application/pdf", b"%PDF-1.4 hello") in fields


async def test_calls_share_kept_alive_connections(server: RecordingServer) -> None:
    request = ours()
    async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:
        for _ in range(3):
            await bot.send_message(42, "một")
    assert len(server.received) == 4  # getMe and three sends
    assert server.connections == 1


async def test_a_silent_server_is_a_timeout(server: RecordingServer) -> None:
    request = ours(read_timeout=0.2)
    await request.initialize()
    server.mode = "silent"
    with pytest.raises(TimedOut):
        await request.post(f"{server.base_url}{TOKEN}/sendMessage")
    await request.shutdown()


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = ours()
    await request.initialize()
    with pytest.raises(NetworkError):
        await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    await request.shutdown()


async def test_the_pool_never_opens_more_connections_than_its_size(
    server: RecordingServer,
) -> None:
    server.mode = "hold"
    request = ours(pool_size=2)
    await request.initialize()
    url = f"{server.base_url}{TOKEN}/sendMessage"
    sends = [asyncio.create_task(request.post(url)) for _ in range(5)]
    await server.wait_received(2)
    server.release.set()
    await asyncio.gather(*sends)
    await request.shutdown()
    assert len(server.received) == 5
    assert server.connections == 2


async def test_waiting_too_long_for_a_pooled_connection_is_a_timeout_and_not_sent(
    server: RecordingServer,
) -> None:
    server.mode = "hold"
    request = ours(pool_size=1, pool_timeout=0.1)
    await request.initialize()
    url = f"{server.base_url}{TOKEN}/sendMessage"
    first = asyncio.create_task(request.post(url))
    await server.wait_received(1)
    with pytest.raises(TimedOut):
        await request.post(url, connect_timeout=0.1)
    assert len(server.received) == 1
    server.release.set()
    await first
    await request.shutdown()


async def test_a_server_closing_after_each_answer(server: RecordingServer) -> None:
    server.mode = "close"
    request = ours()
    async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:
        for _ in range(3):
            assert (await bot.send_message(42, "một")).message_id == 7
    assert server.connections == 4


@pytest.mark.parametrize("mode", ["hang_up", "cut"])
async def test_a_connection_lost_mid_call_is_a_network_error_and_the_next_call_works(
    server: RecordingServer, mode: str
) -> None:
    request = ours()
    async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:
        server.mode = mode
        with pytest.raises(NetworkError):
            await bot.send_message(42, "một")
        server.mode = "answer"
        assert (await bot.send_message(42, "hai")).message_id == 7
    assert server.connections == 2


async def test_a_proxy_in_the_environment_is_honoured(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The recording server stands in for the proxy; aiohttp sends it the absolute URL.
    monkeypatch.setenv("HTTP_PROXY", server.origin)
    target = "http://api.telegram.example/bot"
    assert await send_with(ours(), target) == 7
    assert f"{target}{TOKEN}/sendMessage" in [r.path for r in server.received]


async def test_no_proxy_exempts_a_host_from_the_proxy(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = await start_server()
    assert proxy.server is not None
    async with proxy.server:
        monkeypatch.setenv("HTTP_PROXY", proxy.origin)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert await send_with(ours(), server.base_url) == 7
    assert proxy.received == []
    assert [r.path for r in calls(server, "sendMessage")] == [f"/bot{TOKEN}/sendMessage"]


async def test_no_proxy_alone_changes_nothing(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await send_with(ours(), server.base_url) == 7
    plain = [(r.path, r.headers, r.body) for r in server.received]
    server.received.clear()
    monkeypatch.setenv("NO_PROXY", "example.org")
    assert await send_with(ours(), server.base_url) == 7
    assert [(r.path, r.headers, r.body) for r in server.received] == plain
