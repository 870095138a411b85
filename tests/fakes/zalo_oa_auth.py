"""OAuth half of FakeZaloOA: `POST /v4/oa/access_token` (channels.md A.8).

Facts used: form-encoded body `app_id`, `grant_type`, `refresh_token` (or `code`,
`code_verifier`), header `secret_key` [C]; response `{access_token, refresh_token,
expires_in}` with `expires_in` a string, "90000" = 25 h [S]; refresh tokens last 3 months and
are single use, each refresh returns a new pair and the old access token stops working at
once [S]; authorization codes last 10 minutes, single use [S].

[U] The error body for a bad, used or expired refresh token is not documented (channels.md
A.8 gives none; the research notes mark it unverified). The default here borrows the shape
Zalo uses for its `-14xxx` OAuth errors (`error`, `error_name`, `error_reason`, `ref_doc`;
the `-14003` consent error is in A.8) with code -14014; override with `oauth_errors=` and
`oauth_error_status=`.
"""

from __future__ import annotations

import secrets
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from .zalo_base import FakeServer, Incoming, Reply

ACCESS_TOKEN_LIFETIME = 25 * 3600  # A.8 [S]: 25 h, expires_in "90000"
REFRESH_TOKEN_LIFETIME = 90 * 24 * 3600  # A.8 [S]: 3 months
AUTH_CODE_LIFETIME = 600  # A.8 [S]: 10 minutes

# [U] codes and names: see module docstring.
DEFAULT_OAUTH_ERRORS: dict[str, tuple[int, str, str]] = {
    "invalid_refresh_token": (
        -14014,
        "Invalid refresh_token",
        "refresh_token is invalid, expired or already used",
    ),
    "invalid_app_id": (-14002, "Invalid appId", "app_id does not match"),
    "invalid_secret_key": (-14015, "Invalid secret_key", "secret_key header is wrong or missing"),
    "invalid_grant_type": (-14016, "Invalid grant_type", "unsupported grant_type"),
    "invalid_code": (-14019, "Invalid code", "authorization code is invalid, expired or used"),
    "invalid_code_verifier": (-14020, "Invalid code_verifier", "code_verifier does not match"),
}


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str


@dataclass
class _AccessToken:
    expires_at: float
    revoked: bool = False


@dataclass
class _RefreshToken:
    expires_at: float
    used: bool = False


@dataclass
class _RefreshFailure:
    remaining: int
    status: int
    body: Any
    consume: bool


class OAuthMixin(FakeServer):
    """Token state and the token endpoint. Host class sets the attributes below."""

    app_id: str
    app_secret: str
    access_token_lifetime: float
    expires_in_as_string: bool
    revoke_old_access_token_on_refresh: bool
    oauth_error_status: int
    oauth_errors: dict[str, tuple[int, str, str]]

    @abstractmethod
    def now(self) -> float:
        """Provided by the host class."""

    def _init_oauth(self, refresh_delay: float) -> None:
        self._access: dict[str, _AccessToken] = {}
        self._refresh: dict[str, _RefreshToken] = {}
        self._codes: dict[str, tuple[float, str | None]] = {}
        self._current: TokenPair | None = None
        self._refresh_delay = refresh_delay
        self._refresh_failures: list[_RefreshFailure] = []
        self._refresh_count = 0
        self._refresh_in_flight = 0
        self._refresh_max_in_flight = 0

    # ------------------------------------------------------------- control
    def issue_tokens(self) -> TokenPair:
        """Mint a pair as the console's API Explorer does (A.8); it becomes current."""
        with self._lock:
            pair = TokenPair("at-" + secrets.token_urlsafe(24), "rt-" + secrets.token_urlsafe(24))
            now = self.now()
            self._access[pair.access_token] = _AccessToken(now + self.access_token_lifetime)
            self._refresh[pair.refresh_token] = _RefreshToken(now + REFRESH_TOKEN_LIFETIME)
            self._current = pair
            return pair

    @property
    def tokens(self) -> TokenPair:
        """The newest pair the fake handed out (what the bot should hold now)."""
        with self._lock:
            if self._current is None:
                raise RuntimeError("no tokens issued")
            return self._current

    @property
    def access_token(self) -> str:
        return self.tokens.access_token

    @property
    def refresh_token(self) -> str:
        return self.tokens.refresh_token

    @property
    def refresh_count(self) -> int:
        """Refresh grants that rotated the token (including `fail_refresh(consume=True)`)."""
        with self._lock:
            return self._refresh_count

    @property
    def max_concurrent_refreshes(self) -> int:
        """Largest number of token requests that were in flight at the same time."""
        with self._lock:
            return self._refresh_max_in_flight

    def set_refresh_delay(self, seconds: float) -> None:
        with self._lock:
            self._refresh_delay = seconds

    def fail_refresh(
        self, n: int = 1, *, status: int = 500, body: Any = None, consume: bool = False
    ) -> None:
        """Fail the next `n` token requests with HTTP `status`/`body`.

        With `consume=True` the refresh token is rotated anyway (a lost response): the
        client's token is then spent and only `tokens` knows the new pair.
        """
        if body is None:
            body = {"error": -1, "message": "Internal server error (injected)"}
        with self._lock:
            self._refresh_failures.append(_RefreshFailure(n, status, body, consume))

    def expire_access_tokens(self) -> None:
        with self._lock:
            for token in self._access.values():
                token.expires_at = min(token.expires_at, self.now() - 1)

    def expire_refresh_tokens(self) -> None:
        with self._lock:
            for token in self._refresh.values():
                token.expires_at = min(token.expires_at, self.now() - 1)

    def authorization_code(self, code_verifier: str | None = None) -> str:
        """A code as the consent callback would carry it (`?code=...&oa_id=...`)."""
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = (self.now() + AUTH_CODE_LIFETIME, code_verifier)
        return code

    def access_token_state(self, token: str) -> str:
        """Return "valid", "expired" (lifetime over, or replaced by a refresh) or "unknown"."""
        with self._lock:
            info = self._access.get(token)
            if info is None:
                return "unknown"
            if info.revoked or info.expires_at <= self.now():
                return "expired"
            return "valid"

    # ------------------------------------------------------------- endpoint
    def _oauth_error(self, kind: str) -> Reply:
        code, name, reason = self.oauth_errors[kind]
        body = {"error": code, "error_name": name, "error_reason": reason, "ref_doc": ""}
        return Reply(self.oauth_error_status, body)

    def _mint_after_grant(self, *, refresh: bool) -> TokenPair:
        if self.revoke_old_access_token_on_refresh:
            for token in self._access.values():
                token.revoked = True
        if refresh:
            self._refresh_count += 1
        return self.issue_tokens()

    async def _handle_token(self, req: Incoming) -> Reply:
        with self._lock:
            self._refresh_in_flight += 1
            self._refresh_max_in_flight = max(self._refresh_max_in_flight, self._refresh_in_flight)
            delay = self._refresh_delay
        try:
            if delay > 0:
                await self.sleep(delay)
            with self._lock:
                return self._token_locked(req)
        finally:
            with self._lock:
                self._refresh_in_flight -= 1

    def _token_locked(self, req: Incoming) -> Reply:
        form = req.form or {}
        failure = self._refresh_failures[0] if self._refresh_failures else None
        if failure is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._refresh_failures.pop(0)
            if not failure.consume:
                return Reply(failure.status, failure.body)
        if req.headers.get("secret_key") != self.app_secret:
            return self._oauth_error("invalid_secret_key")
        if form.get("app_id") != self.app_id:
            return self._oauth_error("invalid_app_id")
        grant = form.get("grant_type")
        now = self.now()
        if grant == "refresh_token":
            info = self._refresh.get(form.get("refresh_token", ""))
            if info is None or info.used or info.expires_at <= now:
                return self._oauth_error("invalid_refresh_token")
            info.used = True
        elif grant == "authorization_code":
            entry = self._codes.pop(form.get("code", ""), None)
            if entry is None or entry[0] <= now:
                return self._oauth_error("invalid_code")
            if entry[1] is not None and form.get("code_verifier") != entry[1]:
                return self._oauth_error("invalid_code_verifier")
        else:
            return self._oauth_error("invalid_grant_type")
        pair = self._mint_after_grant(refresh=grant == "refresh_token")
        if failure is not None:  # consume=True: rotated, but the client never hears of it
            return Reply(failure.status, failure.body)
        lifetime = int(self.access_token_lifetime)
        body = {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": str(lifetime) if self.expires_in_as_string else lifetime,
        }
        return Reply(200, body)
