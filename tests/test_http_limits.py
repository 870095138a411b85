"""The server's own limits, over real sockets: a request head must arrive whole in time, a body
must keep arriving, and oversized bodies posted concurrently leave the process's memory flat."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import Application
from bot.settings import Settings
from tests.support.bot_process import BotProcess
from tests.support.chat import ChatClient
from tests.support.serve import serve

HEAD_SECONDS = 0.3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"web_body_idle_seconds": 0.3})


async def connect(base: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))


async def test_idle_and_half_sent_requests_are_closed(
    app: Application, chat: Callable[..., ChatClient]
) -> None:
    guest = chat("guest")
    await guest.open()
    cookie = f"{app.sessions.cookie}={guest.token}"
    async with serve(app.http, header_seconds=HEAD_SECONDS) as base:
        idle_reader, idle = await connect(base)
        half_reader, half = await connect(base)
        half.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never finished
        await half.drain()
        body_reader, body = await connect(base)
        body.write(
            f"POST /api/send HTTP/1.1\r\nHost: {base.split('//', 1)[1]}\r\nOrigin: {base}\r\n"
            f"Cookie: {cookie}\r\nContent-Type: application/json\r\n"
            'Content-Length: 1000\r\n\r\n{"text": '.encode()
        )
        await body.drain()
        # Each is ended by the server, not by us: EOF (or a 408 for the body) arrives.
        assert await asyncio.wait_for(idle_reader.read(), 10) == b""
        assert await asyncio.wait_for(half_reader.read(), 10) == b""
        answer = await asyncio.wait_for(body_reader.read(), 10)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:40]
        for writer in (idle, half, body):
            writer.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def post_oversized(port: int, path: str, size: int) -> int:
    """Declare a huge body and start sending it; the answer comes before the server reads it.
    Then keep pushing up to 8 MiB more, which the server must neither read nor keep."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode()
        + b"x" * 65536
    )
    status = await asyncio.wait_for(reader.readline(), 5)
    try:
        for _ in range(128):
            writer.write(b"x" * 65536)
            await asyncio.wait_for(writer.drain(), 2)
    except (ConnectionError, TimeoutError):
        pass  # the server closed the connection: what we want
    writer.close()
    return int(status.split()[1])


async def test_oversized_bodies_posted_concurrently_keep_memory_flat(
    tmp_path: Path, database_url: str
) -> None:
    bot = BotProcess(tmp_path, database_url)
    await bot.start()
    try:
        assert bot.proc is not None
        before = rss_kib(bot.proc.pid)
        paths = ["/api/send", "/api/upload", "/zalo/oa/webhook", "/telegram/webhook"] * 10
        statuses = await asyncio.gather(
            *(post_oversized(bot.port, path, 150 * 1024 * 1024) for path in paths)
        )
        after = rss_kib(bot.proc.pid)
    finally:
        await bot.stop()
    assert statuses == [413] * 40
    # 40 × 150 MB declared: the process grew by less than 40 MB (it read none of it).
    assert after - before < 40 * 1024, f"RSS {before} KiB -> {after} KiB"
    print(f"RSS before {before} KiB, after 40 oversized posts {after} KiB")


async def answer_to(base: str, head: bytes, *, chunk: int = 0) -> bytes:
    """Send a request head (in pieces of `chunk` bytes, 0: at once) and read to EOF."""
    reader, writer = await connect(base)
    pieces = [head[i : i + chunk] for i in range(0, len(head), chunk)] if chunk else [head]
    try:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
    except ConnectionError:
        pass  # closed by the server part-way: what it said is still there to read
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


async def test_request_heads_over_the_bound_are_refused(app: Application) -> None:
    host = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    async with serve(app.http) as base:
        # Within the bound: served.
        fine = host + b"X-Pad: " + b"a" * 12_000 + b"\r\nConnection: close\r\n\r\n"
        assert (await answer_to(base, fine)).startswith(b"HTTP/1.1 200")
        # Many headers, each small, arriving at once: refused when the head is whole.
        many = host + b"".join(b"X-%d: %s\r\n" % (n, b"b" * 100) for n in range(200)) + b"\r\n"
        assert (await answer_to(base, many)).startswith(b"HTTP/1.1 431")
        # One header that never ends, sent in pieces: refused before it reaches 64 KiB,
        # not kept growing in memory (the parser holds a header's pieces until it ends).
        endless = host + b"X-Endless: " + b"c" * (1024 * 1024)
        answer = await answer_to(base, endless, chunk=4096)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:40]
        # A pipelined second request behind one being served is bounded too.
        pipelined = fine.replace(b"Connection: close\r\n", b"") + endless
        answer = await answer_to(base, pipelined, chunk=4096)
        assert answer.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 431" in answer, answer[-80:]
