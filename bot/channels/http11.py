"""A small HTTP/1.1 client on asyncio protocols, for the bot's many tiny Bot API calls.

Nearly every Telegram call is a form POST of a few hundred bytes answered by a few hundred
bytes of JSON. Through httpx and httpcore each such exchange cost about 290 µs of CPU here
(anyio locks, cancel scopes and h11 on every request); this client does the same exchange in
about 40 µs, which is what lets the durable bot keep up with an in-memory one (bench/
telegram.py). It does only what those calls need: keep-alive connections to one or a few
origins, Content-Length and chunked bodies, TLS, timeouts. Uploads and proxies stay on httpx
(see `telegram_http.LeanRequest`).
"""

from __future__ import annotations

import asyncio
import select
import ssl
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


class HttpError(Exception):
    """Anything that kept a request from getting a complete answer."""


class PoolTimeout(HttpError):
    """Every connection stayed busy for the pool timeout; the request was not sent."""


class ConnectTimeout(HttpError):
    """The connection was not made in time; the request was not sent."""


class ReadTimeout(HttpError):
    """The answer did not arrive in time; the request may have been handled."""


class WriteTimeout(HttpError):
    """The request could not be written in time."""


class ConnectFailed(HttpError):
    """The connection could not be made (refused, unreachable, TLS failed)."""


class Disconnected(HttpError):
    """The server closed the connection before the answer was complete."""


class BadResponse(HttpError):
    """The server's answer is not HTTP/1.x as this client understands it."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds for each phase; None waits for ever."""

    connect: float | None
    read: float | None
    write: float | None
    pool: float | None


@dataclass(frozen=True)
class Response:
    """A complete answer."""

    status: int
    body: bytes
    keep_alive: bool


class ResponseParser:
    """Reads one HTTP/1.x response at a time out of the bytes a connection receives.

    `feed` takes what arrived and returns the response once it is complete; bytes after it
    stay buffered for the next one. Interim (1xx) responses are skipped.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._reset()

    def _reset(self) -> None:
        self._status = 0
        self._keep_alive = True
        self._mode = "head"  # head, length, chunked, close
        self._length = 0
        self._chunks: list[bytes] = []
        self._chunk_size = -1
        self._chunk_total = 0

    def start(self, head_request: bool = False) -> None:
        """Expect the next response (one with no body at all when answering a HEAD)."""
        self._reset()
        self._head_request = head_request

    @property
    def buffered(self) -> bool:
        """Whether bytes are waiting that no request asked for yet."""
        return bool(self._buffer)

    def feed(self, data: bytes) -> Response | None:
        self._buffer += data
        return self._advance()

    def end_of_stream(self) -> Response:
        """The server closed: the answer if it was one read until close, else an error."""
        if self._mode == "close":
            body = bytes(self._buffer)
            self._buffer.clear()
            return Response(self._status, body, keep_alive=False)
        raise Disconnected("the server closed the connection before the answer was complete")

    def _advance(self) -> Response | None:
        while self._mode == "head":
            if not self._read_head():
                return None
        if self._mode == "length":
            if len(self._buffer) < self._length:
                return None
            body = bytes(self._buffer[: self._length])
            del self._buffer[: self._length]
            return Response(self._status, body, self._keep_alive)
        if self._mode == "chunked":
            return self._read_chunks()
        if len(self._buffer) > MAX_BODY_BYTES:
            raise BadResponse("answer too large")
        return None  # "close": complete at end of stream

    def _read_head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise BadResponse("header section too large")
            return False
        lines = bytes(self._buffer[:end]).split(b"\r\n")
        del self._buffer[: end + 4]
        version, status = self._status_line(lines[0])
        if 100 <= status < 200 and status != 101:
            return True  # interim answer; the real one follows
        self._status = status
        self._keep_alive = version == b"HTTP/1.1"
        length: int | None = None
        chunked = False
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                raise BadResponse("malformed header line")
            name = name.strip().lower()
            value = value.strip().lower()
            if name == b"content-length":
                if not value.isdigit() or (length is not None and length != int(value)):
                    raise BadResponse("bad Content-Length")
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = value.split(b",")[-1].strip() == b"chunked"
            elif name == b"connection":
                tokens = {token.strip() for token in value.split(b",")}
                if b"close" in tokens:
                    self._keep_alive = False
                elif b"keep-alive" in tokens:
                    self._keep_alive = True
        if self._head_request or status in (204, 304):
            self._mode, self._length = "length", 0
        elif chunked:
            self._mode = "chunked"
        elif length is not None:
            if length > MAX_BODY_BYTES:
                raise BadResponse("answer too large")
            self._mode, self._length = "length", length
        else:
            self._mode, self._keep_alive = "close", False
        return True

    @staticmethod
    def _status_line(line: bytes) -> tuple[bytes, int]:
        parts = line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise BadResponse("not an HTTP/1.x status line")
        return parts[0], int(parts[1])

    def _read_chunks(self) -> Response | None:
        buffer = self._buffer
        while True:
            if self._chunk_size < 0:  # at a size line
                end = buffer.find(b"\r\n")
                if end < 0:
                    if len(buffer) > MAX_HEAD_BYTES:
                        raise BadResponse("chunk size line too long")
                    return None
                size_text = bytes(buffer[:end]).split(b";", 1)[0].strip()
                try:
                    self._chunk_size = int(size_text, 16)
                except ValueError:
                    raise BadResponse("bad chunk size") from None
                del buffer[: end + 2]
                self._chunk_total += self._chunk_size
                if self._chunk_total > MAX_BODY_BYTES:
                    raise BadResponse("answer too large")
            if self._chunk_size == 0:  # the last chunk: skip trailers up to the empty line
                if buffer.startswith(b"\r\n"):
                    del buffer[:2]
                else:
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        return None
                    del buffer[: end + 4]
                return Response(self._status, b"".join(self._chunks), self._keep_alive)
            if len(buffer) < self._chunk_size + 2:
                return None
            if buffer[self._chunk_size : self._chunk_size + 2] != b"\r\n":
                raise BadResponse("chunk not followed by CRLF")
            self._chunks.append(bytes(buffer[: self._chunk_size]))
            del buffer[: self._chunk_size + 2]
            self._chunk_size = -1


class _Connection(asyncio.Protocol):
    """One keep-alive connection; carries one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = ResponseParser()
        self.closed = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[Response] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._poller: select.poll | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self._poller = select.poll()
            self._poller.register(sock.fileno(), select.POLLIN)

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            self.close()  # nobody asked: a confused server; never reuse this connection
            return
        try:
            response = self.parser.feed(data)
        except HttpError as error:
            waiter.set_exception(error)
            self.close()
            return
        if response is not None:
            waiter.set_result(response)

    def eof_received(self) -> bool:
        self._ended()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def _ended(self) -> None:
        """The server closed: an answer read until close is complete, any other is cut."""
        self.closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            try:
                waiter.set_result(self.parser.end_of_stream())
            except HttpError as error:
                waiter.set_exception(error)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def reusable(self, now: float, expiry: float) -> bool:
        """Open, not stale, and with nothing (an end of file, say) waiting on its socket."""
        if self.closed or now - self.idle_since > expiry or self.parser.buffered:
            return False
        return self._poller is None or not self._poller.poll(0)

    async def exchange(self, data: bytes, head_request: bool, timeouts: Timeouts) -> Response:
        """Write one request and wait for its answer."""
        assert self.transport is not None
        self.parser.start(head_request)
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            self.transport.write(data)
            if self._writable is not None:
                try:
                    async with asyncio.timeout(timeouts.write):
                        await self._writable
                except TimeoutError:
                    raise WriteTimeout("the request could not be written in time") from None
            try:
                async with asyncio.timeout(timeouts.read):
                    return await self._waiter
            except TimeoutError:
                raise ReadTimeout("no complete answer in time") from None
        finally:
            self._waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Http11Pool:
    """Keep-alive connections, at most `max_connections` busy or idle at once."""

    def __init__(
        self,
        max_connections: int,
        keepalive_expiry: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._keepalive_expiry = keepalive_expiry
        self._ssl_context = ssl_context
        self._in_use: set[_Connection] = set()

    async def request(
        self,
        method: str,
        url: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        timeouts: Timeouts,
    ) -> Response:
        """Send one request and return the complete answer (any status)."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            # Never the URL itself in a message: Telegram's carry the bot token.
            raise ConnectFailed(f"unsupported URL scheme {parts.scheme!r}")
        origin = (parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme])
        data = _request_bytes(method, parts, headers, body)
        try:
            async with asyncio.timeout(timeouts.pool):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolTimeout("every connection stayed busy; the request was not sent") from None
        connection: _Connection | None = None
        try:
            connection = self._idle_connection(origin) or await self._connect(origin, timeouts)
            self._in_use.add(connection)
            response = await connection.exchange(data, method == "HEAD", timeouts)
            if response.keep_alive and not connection.closed:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, []).append(connection)
                self._in_use.discard(connection)
                connection = None
            return response
        finally:
            if connection is not None:  # failed, cancelled or not for keeping
                self._in_use.discard(connection)
                connection.close()
            self._slots.release()

    def _idle_connection(self, origin: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recent: the least likely to have timed out
            if connection.reusable(now, self._keepalive_expiry):
                return connection
            connection.close()
        return None

    async def _connect(self, origin: tuple[str, str, int], timeouts: Timeouts) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            context = self._ssl_context
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeouts.connect):
                # Happy eyeballs, as httpx does: a black-holed IPv6 route must not use up
                # the whole connect timeout before IPv4 is tried.
                _, protocol = await loop.create_connection(
                    _Connection,
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                    happy_eyeballs_delay=0.25,
                )
        except TimeoutError:
            raise ConnectTimeout(f"no connection to {host}:{port} in time") from None
        except (OSError, ssl.SSLError) as error:
            raise ConnectFailed(f"{host}:{port}: {error}") from error
        return protocol

    async def aclose(self) -> None:
        """Close every connection, idle or busy."""
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        for connection in list(self._in_use):
            connection.close()
        self._in_use.clear()


def _request_bytes(
    method: str, parts: SplitResult, headers: list[tuple[bytes, bytes]], body: bytes
) -> bytes:
    """The request head and body as sent on the wire."""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]
    if parts.port is not None and parts.port == DEFAULT_PORTS.get(parts.scheme):
        host = host.rpartition(":")[0]
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n".encode("ascii")]
    lines.extend(name + b": " + value + b"\r\n" for name, value in headers)
    lines.append(b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    lines.append(body)
    return b"".join(lines)
