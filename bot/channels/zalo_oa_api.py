"""Calls to the Zalo OA Open API: consultation messages and uploads, errors typed for delivery.

Errors come back as HTTP 200 with `error != 0` (channels.md A.5). The codes are A.9's table;
what each means for delivery is decided here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from bot.channels.base import Failure, SendError
from bot.channels.http import Session, multipart, post_for_json
from bot.channels.zalo_oa_auth import RefreshFailed, TokenKeeper

TOKEN_ERRORS = frozenset({-216, -220})  # invalid / expired access token: refresh, retry once
EXPIRED_ATTACHMENT = -100  # an uploaded id older than 7 days: upload again
RATE_LIMIT = -32
# -230/-232: no interaction within 7 days (A.6); -213 not a follower; -227 locked or gone.
UNREACHABLE = frozenset({-230, -232, -213, -227})
BLOCKED = frozenset({-244})
# Quotas, the night-time block, the Zalo Cloud Account balance: may clear later.
TEMPORARY = frozenset({-211, -218, -234, -320, -321})


class ZaloError(Exception):
    """An Open API answer with `error != 0`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message


def send_error(error: ZaloError, rate_pause: float) -> SendError:
    """What delivery should do about a Zalo error code."""
    reason = str(error)
    if error.code == RATE_LIMIT:
        return SendError(Failure.RATE_LIMITED, reason, retry_after=rate_pause)
    if error.code in UNREACHABLE:
        return SendError(Failure.UNREACHABLE, reason)
    if error.code in BLOCKED:
        return SendError(Failure.BLOCKED, reason)
    if error.code in TEMPORARY or error.code in TOKEN_ERRORS:
        return SendError(Failure.TEMPORARY, reason)
    # Bad parameters, text too long, API not granted, policy: retrying cannot help.
    return SendError(Failure.PERMANENT, reason)


class OAClient:
    """The Open API with a valid token on every call; a rejected token is replaced once."""

    def __init__(self, http: Session, base_url: str, tokens: TokenKeeper) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._tokens = tokens

    async def send_message(self, user_id: str, message: dict[str, Any]) -> str | None:
        """POST /v3.0/oa/message/cs; the platform's message id."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        data = await self._call("/v3.0/oa/message/cs", json=body)
        message_id = data.get("message_id")
        return str(message_id) if message_id is not None else None

    async def upload(self, kind: str, file_name: str, content: bytes, mime: str) -> str:
        """POST /v2.0/oa/upload/{image|file}; the attachment id (image) or token (file)."""
        data = await self._call(
            f"/v2.0/oa/upload/{kind}", files={"file": (file_name, content, mime)}
        )
        value = data.get("token" if kind == "file" else "attachment_id")
        if not isinstance(value, str):
            raise SendError(Failure.TEMPORARY, f"upload answered without an id: {sorted(data)}")
        return value

    async def _call(self, path: str, **request: Any) -> dict[str, Any]:
        token = await self._token()
        try:
            return await self._post(path, token, request)
        except ZaloError as error:
            if error.code not in TOKEN_ERRORS:
                raise
        try:
            token = await self._tokens.replace(token)
        except RefreshFailed as failed:
            raise SendError(Failure.TEMPORARY, f"token refresh failed: {failed}") from failed
        return await self._post(path, token, request)

    async def _token(self) -> str:
        try:
            return await self._tokens.token()
        except RefreshFailed as failed:
            raise SendError(Failure.TEMPORARY, f"token refresh failed: {failed}") from failed

    async def _post(self, path: str, token: str, request: dict[str, Any]) -> dict[str, Any]:
        if "files" in request:  # a form is sent once: each attempt gets its own
            request = {"data": multipart({}, request["files"])}
        status, body = await post_for_json(
            self._http, self._base + path, headers={"access_token": token}, **request
        )
        if status == 429:
            raise SendError(Failure.RATE_LIMITED, "HTTP 429", retry_after=60.0)
        if status >= 500:
            raise SendError(Failure.TEMPORARY, f"HTTP {status}")
        if status >= 400:
            raise SendError(Failure.PERMANENT, f"HTTP {status}")
        if not isinstance(body, dict):
            raise SendError(Failure.TEMPORARY, "unreadable answer")
        try:
            code = int(body.get("error", 0))
        except (TypeError, ValueError) as error:
            raise SendError(Failure.TEMPORARY, "unreadable error code") from error
        if code != 0:
            raise ZaloError(code, str(body.get("message", "")))
        data = body.get("data")
        return data if isinstance(data, dict) else {}
