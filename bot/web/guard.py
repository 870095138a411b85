"""ASGI guards every request passes: body caps before reading, a body deadline, and the
security headers of every response. Plus the same-origin rule of state-changing requests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.messages import t

# The cap of a request's body by method and path (the application declares them).
BodyCap = Callable[[str, str], int]
# A body that stops arriving for this long is cut (half-sent requests hold nothing).
BODY_IDLE_SECONDS = 20.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def security_headers(https: bool) -> dict[str, str]:
    """Headers every response carries unless its route set its own value."""
    headers = {
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "cache-control": "no-store",
    }
    if https:
        headers["strict-transport-security"] = "max-age=31536000"
    return headers


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class Guard:
    """Pure ASGI middleware: caps, deadline and headers for every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cap: BodyCap,
        headers: Mapping[str, str],
        idle: float = BODY_IDLE_SECONDS,
    ) -> None:
        self.app = app
        self.cap = cap
        self.headers = [(k.encode(), v.encode()) for k, v in headers.items()]
        self.idle = idle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap(scope["method"], scope["path"])
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        declared = _content_length(scope)
        if declared is None:
            await _plain(send_with_headers, 400, b"bad content-length")
            return
        if declared > cap:
            # Answered before a byte of the body is read.
            await _too_large(send_with_headers, cap)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            try:
                async with asyncio.timeout(self.idle):  # no task per call, unlike wait_for
                    message = await receive()
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _too_large(send_with_headers, cap)
        except _TooSlow:
            if not started:
                await _plain(send_with_headers, 408, b"request body too slow")


def _content_length(scope: Scope) -> int | None:
    """The declared body length (0 when none is declared); None when it is malformed."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not (text.isascii() and text.isdigit()) or len(text) > 15:
                return None
            return int(text)
    return 0


async def _too_large(send: Send, cap: int) -> None:
    """413 naming the cap, in the page's language: never a bare status."""
    body = {"error": "too large", "max_bytes": cap, "text": t("web.too_large", max=_size(cap))}
    await _plain(send, 413, json.dumps(body, ensure_ascii=False).encode(), b"application/json")


def _size(cap: int) -> str:
    """20971520 -> "20 MB"; 65536 -> "64 KB"."""
    if cap >= 1024 * 1024:
        return f"{cap / (1024 * 1024):g} MB".replace(".", ",")
    return f"{cap // 1024} KB"


async def _plain(
    send: Send, status: int, body: bytes, kind: bytes = b"text/plain; charset=utf-8"
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, public_origin: str) -> bool:
    """A state-changing request came from our own page: its Origin is the public address,
    or (on this machine) exactly the address the browser used."""
    given = request.headers.get("origin", "").lower()
    if not given or given == "null":
        return False
    if given == public_origin:
        return True
    host = request.headers.get("host", "").lower()
    parts = urlsplit(given)
    return parts.hostname in LOOPBACK_HOSTS and parts.netloc == host


def json_request(request: Request) -> bool:
    """Whether the body is declared JSON (a cross-site form or text/plain post is not)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json"


def allowed_hosts(public_url: str) -> list[str]:
    """The Host values served: PUBLIC_BASE_URL's host, and loopback names for this machine."""
    host = urlsplit(public_url).hostname or "127.0.0.1"
    return sorted({host, "127.0.0.1", "localhost", "::1", "[::1]"})
