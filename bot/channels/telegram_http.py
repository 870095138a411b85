"""The HTTP layer under python-telegram-bot: cheaper connection-pool scans, lean small calls.

httpcore re-checks every idle pooled connection each time a request starts or ends: it asks
the stream whether the socket is readable (a server-side close). Through anyio that question
rebuilds the socket's attribute table, a getpeername() system call included, before the
poll. With a dozen sends in flight that scan was a tenth of the bot's CPU (py-spy, bench/
telegram.py). This backend keeps each connection's socket at hand and only polls it, and the
pool below does its bookkeeping in linear time (httpcore is bounded to 1.0 in pyproject.toml
because of it). `LeanRequest`, at the end, sends calls without files on that pool directly.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode
from urllib.request import getproxies

import httpcore
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# PTB marks "not given" timeouts with instances of this class (its DefaultValue).
_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class _Stream(httpcore.AsyncNetworkStream):
    """An anyio stream that answers "is_readable" from its socket kept at connect time."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")
        self._poller: select.poll | None = None
        if self._socket is not None and self._socket.fileno() != -1:
            self._poller = select.poll()
            self._poller.register(self._socket.fileno(), select.POLLIN)

    def _readable(self) -> bool:
        """Whether the socket has data or an end of file waiting (as httpcore decides it)."""
        if self._poller is None or self._socket is None or self._socket.fileno() == -1:
            return True
        return bool(self._poller.poll(0))

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._readable()
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, handing out streams with the cheap readability check."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool with its bookkeeping scan made linear.

    httpcore 1.0 decides whether an idle connection is surplus by building a list of every
    pooled connection for each idle one, on every request start and end: quadratic in the
    pool size (687,677 is_idle calls for 550 updates with 16 connections). The length of that
    list is just the number of connections, which is what is used here; the rest is
    httpcore's method unchanged.
    """

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing_connections: list[httpcore.AsyncConnectionInterface] = []
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired() or (
                connection.is_idle() and len(self._connections) > self._max_keepalive_connections
            ):
                self._connections.remove(connection)
                closing_connections.append(connection)

        for pool_request in [request for request in self._requests if request.is_queued()]:
            origin = pool_request.request.url.origin
            available = [
                connection
                for connection in self._connections
                if connection.can_handle_request(origin) and connection.is_available()
            ]
            if available:
                pool_request.assign_to_connection(available[0])
            elif len(self._connections) < self._max_connections:
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
            else:
                idle = [connection for connection in self._connections if connection.is_idle()]
                if idle:
                    self._connections.remove(idle[0])
                    closing_connections.append(idle[0])
                    connection = self.create_connection(origin)
                    self._connections.append(connection)
                    pool_request.assign_to_connection(connection)
        return closing_connections


class PooledTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that uses the backend above (no proxies)."""

    @property
    def pool(self) -> httpcore.AsyncConnectionPool:
        """The connection pool (LeanRequest sends small calls on it directly)."""
        assert isinstance(self._pool, httpcore.AsyncConnectionPool)
        return self._pool

    def __init__(self, limits: httpx.Limits) -> None:
        context = httpx.create_ssl_context()
        super().__init__(limits=limits, verify=context)
        # httpx has no parameter for the network backend, so its pool is built again with one.
        self._pool = _Pool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )


class LeanRequest(HTTPXRequest):
    """python-telegram-bot's HTTPX request, with file-less calls sent straight to httpcore.

    Nearly every call (sendMessage, answerCallbackQuery, edits) is a small form POST. httpx's
    client layers (request and response models, auth, redirects, cookies) cost about as much
    CPU as the HTTP exchange itself; those calls go to the same connection pool directly and
    are encoded exactly as HTTPXRequest encodes them. Uploads keep the full httpx path. When
    the environment names a proxy (HTTPS_PROXY and the like; reaching Telegram from Vietnam
    may need one), everything takes PTB's stock path, which honours it.
    """

    def __init__(
        self,
        *,
        connection_pool_size: int,
        read_timeout: float,
        write_timeout: float,
        connect_timeout: float,
        pool_timeout: float,
    ) -> None:
        self._transport = PooledTransport(httpx.Limits(max_connections=connection_pool_size))
        # httpx ignores proxy variables once it is given a transport: with a proxy named,
        # this is PTB's stock request, unchanged.
        self._direct = not getproxies()
        self._timeouts = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
        }
        super().__init__(
            connection_pool_size=connection_pool_size,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            httpx_kwargs={"transport": self._transport} if self._direct else None,
        )

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
        """See `BaseRequest.do_request`; errors are mapped as HTTPXRequest maps them."""
        if not self._direct or (request_data is not None and request_data.contains_files):
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        given = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
        }
        timeouts = {
            name: self._timeouts[name] if isinstance(value, _NOT_GIVEN) else value
            for name, value in given.items()
        }
        body = urlencode(request_data.json_parameters).encode() if request_data else b""
        headers = [
            (b"User-Agent", self.USER_AGENT.encode()),
            (b"Content-Type", b"application/x-www-form-urlencoded"),
        ]
        try:
            response = await self._transport.pool.request(
                method, url, headers=headers, content=body, extensions={"timeout": timeouts}
            )
        except httpcore.PoolTimeout as error:
            raise TimedOut("Pool timeout: every connection is busy; not sent") from error
        except httpcore.TimeoutException as error:
            raise TimedOut from error
        except (
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpcore.ProxyError,
            httpcore.UnsupportedProtocol,
        ) as error:
            raise NetworkError(f"httpcore.{type(error).__name__}: {error}") from error
        return response.status, response.content
