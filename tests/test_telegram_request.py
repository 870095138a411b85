"""LeanRequest: python-telegram-bot calls without files go on our HTTP/1.1 pool (http11.py).

Checked against a loopback server that records what arrives: the same bytes as PTB's stock
HTTPXRequest sends, the same answers (a Message back), and the same errors (TimedOut for a
server that does not answer in time, NetworkError for one that is not there). Uploads still
take httpx's multipart path, and so does every call when the environment names a proxy.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels.telegram_http import LeanRequest

TOKEN = "123456:TEST"
ME = {"id": 123456, "is_bot": True, "first_name": "Gương Sáng", "username": "guongsang_bot"}
MESSAGE = {"message_id": 7, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "x"}


@dataclass
class Received:
    """One request as the server read it."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingServer:
    """Answers every call with a Message, or never answers when `silent`."""

    silent: bool = False
    received: list[Received] = field(default_factory=list)
    server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.received.append(Received(lines[0].split(" ")[1], headers, body))
                if self.silent:
                    await reader.read()  # hold the connection until the client gives up
                    return
                result = ME if lines[0].split(" ")[1].endswith("/getMe") else MESSAGE
                answer = json.dumps({"ok": True, "result": result}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(answer)}\r\n\r\n".encode()
                    + answer
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/bot"


@pytest.fixture
async def server() -> AsyncIterator[RecordingServer]:
    made = RecordingServer()
    made.server = await asyncio.start_server(made.handle, "127.0.0.1", 0)
    async with made.server:
        yield made


def lean(read_timeout: float = 5.0) -> LeanRequest:
    return LeanRequest(
        connection_pool_size=2,
        read_timeout=read_timeout,
        write_timeout=5.0,
        connect_timeout=5.0,
        pool_timeout=5.0,
    )


async def send_with(request: BaseRequest, base_url: str) -> int:
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="3.yes")]])
        message = await bot.send_message(42, "Xin chào Hoa & An = bạn?", reply_markup=markup)
        return message.message_id


async def test_calls_arrive_as_the_stock_request_sends_them(server: RecordingServer) -> None:
    assert await send_with(HTTPXRequest(connection_pool_size=2), server.base_url) == 7
    stock = [r for r in server.received if r.path.endswith("/sendMessage")]
    server.received.clear()
    assert await send_with(lean(), server.base_url) == 7
    ours = [r for r in server.received if r.path.endswith("/sendMessage")]
    assert [r.body for r in ours] == [r.body for r in stock]
    for name in ("content-type", "user-agent", "host", "content-length"):
        assert ours[0].headers[name] == stock[0].headers[name]


async def test_uploads_take_the_multipart_path(server: RecordingServer) -> None:
    async with Bot(TOKEN, base_url=server.base_url, request=lean()) as bot:
        await bot.send_document(42, b"%PDF-1.4 hello", filename="don.pdf")
    [upload] = [r for r in server.received if r.path.endswith("/sendDocument")]
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b"%PDF-1.4 hello" in upload.body


async def test_a_silent_server_is_a_timeout(server: RecordingServer) -> None:
    request = lean(read_timeout=0.2)
    await request.initialize()
    server.silent = True
    with pytest.raises(TimedOut):
        await request.post(f"{server.base_url}{TOKEN}/sendMessage")
    await request.shutdown()


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = lean()
    await request.initialize()
    with pytest.raises(NetworkError):
        await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    await request.shutdown()


async def test_a_proxy_in_the_environment_is_honoured(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The recording server stands in for the proxy; httpx sends it the absolute URL.
    proxy = server.base_url.removesuffix("/bot")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "")
    target = "http://api.telegram.example/bot"
    assert await send_with(lean(), target) == 7
    paths = [r.path for r in server.received]
    assert f"{target}{TOKEN}/sendMessage" in paths
