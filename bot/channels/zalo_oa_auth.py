"""The Zalo OA access token: refreshed ahead of expiry with the single-use refresh token.

channels.md A.8: the access token lives ~25 h; a refresh token works once and each refresh
returns a new pair while the old access token stops working at once. So refreshes happen
under one lock, and the new pair is committed to the database before anything uses it: a
crash after the refresh but before the commit would otherwise lose the only valid pair.
The pair is stored sealed with Fernet (a key derived from SECRET_KEY): a copy of the database
alone gives no token.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import NoReturn

from pydantic import BaseModel, ValidationError

from bot.channels.base import SendError
from bot.channels.http import Session, post_for_json
from bot.web.keys import Keys
from storage import kv
from storage.db import Connection, Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TOKENS_KEY = "zalo_oa.tokens"
# The stored value is {"sealed": <Fernet token of the pair's JSON>}.
SEALED = "sealed"
# Used when the token endpoint omits `expires_in` (A.8: "90000", 25 h).
DEFAULT_LIFETIME = timedelta(hours=25)


class TokenPair(BaseModel):
    """The pair as stored under TOKENS_KEY."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    # Hash of the ZALO_OA_REFRESH_TOKEN this chain of pairs grew from: when the operator
    # sets a new one (after a failure), it replaces the stored chain.
    seed: str = ""


def seed_of(token: str | None) -> str:
    """The stored fingerprint of a configured refresh token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else ""


class RefreshFailed(Exception):
    """The token endpoint did not give a new pair; the text never contains a token."""


class TokenKeeper:
    """Hands out a valid access token; refreshes it once however many callers need it."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        http: Session,
        *,
        oauth_base_url: str,
        app_id: str,
        app_secret: str,
        first_refresh_token: str | None,
        margin: timedelta,
        on_failure: Callable[[str], Awaitable[None]],
        keys: Keys,
    ) -> None:
        self._db = db
        self._keys = keys
        self._clock = clock
        self._http = http
        self._url = oauth_base_url.rstrip("/") + "/v4/oa/access_token"
        self._app_id = app_id
        self._app_secret = app_secret
        self._first_refresh_token = first_refresh_token
        self._margin = margin
        self._on_failure = on_failure
        self._lock = asyncio.Lock()
        self._pair: TokenPair | None = None
        self.failures = 0

    async def token(self) -> str:
        """A token that will not expire within the margin, refreshing when needed."""
        pair = self._pair
        if pair is not None and self._fresh(pair):
            return pair.access_token
        return await self._renewed(rejected=None)

    async def replace(self, rejected: str) -> str:
        """A new token after Zalo rejected `rejected` (-216/-220); one refresh per rejection."""
        return await self._renewed(rejected)

    async def _renewed(self, rejected: str | None) -> str:
        """The stored pair when someone renewed it meanwhile, else a refresh.

        One refresh at a time: this process's lock, and on PostgreSQL the stored pair's row
        lock, held across the call to Zalo, so that another instance needing a token waits
        and then uses the pair this one stored (its refresh token is spent). On SQLite (one
        process) no database lock is held while Zalo answers: writers would wait on it.
        """
        async with self._lock, self._holding_pair() as conn:
            pair = await self._load(conn)
            if pair is not None and pair.access_token != rejected and self._fresh(pair):
                return pair.access_token  # another send, or another instance, renewed it
            pair = await self._refresh(pair)
            await self._store(pair, conn)
            self._pair = pair
            return pair.access_token

    @asynccontextmanager
    async def _holding_pair(self) -> AsyncIterator[Connection | None]:
        if self._db.is_sqlite:
            yield None
            return
        async with self._db.write() as conn:
            yield conn

    def _fresh(self, pair: TokenPair) -> bool:
        return pair.expires_at - self._margin > self._clock()

    async def _load(self, conn: Connection | None) -> TokenPair | None:
        """The stored pair (another instance may have refreshed since we cached ours)."""
        if conn is None:
            async with self._db.read() as reading:
                value = await kv.get_value(reading, TOKENS_KEY)
        else:
            value = await kv.lock_value(conn, TOKENS_KEY, self._clock())
        if not value:
            return None
        pair = self._unseal(value)
        if pair is None:
            log.error(
                "the stored Zalo OA token pair is unreadable (sealed with another SECRET_KEY?);"
                " using ZALO_OA_REFRESH_TOKEN"
            )
            return None
        if not (isinstance(value, dict) and SEALED in value):
            await self._store(pair, conn)  # a pair stored in clear by an older version: seal it
        if self._first_refresh_token and pair.seed != seed_of(self._first_refresh_token):
            log.warning("ZALO_OA_REFRESH_TOKEN changed: starting again from it")
            return None
        self._pair = pair
        return pair

    async def _refresh(self, current: TokenPair | None) -> TokenPair:
        refresh_token = current.refresh_token if current else self._first_refresh_token
        if not refresh_token:
            await self._failed("no refresh token is stored or configured")
        try:
            status, body = await post_for_json(
                self._http,
                self._url,
                data={
                    "app_id": self._app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                },
                headers={"secret_key": self._app_secret},
            )
        except SendError as error:
            await self._failed(f"token endpoint unreachable: {error.reason}")
        pair = self._pair_from(body)
        if pair is None:
            # Log Zalo's error fields only: the body of a success would carry tokens.
            fields = ("error", "error_name", "message")
            detail = {k: body.get(k) for k in fields} if isinstance(body, dict) else "unreadable"
            await self._failed(f"HTTP {status}, {detail}")
        log.info("Zalo OA access token refreshed; valid until %s", pair.expires_at.isoformat())
        return pair

    async def _store(self, pair: TokenPair, conn: Connection | None) -> None:
        """Commit the pair before anything uses it (in the locking transaction, if any)."""
        value = {SEALED: self._keys.seal(pair.model_dump_json())}
        if conn is not None:
            await kv.put_value(conn, TOKENS_KEY, value, self._clock())
            return
        async with self._db.write() as writing:
            await kv.put_value(writing, TOKENS_KEY, value, self._clock())

    def _unseal(self, value: object) -> TokenPair | None:
        """The pair from its stored form: sealed, or in clear (older versions)."""
        try:
            if isinstance(value, dict) and SEALED in value:
                opened = self._keys.open(str(value[SEALED]))
                return TokenPair.model_validate_json(opened) if opened is not None else None
            return TokenPair.model_validate(value)
        except ValidationError:
            return None

    def _pair_from(self, body: object) -> TokenPair | None:
        if not isinstance(body, dict):
            return None
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            return None
        try:
            lifetime = timedelta(seconds=int(body.get("expires_in") or 0)) or DEFAULT_LIFETIME
        except (TypeError, ValueError):
            lifetime = DEFAULT_LIFETIME
        return TokenPair(
            access_token=access,
            refresh_token=refresh,
            expires_at=self._clock() + lifetime,
            seed=seed_of(self._first_refresh_token),
        )

    async def _failed(self, reason: str) -> NoReturn:
        self.failures += 1
        log.error("Zalo OA token refresh failed: %s", reason)
        await self._on_failure(reason)
        raise RefreshFailed(reason)
