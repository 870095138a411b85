"""CPU per Telegram call through python-telegram-bot, for each request class under `Bot`.

Each call is `Bot.send_message` with a one-button keyboard (the bot's commonest call), answered
at once by a minimal keep-alive HTTP server in a child process, so its CPU is not counted.
Client CPU (user + system of this process) divided by calls, `--in-flight` calls at a time.
The variants run interleaved, `--runs` times each; medians are printed.

- `ptb-only`: a request that answers without any network: PTB's own share of a call
  (encoding the parameters, parsing the JSON answer, building the Message);
- `aiohttp`: the bot's `AiohttpRequest`;
- `aiohttp+env`: the same with a proxy named in the environment (NO_PROXY exempts the server),
  which turns aiohttp's `trust_env` on: the environment and ~/.netrc are read in threads on
  every call;
- `httpx`: PTB's stock `HTTPXRequest`.

    python -m bench.telegram_request [--calls 3000] [--in-flight 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.channels.telegram_http import AiohttpRequest

TOKEN = "123456:BENCH"
MESSAGE = {
    "message_id": 7,
    "date": 1_700_000_000,
    "chat": {"id": 42, "type": "private", "first_name": "Lan"},
    "from": {"id": 123456, "is_bot": True, "first_name": "Gương Sáng"},
    "text": "Bạn đề cử ai?",
    "reply_markup": {"inline_keyboard": [[{"text": "Có", "callback_data": "3.yes"}]]},
}
ME = {"id": 123456, "is_bot": True, "first_name": "Gương Sáng", "username": "guongsang_bot"}


def answer(result: object) -> bytes:
    """A keep-alive HTTP/1.1 answer carrying a Bot API result."""
    body = json.dumps({"ok": True, "result": result}).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


class Answering(asyncio.Protocol):
    """Answers each request on a connection as soon as its body has arrived."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n"):
                if line.startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            assert self.transport is not None
            self.transport.write(answer(ME) if "/getme " in head else answer(MESSAGE))


async def serve() -> None:
    """The child process: print the port, answer until stdin closes."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Answering, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.to_thread(sys.stdin.read)
    server.close()


class PtbOnly(BaseRequest):
    """Answers every call at once without a network: what PTB itself costs per call."""

    def __init__(self) -> None:
        self._me, self._message = answer(ME), answer(MESSAGE)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None:
            request_data.json_payload  # noqa: B018 (encoded as a real request would)
        body = self._me if url.endswith("/getMe") else self._message
        return 200, body.split(b"\r\n\r\n", 1)[1]


def ours(size: int) -> BaseRequest:
    return AiohttpRequest(
        connection_pool_size=size,
        read_timeout=15.0,
        write_timeout=15.0,
        connect_timeout=5.0,
        pool_timeout=10.0,
    )


VARIANTS: dict[str, Callable[[int], BaseRequest]] = {
    "ptb-only": lambda size: PtbOnly(),
    "aiohttp": ours,
    "aiohttp+env": ours,
    "httpx": lambda size: HTTPXRequest(connection_pool_size=size),
}


# A proxy named in the environment that does not apply to the server (NO_PROXY).
PROXY_ENV = {"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}


async def one_run(name: str, port: int, calls: int, flight: int) -> float:
    """Microseconds of this process's CPU per call."""
    saved = dict(os.environ)
    if name.endswith("+env"):
        os.environ.update(PROXY_ENV)
    try:
        return await measure(VARIANTS[name], port, calls, flight)
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def measure(make: Callable[[int], BaseRequest], port: int, calls: int, flight: int) -> float:
    """Microseconds of this process's CPU per call, after a first round to warm up."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="3.yes")]])
    async with Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=make(flight)) as bot:
        left = calls

        async def sender() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await bot.send_message(42, "Bạn đề cử ai? Hãy chọn một.", reply_markup=markup)

        await asyncio.gather(*(sender() for _ in range(flight)))  # warm: connections, caches
        left = calls
        started = time.process_time()
        await asyncio.gather(*(sender() for _ in range(flight)))
        return (time.process_time() - started) / calls * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--in-flight", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        await serve()
        return
    child = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
        [sys.executable, "-m", "bench.telegram_request", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdin is not None
    port = int(child.stdout.readline())
    results: dict[str, list[float]] = {name: [] for name in VARIANTS}
    try:
        for _ in range(args.runs):
            for name in VARIANTS:
                results[name].append(await one_run(name, port, args.calls, args.in_flight))
    finally:
        child.stdin.close()
        child.wait()
    print(f"{args.calls} sendMessage calls, {args.in_flight} in flight, medians of {args.runs}")
    base = statistics.median(results["ptb-only"])
    print(f"{'request':14}{'CPU µs/call':>13}{'minus PTB':>11}   runs")
    for name, values in results.items():
        mid = statistics.median(values)
        runs = " / ".join(f"{v:.0f}" for v in values)
        print(f"{name:14}{mid:13.1f}{mid - base:11.1f}   {runs}")


if __name__ == "__main__":
    asyncio.run(main())
