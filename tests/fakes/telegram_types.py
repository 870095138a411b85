"""Value types and request-parameter parsing shared by the fake Telegram Bot API server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

JsonDict = dict[str, Any]

# Parameters whose form-encoded value is a JSON document (python-telegram-bot json.dumps every
# non-string value; Telegram decodes them per parameter type).
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
    }
)
INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "max_connections",
        "duration",
        "width",
        "height",
    }
)
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "has_spoiler",
        "show_caption_above_media",
        "supports_streaming",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    }
)


class ApiError(Exception):
    """A Bot API error; rendered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        out: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def too_many_requests(retry_after: float) -> ApiError:
    # Telegram answers whole seconds, at least 1; a test may ask for a fraction of a second
    # (a long broadcast with many 429s would otherwise wait minutes), never for none.
    retry_after = retry_after if retry_after > 0 else 1
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class RecordedCall:
    """One HTTP request the fake received (``method`` is the canonical Bot API name)."""

    method: str
    params: JsonDict
    time: float
    status: int
    response: JsonDict
    token: str


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent, as it currently stands (after edits; ``params`` as sent)."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    caption: str | None
    reply_markup: JsonDict | None
    message: JsonDict
    params: JsonDict
    edited: bool
    deleted: bool


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    url: str
    attempt: int
    status: int | None
    error: str | None
    time: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes = field(repr=False)

    def as_file(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


def normalize_value(key: str, value: Any) -> Any:
    """Decode a form/multipart string value the way Telegram would for ``key``."""
    if not isinstance(value, str):
        return value
    if key in JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value  # left for the method to reject
    if key in INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if key in BOOL_PARAMS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


def normalize_params(raw: dict[str, Any]) -> JsonDict:
    return {key: normalize_value(key, value) for key, value in raw.items()}


class Params:
    """Typed accessors over a normalized parameter dict; raise Telegram-style 400s."""

    def __init__(self, data: JsonDict) -> None:
        self.data = data

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def str_opt(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool | int | float):
            return json.dumps(value)
        if not isinstance(value, str):
            raise bad_request(f"wrong parameter {name} in request")
        return value

    def int_opt(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"wrong parameter {name} in request") from None

    def bool_opt(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json_opt(self, name: str, what: str = "JSON object") -> Any:
        value = self.data.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what}") from None
        return value


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def read_params(request: Request) -> JsonDict:
    """Query string + JSON / form-urlencoded / multipart body -> normalized parameters."""
    raw: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON") from None
            if not isinstance(data, dict):
                raise bad_request("JSON object expected")
            raw.update(data)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form(max_part_size=50 * 1024 * 1024) as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    ctype = value.content_type or "application/octet-stream"
                    raw[key] = Upload(value.filename or key, ctype, await value.read())
                else:
                    raw[key] = value
    return normalize_params(raw)
