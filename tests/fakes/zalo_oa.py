"""FakeZaloOA: the Zalo OA Open API and its OAuth host on one port (channels.md A.0-A.10).

The bot points both ZALO_OA_API_BASE_URL and ZALO_OAUTH_BASE_URL at `base_url`.

Routes
  POST /v4/oa/access_token       OAuth refresh / code exchange (zalo_oa_auth.py, A.8)
  POST /v3.0/oa/message/cs       consultation message (A.5, A.6)
  POST /v2.0/oa/upload/image     multipart `file`, jpg/png <= 1 MB -> data.attachment_id (A.9)
  POST /v2.0/oa/upload/gif       multipart `file` -> data.attachment_id (A.9)
  POST /v2.0/oa/upload/file      multipart `file`, pdf/doc/docx <= 5 MB -> data.token (A.9)
  GET  /v2.0/oa/getoa            OA info / health check (A.9)
  POST /v3.0/oa/message/template template message by user id (A.7; zalo_oa_templates.py)
  POST /message/template         template message by phone, on Zalo's business host (A.7);
                                 the bot's ZALO_OA_BUSINESS_BASE_URL points here too

Open API errors come back as HTTP 200 with {"error": code, "message": text} (A.5 [S]); the
codes are A.9's list, the English texts are from the error table A.9 cites (Z5). Every Open API
response carries X-RateLimit-Limit / X-RateLimit-Remain (A.9).

Time runs on a clock the test controls (`advance`), starting at wall-clock time. It drives
token expiry, the 7-day window, the 48 h free window and attachment expiry.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .zalo_base import DeliveryResult, Incoming, Reply
from .zalo_oa_auth import (
    ACCESS_TOKEN_LIFETIME,
    DEFAULT_OAUTH_ERRORS,
    OAuthMixin,
    TokenPair,
)
from .zalo_oa_events import (
    DEFAULT_APP_ID,
    DEFAULT_OA_ID,
    DEFAULT_USER_ID,
    OAEventBuilders,
    zalo_signature,
)
from .zalo_oa_send import OA_ERRORS, SendMixin, SentMessage, Upload, oa_error
from .zalo_oa_templates import TemplateMixin, TemplateSent

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_OA_ID",
    "DEFAULT_USER_ID",
    "OA_ERRORS",
    "FakeZaloOA",
    "SentMessage",
    "TemplateSent",
    "TokenPair",
    "Upload",
    "zalo_signature",
]

DAY = 24 * 3600


@dataclass
class _User:
    last_interaction: float | None = None
    following: bool | None = None  # None: never followed nor unfollowed
    blocked: bool = False
    forced_error: int | None = None


class FakeZaloOA(OAEventBuilders, SendMixin, TemplateMixin, OAuthMixin):
    """Fake Zalo OA Open API + OAuth server. See the module docstring for routes."""

    name = "fake-zalo-oa"
    default_fault_status = 500

    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_secret: str = "fake-app-secret",
        oa_id: str = DEFAULT_OA_ID,
        oa_secret_key: str = "fake-oa-secret-key",
        access_token_lifetime: float = ACCESS_TOKEN_LIFETIME,
        refresh_delay: float = 0.0,
        expires_in_as_string: bool = True,
        revoke_old_access_token_on_refresh: bool = True,
        oauth_error_status: int = 200,
        oauth_errors: dict[str, tuple[int, str, str]] | None = None,
        interaction_window: float = 7 * DAY,
        free_window: float = 48 * 3600,
        zca_linked: bool = True,
        zca_funded: bool = True,
        window_error_code: int = -230,
        never_interacted_error_code: int = -230,
        unfollowed_error_code: int | None = None,
        blocked_error_code: int = -244,
        text_limit: int = 2000,
        text_too_long_error_code: int = -210,
        image_max_bytes: int = 1024 * 1024,
        file_max_bytes: int = 5 * 1024 * 1024,
        upload_too_large_error_code: int = -210,
        attachment_lifetime: float = 7 * DAY,
        rate_limit_per_minute: int = 4000,
        port: int = 0,
    ) -> None:
        """Options marked [U] in channels.md are configurable here:

        - oa_secret_key: the webhook signing key. A.4 [U]: a separate "OA Secret Key" (Z2)
          or the app secret (Z1). `deliver(secret_key=...)` overrides per call.
        - oauth_errors / oauth_error_status: error body of the token endpoint (A.8 has none).
        - window_error_code / never_interacted_error_code: A.6 says -230 or -232 [S]; which
          one for which case is not documented. Both default to -230 (A.9: "no interaction
          in 7 days").
        - unfollowed_error_code: whether a user who unfollowed (`unfollow()` or
          `set_following(uid, False)`) but is inside the 7-day window can still get CS
          messages is not documented; None (default) lets the send through, -213 ("not a
          follower", A.9) rejects it.
        - blocked_error_code: -244 "user blocked this type of message" (A.9).
        - text_too_long_error_code: over 2000 characters (A.5 [C] limit; code [U], -210
          "Parameter exceeds allowable limit" from A.9's table). Length is counted in code
          points after NFC normalisation [U].
        - file_max_bytes: 5 MB (A.9 [S]; one codebase says 20 MB [U]).
        - upload_too_large_error_code: [U], -210 by default.
        - free_window / zca_*: A.6 [S]: <= 48 h free (quota_type "reply"), 48 h - 7 d billed
          (no `quota` in the reply) and needs a funded Zalo Cloud Account, else -320 / -321.
        """
        super().__init__(port=port)
        self.app_id = app_id
        self.app_secret = app_secret
        self.oa_id = oa_id
        self.oa_secret_key = oa_secret_key
        self.access_token_lifetime = access_token_lifetime
        self.expires_in_as_string = expires_in_as_string
        self.revoke_old_access_token_on_refresh = revoke_old_access_token_on_refresh
        self.oauth_error_status = oauth_error_status
        self.oauth_errors = {**DEFAULT_OAUTH_ERRORS, **(oauth_errors or {})}
        self.interaction_window = interaction_window
        self.free_window = free_window
        self.zca_linked = zca_linked
        self.zca_funded = zca_funded
        self.window_error_code = window_error_code
        self.never_interacted_error_code = never_interacted_error_code
        self.unfollowed_error_code = unfollowed_error_code
        self.blocked_error_code = blocked_error_code
        self.text_limit = text_limit
        self.text_too_long_error_code = text_too_long_error_code
        self.image_max_bytes = image_max_bytes
        self.file_max_bytes = file_max_bytes
        self.upload_too_large_error_code = upload_too_large_error_code
        self.attachment_lifetime = attachment_lifetime
        self.rate_limit_per_minute = rate_limit_per_minute
        self._clock_offset = 0.0
        self._users: dict[str, _User] = {}
        self._rate_bucket = (-1, 0)
        self._init_oauth(refresh_delay)
        self._init_send()
        self._init_templates()
        self.initial_tokens = self.issue_tokens()

    # ------------------------------------------------------------------ clock
    def now(self) -> float:
        """Seconds on the fake clock (wall clock plus everything passed to `advance`)."""
        with self._lock:
            return time.time() + self._clock_offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._clock_offset += seconds

    # ------------------------------------------------------------------ users
    def _user(self, user_id: str) -> _User:
        return self._users.setdefault(user_id, _User())

    def _touch(self, user_id: str, *, follow: bool | None = None, interacted: bool = True) -> None:
        with self._lock:
            user = self._user(user_id)
            if interacted:
                user.last_interaction = self.now()
            if follow is not None:
                user.following = follow

    def user_interacted(self, user_id: str, *, seconds_ago: float = 0.0) -> None:
        """Record an interaction (A.6) `seconds_ago` seconds before the fake clock's now."""
        with self._lock:
            self._user(user_id).last_interaction = self.now() - seconds_ago

    def last_interaction(self, user_id: str) -> float | None:
        with self._lock:
            user = self._users.get(user_id)
            return None if user is None else user.last_interaction

    def set_following(self, user_id: str, following: bool) -> None:
        with self._lock:
            self._user(user_id).following = following

    def block_user(self, user_id: str, blocked: bool = True) -> None:
        """The user restricted this message type from the OA: sends fail with -244."""
        with self._lock:
            self._user(user_id).blocked = blocked

    def set_user_error(self, user_id: str, code: int | None) -> None:
        """Force every send to this user to fail with `code` (e.g. -227, -218); None clears."""
        with self._lock:
            self._user(user_id).forced_error = code

    def set_zca(self, *, linked: bool = True, funded: bool = True) -> None:
        with self._lock:
            self.zca_linked, self.zca_funded = linked, funded

    # ----------------------------------------------------------------- faults
    def fail_next(
        self,
        path: str | None = None,
        *,
        count: int = 1,
        status: int | None = None,
        json: Any = None,
        hang: float = 0.0,
        error: int | None = None,
    ) -> None:
        """Fault the next request(s) to `path` (None: any).

        Default: HTTP 500. `error=-32` answers like Zalo does: HTTP 200 {"error": -32, ...}.
        """
        if error is not None and json is None:
            json = oa_error(error)
            status = 200 if status is None else status
        super().fail_next(path, count=count, status=status, json=json, hang=hang)

    def _default_fault_body(self, status: int) -> Any:
        return {"error": -1, "message": "Internal error (injected)"}

    # ------------------------------------------------------------- dispatch
    def _extra_headers(self, incoming: Incoming) -> dict[str, str]:
        if incoming.path.startswith("/v4/"):
            return {}
        with self._lock:
            used = self._rate_bucket[1]
        remain = max(self.rate_limit_per_minute - used, 0)
        return {
            "X-RateLimit-Limit": str(self.rate_limit_per_minute),
            "X-RateLimit-Remain": str(remain),
        }

    def _rate_limited(self) -> bool:
        with self._lock:
            minute = int(self.now() // 60)
            bucket, used = self._rate_bucket
            used = used + 1 if bucket == minute else 1
            self._rate_bucket = (minute, used)
            return used > self.rate_limit_per_minute

    def _check_token(self, incoming: Incoming) -> dict[str, Any] | None:
        state = self.access_token_state(incoming.headers.get("access_token", ""))
        if state == "unknown":
            return oa_error(-216)
        if state == "expired":
            return oa_error(-220)
        return None

    async def _dispatch(self, incoming: Incoming) -> Reply:
        path, method = incoming.path, incoming.method
        if path == "/v4/oa/access_token" and method == "POST":
            return await self._handle_token(incoming)
        handlers: dict[tuple[str, str], Callable[[Incoming], dict[str, Any]]] = {
            ("POST", "/v3.0/oa/message/cs"): self._handle_cs,
            ("POST", "/v2.0/oa/upload/image"): lambda r: self._handle_upload(r, "image"),
            ("POST", "/v2.0/oa/upload/gif"): lambda r: self._handle_upload(r, "gif"),
            ("POST", "/v2.0/oa/upload/file"): lambda r: self._handle_upload(r, "file"),
            ("GET", "/v2.0/oa/getoa"): self._handle_getoa,
            ("POST", "/v3.0/oa/message/template"): self._handle_template_uid,
            ("POST", "/message/template"): self._handle_template_phone,
        }
        handler = handlers.get((method, path))
        if handler is None:
            return Reply(404, {"error": 404, "message": f"fake: no route {method} {path}"})
        if self._rate_limited():
            return Reply(200, oa_error(-32))
        problem = self._check_token(incoming)
        if problem is not None:
            return Reply(200, problem)
        answer = handler(incoming)
        if path.endswith("/message/template"):
            await self._maybe_stall(answer)
        return Reply(200, answer)

    def _handle_getoa(self, incoming: Incoming) -> dict[str, Any]:
        data = {
            "oaid": self.oa_id,
            "name": "Gương Sáng (fake)",
            "is_verified": True,
            "oa_type": 2,
            "package_name": "fake",
            "linked_ZCA": self.zca_linked,
        }
        return {"error": 0, "message": "Success", "data": data}

    def _window_error(self, user_id: str) -> int | None:
        """A.6: None when sendable; else the error code. Also decides billing."""
        user = self._user(user_id)
        if user.forced_error is not None:
            return user.forced_error
        if user.blocked:
            return self.blocked_error_code
        if user.following is False and self.unfollowed_error_code is not None:
            return self.unfollowed_error_code
        if user.last_interaction is None:
            return self.never_interacted_error_code
        age = self.now() - user.last_interaction
        if age > self.interaction_window:
            return self.window_error_code
        if age > self.free_window:
            if not self.zca_linked:
                return -320
            if not self.zca_funded:
                return -321
        return None

    def _knows_user(self, user_id: str) -> bool:
        user = self._users.get(user_id)
        return user is not None and (user.last_interaction is not None or bool(user.following))

    def _is_free(self, user_id: str) -> bool:
        last = self._user(user_id).last_interaction
        return last is not None and self.now() - last <= self.free_window

    # -------------------------------------------------------------- webhooks
    def _signed_request(
        self,
        event: dict[str, Any],
        *,
        sign: bool,
        secret_key: str | None,
        app_id: str | None,
        tamper: Callable[[bytes], bytes] | None,
        mac_prefix: bool,
        signature: str | None,
        headers: dict[str, str] | None,
        num_retry: int | None,
    ) -> tuple[bytes, dict[str, str]]:
        body = jsonlib.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        out: dict[str, str] = {}
        if sign:
            mac = signature or zalo_signature(
                app_id if app_id is not None else self.app_id,
                body,
                str(event.get("timestamp", "")),
                secret_key if secret_key is not None else self.oa_secret_key,
            )
            out["X-ZEvent-Signature"] = f"mac={mac}" if mac_prefix else mac
        if num_retry is not None:
            out["num_retry"] = str(num_retry)  # A.1: added on retries
        out.update(headers or {})
        if tamper is not None:
            body = tamper(body)
        return body, out

    def deliver(
        self,
        event: dict[str, Any],
        *,
        url: str,
        sign: bool = True,
        secret_key: str | None = None,
        app_id: str | None = None,
        tamper: Callable[[bytes], bytes] | None = None,
        mac_prefix: bool = True,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        num_retry: int | None = None,
        timeout: float = 10.0,
    ) -> DeliveryResult:
        """POST `event` to the bot's webhook, signed per A.4. Blocks this thread.

        `X-ZEvent-Signature: mac=<sha256(app_id + body + timestamp + secret_key)>`; the
        `mac=` prefix is [U] (`mac_prefix=False` drops it). `secret_key` defaults to
        `oa_secret_key`, `app_id` to the fake's app id (pass the OA id to test A.4's "first
        term" variant). `tamper` rewrites the body after signing. Do not call this from the
        event loop the bot runs on; use `deliver_async` there.
        """
        body, hdrs = self._signed_request(
            event,
            sign=sign,
            secret_key=secret_key,
            app_id=app_id,
            tamper=tamper,
            mac_prefix=mac_prefix,
            signature=signature,
            headers=headers,
            num_retry=num_retry,
        )
        return self._submit(self._post(url, body, hdrs, timeout), timeout + 5)

    async def deliver_async(
        self,
        event: dict[str, Any],
        *,
        url: str,
        sign: bool = True,
        secret_key: str | None = None,
        app_id: str | None = None,
        tamper: Callable[[bytes], bytes] | None = None,
        mac_prefix: bool = True,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        num_retry: int | None = None,
        timeout: float = 10.0,
    ) -> DeliveryResult:
        """`deliver` for async tests: the POST runs on the fake's loop, this one awaits."""
        body, hdrs = self._signed_request(
            event,
            sign=sign,
            secret_key=secret_key,
            app_id=app_id,
            tamper=tamper,
            mac_prefix=mac_prefix,
            signature=signature,
            headers=headers,
            num_retry=num_retry,
        )
        return await asyncio.wait_for(
            self._submit_async(self._post(url, body, hdrs, timeout)), timeout + 5
        )
