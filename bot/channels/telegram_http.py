"""python-telegram-bot's calls on aiohttp, under PTB's documented `BaseRequest`.

The `Bot`, its types and its errors stay PTB's. Per call, aiohttp costs about a fifth of the
CPU of PTB's stock `HTTPXRequest` (`bench/telegram_request.py`); proxies: see `http.py`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.http import Session, multipart, timeouts

# PTB marks "not given" timeouts with instances of this class (its DefaultValue).
_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)
FORM = "application/x-www-form-urlencoded"


class AiohttpRequest(BaseRequest):
    """PTB's requests on one aiohttp session: form posts, multipart uploads, file downloads."""

    def __init__(
        self,
        *,
        connection_pool_size: int,
        read_timeout: float,
        write_timeout: float,
        connect_timeout: float,
        pool_timeout: float,
    ) -> None:
        self._session = Session(limit=connection_pool_size)
        self._defaults = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        # One ClientTimeout per combination PTB asks for (a handful), built once.
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        self._headers = {"User-Agent": self.USER_AGENT}
        self._form_headers = {**self._headers, "Content-Type": FORM}

    @property
    def read_timeout(self) -> float | None:
        """See `BaseRequest.read_timeout`."""
        return self._defaults[0]

    async def initialize(self) -> None:
        """Open the session on the running loop; calling it again changes nothing."""
        self._session.get()

    async def shutdown(self) -> None:
        """Close the pooled connections; calling it again changes nothing."""
        await self._session.close()

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
        """See `BaseRequest.do_request`; errors are mapped as PTB's HTTPXRequest maps them."""
        timeout = self._timeout((read_timeout, write_timeout, connect_timeout, pool_timeout))
        data: bytes | aiohttp.FormData | None = None
        headers = self._headers
        if request_data is not None and request_data.contains_files:
            data = multipart(request_data.json_parameters, request_data.multipart_data)
        elif request_data is not None:
            # Encoded as httpx encodes PTB's parameters: the stock request's very bytes.
            data = urlencode(request_data.json_parameters).encode()
            headers = self._form_headers
        try:
            async with self._session.get().request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            # No connection in time, pooled or new: the request was not sent.
            raise TimedOut("Pool or connect timeout: the request was not sent") from error
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _timeout(self, given: tuple[Any, ...]) -> aiohttp.ClientTimeout:
        """The call's own timeouts where given, this request's defaults elsewhere."""
        key = tuple(
            default if isinstance(value, _NOT_GIVEN) else value
            for value, default in zip(given, self._defaults, strict=True)
        )
        found = self._timeouts.get(key)
        if found is None:
            read, write, connect, pool = key
            found = timeouts(read=read, write=write, connect=connect, pool=pool)
            self._timeouts[key] = found
        return found
