"""aiohttp for every platform call: one session per adapter, proxies from the environment.

Telegram (under python-telegram-bot), Zalo OA and Zalo Bot all call out through aiohttp's
client, which parses answers in C and keeps connections alive.

Proxies: aiohttp reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY itself when `trust_env` is on, but
then reads the environment and ~/.netrc again, in threads, on every request (about 0.5 ms of
CPU a call, `bench/telegram_request.py`). So `trust_env` is on only when the environment names
a proxy; NO_PROXY alone has nothing to exempt, and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any
from urllib.request import getproxies

import aiohttp

from bot.channels.base import Failure, SendError

PROXY_SCHEMES = ("http", "https")
# Files as python-telegram-bot hands them over: (file name, content, MIME type).
FileField = tuple[str, bytes | IO[bytes], str]


def proxy_in_environment() -> bool:
    """Whether HTTP(S)_PROXY names a proxy (read as urllib and aiohttp read it)."""
    return any(scheme in getproxies() for scheme in PROXY_SCHEMES)


def timeouts(
    *, read: float | None, connect: float | None, pool: float | None, write: float | None = None
) -> aiohttp.ClientTimeout:
    """httpx-style timeouts in aiohttp's terms.

    aiohttp's `connect` covers both the wait for a pooled connection and a new connection;
    it has no write timeout, so when every span is finite the whole call is bounded by their sum.
    """
    spans = (read, connect, pool, write if write is not None else read)
    return aiohttp.ClientTimeout(
        total=None if None in spans else sum(s for s in spans if s is not None),
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


# What the platform adapters wait by default (Telegram's requests give their own per call).
DEFAULT_TIMEOUT = timeouts(read=10.0, connect=5.0, pool=10.0)


class Session:
    """An aiohttp session opened on first use (it needs the running loop), closed once."""

    def __init__(
        self, *, limit: int = 100, timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT
    ) -> None:
        self._limit = limit
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        """The open session."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=self._timeout,
                # The platforms' APIs set no cookies; a jar would be consulted on every call.
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=proxy_in_environment(),
            )
        return self._session

    async def close(self) -> None:
        """Close the pooled connections; closing again changes nothing."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def multipart(fields: Mapping[str, str], files: Mapping[str, FileField]) -> aiohttp.FormData:
    """multipart/form-data with file names sent as UTF-8, unquoted (as httpx sends them)."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (file_name, content, mime) in files.items():
        form.add_field(name, content, filename=file_name, content_type=mime)
    return form


async def post_for_json(
    session: Session, url: str, *, timeout: aiohttp.ClientTimeout | None = None, **request: Any
) -> tuple[int, Any]:
    """POST; the status and the JSON answer (None if unreadable). Transport trouble is a
    temporary SendError."""
    if timeout is not None:  # aiohttp reads an explicit None as "no timeout at all"
        request["timeout"] = timeout
    try:
        async with session.get().post(url, **request) as response:
            status, body = response.status, await response.read()
    except TimeoutError as error:
        raise SendError(Failure.TEMPORARY, f"timeout: {type(error).__name__}") from error
    except aiohttp.ClientError as error:
        raise SendError(Failure.TEMPORARY, f"transport: {type(error).__name__}") from error
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None
