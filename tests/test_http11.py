"""The small HTTP/1.1 client under the Telegram adapter (bot/channels/http11.py).

The parser is fed real response bytes, whole and one byte at a time; the pool talks to
loopback servers (plain and TLS) that answer, close, stall or die in the ways a Bot API server
and the network between can.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.channels.http11 import (
    BadResponse,
    ConnectFailed,
    Disconnected,
    Http11Pool,
    PoolTimeout,
    ReadTimeout,
    Response,
    ResponseParser,
    Timeouts,
)

BODY = b'{"ok":true,"result":{"message_id":7}}'
PLAIN = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"a;name=value\r\n" + BODY[:10] + b"\r\n"
    b"%x\r\n" % (len(BODY) - 10) + BODY[10:] + b"\r\n"
    b"0\r\nX-Trailer: yes\r\n\r\n"
)
QUICK = Timeouts(connect=2.0, read=2.0, write=2.0, pool=2.0)


def feed_bytewise(parser: ResponseParser, data: bytes) -> Response | None:
    """Feed one byte at a time, as a slow network might; the response once complete."""
    found = None
    for index in range(len(data)):
        answer = parser.feed(data[index : index + 1])
        if answer is not None:
            assert found is None, "a response was completed twice"
            found = answer
    return found


@pytest.mark.parametrize("raw", [PLAIN, CHUNKED], ids=["content-length", "chunked"])
def test_a_response_is_read_whole_or_byte_by_byte(raw: bytes) -> None:
    whole = ResponseParser()
    whole.start()
    assert whole.feed(raw) == Response(200, BODY, keep_alive=True)
    assert not whole.buffered
    slow = ResponseParser()
    slow.start()
    assert feed_bytewise(slow, raw) == Response(200, BODY, keep_alive=True)


def test_interim_answers_are_skipped_and_what_follows_stays_buffered() -> None:
    parser = ResponseParser()
    parser.start()
    answer = parser.feed(b"HTTP/1.1 100 Continue\r\n\r\n" + PLAIN + b"HTTP/1.1")
    assert answer == Response(200, BODY, keep_alive=True)
    assert parser.buffered  # the start of an answer nobody asked for: not reusable


def test_connection_close_and_http_1_0_are_not_kept() -> None:
    closing = ResponseParser()
    closing.start()
    raw = b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbad"
    assert closing.feed(raw) == Response(502, b"bad", keep_alive=False)
    old = ResponseParser()
    old.start()
    assert old.feed(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") == Response(
        200, b"ok", keep_alive=False
    )


def test_a_body_without_length_ends_with_the_connection() -> None:
    parser = ResponseParser()
    parser.start()
    assert parser.feed(b'HTTP/1.1 200 OK\r\n\r\n{"ok":') is None
    assert parser.feed(b"true}") is None
    assert parser.end_of_stream() == Response(200, b'{"ok":true}', keep_alive=False)


def test_no_body_for_head_204_and_304() -> None:
    for raw, head in (
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", True),
        (b"HTTP/1.1 204 No Content\r\n\r\n", False),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", False),
    ):
        parser = ResponseParser()
        parser.start(head_request=head)
        answer = parser.feed(raw)
        assert answer is not None and answer.body == b""


def test_a_cut_answer_is_an_error_not_a_short_body() -> None:
    parser = ResponseParser()
    parser.start()
    assert parser.feed(PLAIN[:-5]) is None
    with pytest.raises(Disconnected):
        parser.end_of_stream()


@pytest.mark.parametrize(
    "raw",
    [
        b"SMTP 220 hello\r\n\r\n",
        b"HTTP/1.1 OK 200\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd",
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000,
    ],
)
def test_malformed_answers_are_refused(raw: bytes) -> None:
    parser = ResponseParser()
    parser.start()
    with pytest.raises(BadResponse):
        parser.feed(raw)


Answer = Callable[["Server", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class Server:
    """A loopback HTTP server whose behaviour each test sets."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.ended = asyncio.Event()
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
                self.requests.append(head + await reader.readexactly(length))
                if not await self.answer(self, reader, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
            self.ended.set()

    def url(self, scheme: str = "http") -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"{scheme}://127.0.0.1:{port}/botTOKEN/sendMessage"


def answering(keep: bool) -> Answer:
    """Answer each request; keep the connection open for the next one, or close it."""

    async def answer(
        server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        writer.write(PLAIN)
        await writer.drain()
        return keep

    return answer


keep_open = answering(keep=True)
close_after = answering(keep=False)


async def chunked(
    server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    for piece in (CHUNKED[:20], CHUNKED[20:60], CHUNKED[60:]):
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.01)
    return True


async def silent(
    server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    await reader.read()  # until the client hangs up
    return False


async def die_mid_body(
    server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    writer.write(PLAIN[:-10])
    await writer.drain()
    return False


async def started(
    answer: Answer,
    ssl_context: ssl.SSLContext | None = None,
) -> Server:
    server = Server(answer)
    server.server = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=ssl_context)
    return server


@pytest.fixture
async def servers() -> AsyncIterator[list[Server]]:
    made: list[Server] = []
    yield made
    for server in made:
        assert server.server is not None
        server.server.close()


async def post(pool: Http11Pool, url: str, timeouts: Timeouts = QUICK) -> Response:
    return await pool.request("POST", url, [(b"Content-Type", b"text/plain")], b"hi", timeouts)


async def test_a_kept_connection_is_reused(servers: list[Server]) -> None:
    server = await started(keep_open)
    servers.append(server)
    pool = Http11Pool(4)
    for _ in range(3):
        assert (await post(pool, server.url())).body == BODY
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST /botTOKEN/sendMessage HTTP/1.1\r\nHost: 127.0.0.1:")
    assert server.requests[0].endswith(b"Content-Length: 2\r\n\r\nhi")
    await pool.aclose()


async def test_a_connection_the_server_closed_is_not_reused(servers: list[Server]) -> None:
    server = await started(close_after)
    servers.append(server)
    pool = Http11Pool(1)
    for _ in range(3):
        assert (await post(pool, server.url())).body == BODY
        await asyncio.sleep(0.05)  # the server's close reaches us
    assert server.connections == 3
    await pool.aclose()


async def test_a_chunked_answer_arriving_in_pieces(servers: list[Server]) -> None:
    server = await started(chunked)
    servers.append(server)
    pool = Http11Pool(1)
    assert await post(pool, server.url()) == Response(200, BODY, keep_alive=True)
    assert await post(pool, server.url()) == Response(200, BODY, keep_alive=True)
    assert server.connections == 1
    await pool.aclose()


async def test_a_silent_server_times_out_and_its_connection_is_dropped(
    servers: list[Server],
) -> None:
    server = await started(silent)
    servers.append(server)
    pool = Http11Pool(1)
    with pytest.raises(ReadTimeout):
        await post(pool, server.url(), Timeouts(connect=2.0, read=0.1, write=2.0, pool=2.0))
    await asyncio.wait_for(server.ended.wait(), 2.0)  # we hung up on it
    server.answer = keep_open
    assert (await post(pool, server.url())).body == BODY  # the slot was given back
    await pool.aclose()


async def test_when_every_connection_is_busy_the_request_waits_then_gives_up(
    servers: list[Server],
) -> None:
    server = await started(silent)
    servers.append(server)
    pool = Http11Pool(1)
    busy = asyncio.create_task(post(pool, server.url()))
    await asyncio.sleep(0.05)
    with pytest.raises(PoolTimeout):
        await post(pool, server.url(), Timeouts(connect=2.0, read=2.0, write=2.0, pool=0.1))
    assert len(server.requests) == 1  # the second was never sent
    busy.cancel()
    await asyncio.wait_for(server.ended.wait(), 2.0)  # a cancelled call hangs up
    server.answer = keep_open
    assert (await post(pool, server.url())).body == BODY
    await pool.aclose()


async def test_a_server_dying_mid_answer_is_a_disconnect(servers: list[Server]) -> None:
    server = await started(die_mid_body)
    servers.append(server)
    pool = Http11Pool(1)
    with pytest.raises(Disconnected):
        await post(pool, server.url())
    await pool.aclose()


async def test_closing_the_pool_ends_a_call_in_flight(servers: list[Server]) -> None:
    server = await started(silent)
    servers.append(server)
    pool = Http11Pool(1)
    long_poll = asyncio.create_task(post(pool, server.url()))
    await asyncio.sleep(0.05)
    await pool.aclose()
    with pytest.raises(Disconnected):
        await asyncio.wait_for(long_poll, 2.0)


async def test_nobody_listening_is_a_connect_failure() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(ConnectFailed):
        await post(Http11Pool(1), f"http://127.0.0.1:{port}/x")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_tls_is_verified(servers: list[Server], certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    serving = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    serving.load_cert_chain(cert, key)
    server = await started(keep_open, serving)
    servers.append(server)
    trusting = ssl.create_default_context(cafile=str(cert))
    pool = Http11Pool(1, ssl_context=trusting)
    for _ in range(2):
        assert (await post(pool, server.url("https"))).body == BODY
    assert server.connections == 1
    await pool.aclose()
    with pytest.raises(ConnectFailed):  # the system's trust store does not know this server
        await post(Http11Pool(1), server.url("https"))
