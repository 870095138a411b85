"""Calls to the Zalo OA Open API: consultation messages and uploads, errors typed for delivery.

Errors come back as HTTP 200 with `error != 0` (channels.md A.5). The codes are A.9's table;
what each means for delivery is decided here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from bot.channels.base import Failure, SendError
from bot.channels.http import Session, multipart, post_for_json
from bot.channels.zalo_oa_auth import RefreshFailed, TokenKeeper

# Invalid / expired access token: refresh, retry once (-124: the template endpoints' code).
TOKEN_ERRORS = frozenset({-216, -220, -124})
EXPIRED_ATTACHMENT = -100  # an uploaded id older than 7 days: upload again
RATE_LIMIT = -32
# -230/-232: no interaction within 7 days (A.6): this message, not the account.
OUTSIDE_WINDOW = frozenset({-230, -232})
# -213 not a follower; -227 locked or gone.
UNREACHABLE = frozenset({-213, -227})
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
    if error.code in OUTSIDE_WINDOW:
        return SendError(Failure.OUTSIDE_WINDOW, reason)
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

    def __init__(
        self, http: Session, base_url: str, tokens: TokenKeeper, business_url: str | None = None
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._business = (business_url or base_url).rstrip("/")
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

    async def send_template(
        self, *, user_id: str | None, phone: str | None, body: dict[str, Any]
    ) -> str | None:
        """A template message (A.7): by user id on the API host, or by phone (`84…`) on the
        business host; Zalo's message id."""
        if phone is not None:
            data = await self._call(
                "/message/template", json={"phone": phone, **body}, business=True
            )
            message_id = data.get("msg_id")
        else:
            data = await self._call("/v3.0/oa/message/template", json={"user_id": user_id, **body})
            message_id = data.get("message_id", data.get("msg_id"))
        return str(message_id) if message_id is not None else None

    async def _call(self, path: str, business: bool = False, **request: Any) -> dict[str, Any]:
        url = (self._business if business else self._base) + path
        token = await self._token()
        try:
            return await self._post(url, token, request)
        except ZaloError as error:
            if error.code not in TOKEN_ERRORS:
                raise
        try:
            token = await self._tokens.replace(token)
        except RefreshFailed as failed:
            raise SendError(Failure.TEMPORARY, f"token refresh failed: {failed}") from failed
        return await self._post(url, token, request)

    async def _token(self) -> str:
        try:
            return await self._tokens.token()
        except RefreshFailed as failed:
            raise SendError(Failure.TEMPORARY, f"token refresh failed: {failed}") from failed

    async def _post(self, url: str, token: str, request: dict[str, Any]) -> dict[str, Any]:
        if "files" in request:  # a form is sent once: each attempt gets its own
            request = {"data": multipart({}, request["files"])}
        status, body = await post_for_json(
            self._http, url, headers={"access_token": token}, **request
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
