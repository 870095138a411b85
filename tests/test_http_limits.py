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
