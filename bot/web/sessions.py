"""Server-side web sessions behind an HttpOnly cookie: the one way a browser is someone.

The web chat opens a session for a new browser bound to a fresh server-made chat account,
which can only join (an invite, or a sign-in code from an app where the person is known).
The web console (issue 17) is one more entry point: `open` with kind "console" and the
person a one-time link names; `current` serves both.

Every request of a signed-in browser asks for its session, and a page asks twice a step (its
message, then the poll for the answer): on PostgreSQL that read was a sixth of a step's
round trips. So each instance remembers the sessions it read (`Remembered`) for a
short while, and forgets them the moment any instance commits a change to them (storage/
web_sessions.py `changed`, heard through the database's notifications). It trusts what it
remembers only while it hears every notification: on PostgreSQL, while its listening
connection is up (a reconnect forgets everything).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from storage import notify, web_sessions
from storage.db import Connection, Database
from storage.rows import WebSession

Clock = Callable[[], datetime]
COOKIE = "gs_session"
# The web console's own cookie: a browser may hold a chat session and a console session.
CONSOLE_COOKIE = "gs_console"
# last_seen_at is written at most this often (a write per request would queue on SQLite).
TOUCH_EVERY = timedelta(minutes=5)
TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG
# How long a session read is trusted without reading it again. Changes are told at once
# (`Remembered.heard`); this bounds what a change made without a word would cost.
REMEMBER_FOR = timedelta(seconds=30)
# Sessions remembered at most (then all are forgotten): a bound, not a working size.
REMEMBER_AT_MOST = 10_000
# Changes kept for reads under way: a read that outlives this many changes is not kept.
CHANGES_KEPT = 1_000


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Lifetimes:
    """How long sessions live: unused (idle), at most (absolute), and before joining."""

    idle: timedelta
    absolute: timedelta
    guest: timedelta = timedelta(days=1)


class Remembered:
    """Sessions this instance read lately, by token hash, until told they changed.

    A read that was under way while a change to its session was told is not remembered (it
    may predate the change); changes to other sessions do not hold it back.
    """

    def __init__(self, hub: notify.Hub) -> None:
        self._hub = hub
        self._sessions: dict[str, tuple[WebSession, datetime]] = {}
        self._told = 0  # changes heard so far
        # The latest changes, (number, what they name): `keep` looks at those told during
        # its read. None names every session (RESYNC, or a payload not understood).
        self._changes: deque[tuple[int, tuple[str, int] | None]] = deque(maxlen=CHANGES_KEPT)

    def get(self, hashed: str, now: datetime) -> WebSession | None:
        """The session remembered under `hashed`, when it may still be trusted."""
        if not self._hub.hearing:
            self._sessions.clear()  # what was missed is unknown: RESYNC will say so too
            return None
        found = self._sessions.get(hashed)
        if found is None:
            return None
        session, read_at = found
        if not read_at <= now < read_at + REMEMBER_FOR:
            del self._sessions[hashed]
            return None
        return session

    @property
    def mark(self) -> int:
        """Taken before a read; `keep` keeps it only if no change to it was told since."""
        return self._told

    def keep(self, hashed: str, session: WebSession, now: datetime, mark: int) -> None:
        """Remember a session just read (its row as of `now`)."""
        if not self._hub.hearing or self._changed_since(session, mark):
            return
        if len(self._sessions) >= REMEMBER_AT_MOST:
            self._sessions.clear()
        self._sessions[hashed] = (session, now)

    def _changed_since(self, session: WebSession, mark: int) -> bool:
        if mark == self._told:
            return False
        if not self._changes or self._changes[0][0] > mark + 1:
            return True  # some of the changes since were let go: any may have been this one
        return any(
            named is None or _names(named, session)
            for number, named in self._changes
            if number > mark
        )

    def forget(self, hashed: str) -> None:
        """Read it again next time (its row was just written)."""
        self._sessions.pop(hashed, None)

    def heard(self, payload: str) -> None:
        """A change told (storage/web_sessions.py `changed`): forget every session it names."""
        self._told += 1
        named = _named(payload)
        self._changes.append((self._told, named))
        if named is None:
            self._sessions.clear()
            return
        for hashed, (session, _) in list(self._sessions.items()):
            if _names(named, session):
                del self._sessions[hashed]


# What each kind of change names, as a field of the session read.
_FIELDS = {
    web_sessions.SESSION: "id",
    web_sessions.ACCOUNT: "identity_id",
    web_sessions.PERSON: "person_id",
}


def _named(payload: str) -> tuple[str, int] | None:
    """(session field, value) a change names; None for every session."""
    what, _, key = payload.partition(" ")
    field = _FIELDS.get(what)
    if payload == notify.RESYNC or field is None or not (key.isascii() and key.isdigit()):
        return None
    return field, int(key)


def _names(named: tuple[str, int], session: WebSession) -> bool:
    field, value = named
    return bool(getattr(session, field) == value)


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
        self.remembered = Remembered(db.hub)
        db.listen(notify.SESSIONS, self.remembered.heard)

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
        hashed = token_hash(token)
        found = self.remembered.get(hashed, now)
        if found is not None and not self._live(found, now):
            found = None  # ended by time, or touched by another instance: read it again
        if found is None:
            mark = self.remembered.mark
            async with self._db.read() as conn:
                found = await web_sessions.live_session(conn, hashed, now, self.lifetimes.idle)
            if found is None:
                return None
            self.remembered.keep(hashed, found, now, mark)
        if found.kind != kind:
            return None
        # A browser that has not joined keeps its session a day only; once its account has
        # joined, the full lifetime applies (no write needed: the row has the full end).
        if found.person_id is None and now - found.created_at > self.lifetimes.guest:
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            async with self._db.write(single=True) as conn:
                await web_sessions.touch(conn, found.id, now)
            self.remembered.forget(hashed)  # else every use would touch it again
        return found

    def _live(self, session: WebSession, now: datetime) -> bool:
        """What `live_session` checks besides revocation, on a session remembered."""
        return session.expires_at > now and session.last_seen_at > now - self.lifetimes.idle

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
