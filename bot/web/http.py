"""The Starlette application: routes behind the host check, body caps and security headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute

from bot.web.guard import LOOPBACK_HOSTS, Guard, allowed_hosts, security_headers

# Body caps (bytes) besides uploads and webhooks: chat messages are small JSON objects.
CHAT_BODY_CAP = 64 * 1024
WEBHOOKS = frozenset({"/telegram/webhook", "/zalo/oa/webhook", "/zalo/bot/webhook"})
# Headers a proxy adds: a request that carries one did not come from this machine.
FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")


@dataclass(frozen=True)
class BodyCaps:
    """Every route's body cap, by method and path (the README's route table lists them)."""

    upload: int
    webhook: int

    def __call__(self, method: str, path: str) -> int:
        """The largest body a request may carry; 0 for requests that take none."""
        if method != "POST":
            return 0
        if path == "/api/upload":
            return self.upload
        if path in WEBHOOKS:
            return self.webhook
        return CHAT_BODY_CAP


def build_http(
    routes: Sequence[BaseRoute], public_url: str, caps: BodyCaps, body_idle: float
) -> Starlette:
    """The app: Guard outermost (caps, deadline, headers), then the Host check, then routes."""
    https = public_url.lower().startswith("https://")
    return Starlette(
        routes=list(routes),
        middleware=[
            Middleware(Guard, cap=caps, headers=security_headers(https), idle=body_idle),
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(public_url)),
        ],
    )


def from_this_machine(request: Request) -> bool:
    """A request made on this machine itself: from loopback, to a loopback name, and not
    passed on by a proxy (behind a local proxy every request comes from loopback)."""
    client = request.client.host if request.client else ""
    host = request.headers.get("host", "").rsplit(":", 1)[0].lower()
    forwarded = any(name in request.headers for name in FORWARDED)
    return client in LOOPBACK_HOSTS and host in LOOPBACK_HOSTS and not forwarded
