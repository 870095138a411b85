"""The HTTP layer under python-telegram-bot: small calls on our own HTTP/1.1 pool.

Nearly every call (sendMessage, answerCallbackQuery, edits, getUpdates) is a small form POST.
Through PTB's stock HTTPXRequest each one cost about 290 µs of CPU in httpx and httpcore
(client models, anyio locks and cancel scopes, h11), more than the durable step that produced
it. `LeanRequest` sends those calls on `http11.Http11Pool`, encoded exactly as HTTPXRequest
encodes them, and maps its errors to PTB's. Uploads keep HTTPXRequest's multipart path, and
when the environment names a proxy every call takes the stock path, which honours it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from urllib.request import getproxies

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.channels.http11 import (
    ConnectTimeout,
    Http11Pool,
    HttpError,
    PoolTimeout,
    ReadTimeout,
    Timeouts,
    WriteTimeout,
)

# PTB marks "not given" timeouts with instances of this class (its DefaultValue).
_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)
FORM = b"application/x-www-form-urlencoded"


class LeanRequest(HTTPXRequest):
    """python-telegram-bot's HTTPX request, with calls without files sent on `Http11Pool`."""

    def __init__(
        self,
        *,
        connection_pool_size: int,
        read_timeout: float,
        write_timeout: float,
        connect_timeout: float,
        pool_timeout: float,
    ) -> None:
        super().__init__(
            connection_pool_size=connection_pool_size,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        # The same trust store as httpx (certifi), for the same answers on TLS.
        self._pool = Http11Pool(connection_pool_size, ssl_context=httpx.create_ssl_context())
        self._direct = not getproxies()
        self._timeouts = Timeouts(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
        )
        self._headers = [(b"User-Agent", self.USER_AGENT.encode()), (b"Content-Type", FORM)]

    async def shutdown(self) -> None:
        await self._pool.aclose()
        await super().shutdown()

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
        timeouts = self._timeouts_for(read_timeout, write_timeout, connect_timeout, pool_timeout)
        body = urlencode(request_data.json_parameters).encode() if request_data else b""
        try:
            response = await self._pool.request(method, url, self._headers, body, timeouts)
        except PoolTimeout as error:
            raise TimedOut("Pool timeout: every connection is busy; not sent") from error
        except (ConnectTimeout, ReadTimeout, WriteTimeout) as error:
            raise TimedOut from error
        except HttpError as error:
            raise NetworkError(f"{type(error).__name__}: {error}") from error
        return response.status, response.body

    def _timeouts_for(self, read: Any, write: Any, connect: Any, pool: Any) -> Timeouts:
        """The call's own timeouts where given, this request's defaults elsewhere."""
        base = self._timeouts
        return Timeouts(
            connect=base.connect if isinstance(connect, _NOT_GIVEN) else connect,
            read=base.read if isinstance(read, _NOT_GIVEN) else read,
            write=base.write if isinstance(write, _NOT_GIVEN) else write,
            pool=base.pool if isinstance(pool, _NOT_GIVEN) else pool,
        )
