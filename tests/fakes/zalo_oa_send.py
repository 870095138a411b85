"""Sending half of FakeZaloOA: `/v3.0/oa/message/cs` and the upload endpoints.

Bodies follow channels.md A.5: text (`message.text`, <= 2000 characters [C]); image as
`attachment{type:"template", payload{template_type:"media", elements:[{media_type:"image",
url | attachment_id}]}}` (one of url / attachment_id, never both [S]; gif needs width and
height [S]); file as `attachment{type:"file", payload{token}}` [C]; `request_user_info`
template with one element [C]. Uploads (A.9): image jpg/png <= 1 MB -> `data.attachment_id`;
file pdf/doc/docx <= 5 MB -> `data.token`; uploaded ids expire after 7 days with -100 [S].
"""

from __future__ import annotations

import secrets
import unicodedata
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from .zalo_base import FakeServer, Incoming

ALLOWED_EXTENSIONS = {
    "image": {"jpg", "jpeg", "png"},
    "gif": {"gif"},
    "file": {"pdf", "doc", "docx"},
}


# A.9 codes; messages from the error table A.9 cites (Z5).
OA_ERRORS: dict[int, str] = {
    -32: "Your application reached limit call api",
    -100: "attachment_id was expired",
    -201: "{field} is invalid!",
    -210: "Parameter exceeds allowable limit",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -218: "Out of quota receive",
    -220: "access_token is expired or removed",
    -227: "User is banned or has been inactive for more than 45 days",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User has not interacted with the OA, or the last interaction has expired",
    -233: "message type is invalid or not support",
    -244: "User has restricted this message type from your OA",
    -320: "Your app needs to connect with Zalo Cloud Account to use paid features",
    -321: "Zalo Cloud Account associated with this app is out of money or unable to be charged",
}


def oa_error(code: int, field: str = "parameter") -> dict[str, Any]:
    text = OA_ERRORS.get(code, "Unknown error").replace("{field}", field)
    return {"error": code, "message": text}


_error = oa_error


@dataclass(frozen=True)
class SentMessage:
    """A consultation message the fake accepted."""

    user_id: str
    kind: str  # "text", "image", "gif", "sticker", "file", "request_user_info"
    message: dict[str, Any]
    message_id: str
    sent_time: int
    quota_type: str | None  # "reply" inside the free 48 h window, None when billed

    @property
    def text(self) -> str | None:
        value = self.message.get("text")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Upload:
    attachment_id: str  # `data.attachment_id`, or `data.token` for files
    kind: str  # "image", "gif", "file"
    filename: str
    size: int
    uploaded_at: float


class SendMixin(FakeServer):
    text_limit: int
    text_too_long_error_code: int
    image_max_bytes: int
    file_max_bytes: int
    upload_too_large_error_code: int
    attachment_lifetime: float

    @abstractmethod
    def now(self) -> float:
        """Provided by the host class."""

    @abstractmethod
    def now_ms(self) -> int:
        """Provided by the host class."""

    @abstractmethod
    def _window_error(self, user_id: str) -> int | None:
        """Provided by the host class."""

    @abstractmethod
    def _is_free(self, user_id: str) -> bool:
        """Provided by the host class."""

    @staticmethod
    def _text_length(text: str) -> int:
        """[U] how Zalo counts: code points after NFC normalisation here."""
        return len(unicodedata.normalize("NFC", text))

    def _init_send(self) -> None:
        self._sent: list[SentMessage] = []
        self._uploads: dict[str, Upload] = {}
        self._expired_uploads: set[str] = set()

    # ----------------------------------------------------------------- control
    def sent_messages(self, user_id: str | None = None) -> list[SentMessage]:
        with self._lock:
            return [m for m in self._sent if user_id is None or m.user_id == user_id]

    def uploads(self, kind: str | None = None) -> list[Upload]:
        with self._lock:
            return [u for u in self._uploads.values() if kind is None or u.kind == kind]

    def expire_attachments(self) -> None:
        """Every attachment id / file token uploaded so far now fails with -100."""
        with self._lock:
            self._expired_uploads.update(self._uploads)

    # ---------------------------------------------------------------- uploads
    def _handle_upload(self, req: Incoming, kind: str) -> dict[str, Any]:
        upload = req.files.get("file")
        if upload is None:
            return _error(-201, "file")
        ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if ext not in ALLOWED_EXTENSIONS[kind]:
            return _error(-201, "file")
        limit = self.file_max_bytes if kind == "file" else self.image_max_bytes
        if upload.size > limit:
            return _error(self.upload_too_large_error_code)
        attachment_id = secrets.token_urlsafe(32)
        with self._lock:
            self._uploads[attachment_id] = Upload(
                attachment_id, kind, upload.filename, upload.size, self.now()
            )
        key = "token" if kind == "file" else "attachment_id"
        return {"error": 0, "message": "Success", "data": {key: attachment_id}}

    def _attachment_error(self, attachment_id: Any, kinds: set[str], field: str) -> int | None:
        if not isinstance(attachment_id, str):
            return -201
        with self._lock:
            upload = self._uploads.get(attachment_id)
            if upload is None or upload.kind not in kinds:
                return -201  # [U] the code for an id that never existed is not documented
            expired = attachment_id in self._expired_uploads
            if expired or self.now() - upload.uploaded_at > self.attachment_lifetime:
                return -100
        return None

    # --------------------------------------------------------------- messages
    def _classify(self, message: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        """Validate `message`; return (kind, error body or None)."""
        text = message.get("text")
        if text is not None and not isinstance(text, str):
            return "text", _error(-201, "text")
        if isinstance(text, str) and self._text_length(text) > self.text_limit:
            return "text", _error(self.text_too_long_error_code)
        attachment = message.get("attachment")
        if attachment is None:
            if not text:
                return "text", _error(-201, "message")
            return "text", None
        if not isinstance(attachment, dict):
            return "text", _error(-201, "attachment")
        payload = attachment.get("payload")
        if not isinstance(payload, dict):
            return "text", _error(-201, "payload")
        if attachment.get("type") == "file":
            code = self._attachment_error(payload.get("token"), {"file"}, "token")
            return "file", None if code is None else _error(code, "token")
        if attachment.get("type") != "template":
            return "text", _error(-233)
        elements = payload.get("elements")
        if (
            not isinstance(elements, list)
            or len(elements) != 1
            or not isinstance(elements[0], dict)
        ):
            return "text", _error(-201, "elements")
        element: dict[str, Any] = elements[0]
        template = payload.get("template_type")
        if template == "request_user_info":
            return "request_user_info", None if element.get("title") else _error(-201, "title")
        if template != "media":
            return "text", _error(-233)  # e.g. `list`: not available on v3 CS (A.5 [U])
        media_type = element.get("media_type")
        has_url, has_id = "url" in element, "attachment_id" in element
        if media_type == "sticker":
            ok = isinstance(element.get("attachment_id"), str)
            return "sticker", None if ok else _error(-201, "attachment_id")
        if media_type not in ("image", "gif") or has_url == has_id:
            return "image", _error(-201, "elements")
        if has_url:
            ok = isinstance(element["url"], str) and element["url"].startswith("http")
            return str(media_type), None if ok else _error(-201, "url")
        if media_type == "gif" and not ("width" in element and "height" in element):
            return "gif", _error(-201, "width")
        code = self._attachment_error(element["attachment_id"], {"image", "gif"}, "attachment_id")
        return str(media_type), None if code is None else _error(code, "attachment_id")

    def _handle_cs(self, req: Incoming) -> dict[str, Any]:
        body = req.json
        if not isinstance(body, dict):
            return _error(-201, "body")
        recipient = body.get("recipient")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        if not isinstance(user_id, str) or not user_id:
            # ids are strings (A.3); a number here means the bot parsed an id as a number
            return _error(-201, "user_id")
        message = body.get("message")
        if not isinstance(message, dict):
            return _error(-201, "message")
        kind, problem = self._classify(message)
        if problem is not None:
            return problem
        with self._lock:
            code = self._window_error(user_id)
            if code is not None:
                return _error(code)
            free = self._is_free(user_id)
            sent = SentMessage(
                user_id=user_id,
                kind=kind,
                message=message,
                message_id=secrets.token_hex(16),
                sent_time=self.now_ms(),
                quota_type="reply" if free else None,
            )
            self._sent.append(sent)
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "user_id": user_id,
            "sent_time": str(sent.sent_time),  # [U] type not documented
        }
        if free:
            data["quota"] = {"quota_type": "reply"}  # A.5 [S]; no quota object = billed
        return {"error": 0, "message": "Success", "data": data}
