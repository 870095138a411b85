"""Server-side web sessions behind an HttpOnly cookie: the one way a browser is someone.

The web chat opens a session for a new browser bound to a fresh server-made chat account,
which can only join (an invite, or a sign-in code from an app where the person is known).
The web console (issue 17) is one more entry point: `open` with kind "console" and the
person a one-time link names; `current` serves both.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from storage import web_sessions
from storage.db import Connection, Database
from storage.rows import WebSession

Clock = Callable[[], datetime]
COOKIE = "gs_session"
# The web console's own cookie: a browser may hold a chat session and a console session.
CONSOLE_COOKIE = "gs_console"
# last_seen_at is written at most this often (a write per request would queue on SQLite).
TOUCH_EVERY = timedelta(minutes=5)
TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Lifetimes:
    """How long sessions live: unused (idle), at most (absolute), and before joining."""

    idle: timedelta
    absolute: timedelta
    guest: timedelta = timedelta(days=1)


class Sessions:
    """Opens, reads and ends sessions; the cookie carries only the random token."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        lifetimes: Lifetimes,
        secure: bool,
        cookie: str = COOKIE,
    ) -> None:
        self._db = db
        self._clock = clock
        self.lifetimes = lifetimes
        self.secure = secure
        # With https the cookie is host-only, Secure and Path=/ by the browser's own rule.
        self.cookie = f"__Host-{cookie}" if secure else cookie

    async def open(
        self,
        response: Response,
        *,
        kind: str,
        device: str,
        identity_id: int | None = None,
        person_id: int | None = None,
        guest: bool = False,
    ) -> int:
        """A new session, its cookie set on `response`; its id."""
        async with self._db.write() as conn:
            return await self.open_in(
                conn,
                response,
                kind=kind,
                device=device,
                identity_id=identity_id,
                person_id=person_id,
                guest=guest,
            )

    async def open_in(
        self,
        conn: Connection,
        response: Response,
        *,
        kind: str,
        device: str,
        identity_id: int | None = None,
        person_id: int | None = None,
        guest: bool = False,
    ) -> int:
        """`open`, inside the caller's transaction (with the account it makes). A guest's
        session is the same row; `current` ends it after a day unless its account joined."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock()
        lifetime = self.lifetimes.absolute
        session_id = await web_sessions.create_session(
            conn,
            token_hash=token_hash(token),
            kind=kind,
            identity_id=identity_id,
            person_id=person_id,
            device=device,
            now=now,
            expires_at=now + lifetime,
        )
        self._set_cookie(response, token, lifetime)
        return session_id

    async def current(self, request: Request, kind: str) -> WebSession | None:
        """The live session of kind `kind` the request's cookie names, or None."""
        token = request.cookies.get(self.cookie)
        if not token or len(token) > 100:
            return None
        now = self._clock()
        async with self._db.read() as conn:
            found = await web_sessions.live_session(
                conn, token_hash(token), now, self.lifetimes.idle
            )
        if found is None or found.kind != kind:
            return None
        # A browser that has not joined keeps its session a day only; once its account has
        # joined, the full lifetime applies (no write needed: the row has the full end).
        if found.person_id is None and now - found.created_at > self.lifetimes.guest:
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            async with self._db.write(single=True) as conn:
                await web_sessions.touch(conn, found.id, now)
        return found

    async def end(self, session_id: int, response: Response) -> None:
        """Sign this browser out: the session ends and its cookie is removed."""
        async with self._db.write() as conn:
            await web_sessions.revoke(conn, session_id, self._clock())
        self.forget(response)

    def forget(self, response: Response) -> None:
        """Remove the cookie (its session is unknown, expired or ended)."""
        response.delete_cookie(
            self.cookie, path="/", secure=self.secure, httponly=True, samesite="strict"
        )

    def _set_cookie(self, response: Response, token: str, lifetime: timedelta) -> None:
        response.set_cookie(
            self.cookie,
            token,
            max_age=int(lifetime.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )


def device_of(user_agent: str) -> str:
    """A short, coarse summary of a User-Agent for the device list ("Chrome · Android")."""
    agent = user_agent.lower()
    browsers = (
        ("zalo", "Zalo"),
        ("coc_coc", "Cốc Cốc"),
        ("edg/", "Edge"),
        ("samsungbrowser", "Samsung Internet"),
        ("firefox/", "Firefox"),
        ("chrome/", "Chrome"),
        ("crios/", "Chrome"),
        ("safari/", "Safari"),
    )
    systems = (
        ("android", "Android"),
        ("iphone", "iPhone"),
        ("ipad", "iPad"),
        ("windows", "Windows"),
        ("mac os", "macOS"),
        ("cros", "ChromeOS"),
        ("linux", "Linux"),
    )
    browser = next((name for key, name in browsers if key in agent), "")
    system = next((name for key, name in systems if key in agent), "")
    return " · ".join(part for part in (browser, system) if part)
