"""Zalo OA webhook events: the signature check and the translation into Inbound.

Shapes are channels.md A.3: ids are strings that may exceed 2^53 (the body is parsed with
integers kept as strings so nothing is ever a float), `timestamp` is a string of epoch ms,
user messages carry `message.msg_id` (the inbox's dedupe key).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.web.jsonbody import parse_object
from handlers.commands import parse_slash
from handlers.types import Attachment, AttachmentKind, Inbound, InboundKind

CHANNEL = "zalo_oa"
# Media events and the attachment kind they become (A.2; gif shown as a photo).
MEDIA_EVENTS: dict[str, AttachmentKind] = {
    "user_send_image": "photo",
    "user_send_gif": "photo",
    "user_send_file": "document",
    "user_send_video": "video",
    "user_send_audio": "audio",
}
# Events we answer politely as "cannot read this".
UNSUPPORTED_EVENTS = frozenset({"user_send_sticker", "user_send_link", "user_send_business_card"})
MAX_FILE_REF = 300  # Attachment.file_ref's limit


def signature_ok(header: str, app_id: str, body: bytes, timestamp: str, key: str) -> bool:
    """A.4: sha256(app_id + raw body + timestamp + key), with or without 'mac=', any case."""
    given = header.strip()
    if given[:4].lower() == "mac=":
        given = given[4:]
    data = app_id.encode() + body + timestamp.encode() + key.encode()
    expected = hashlib.sha256(data).hexdigest()
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def parse_body(body: bytes) -> dict[str, Any] | None:
    """The JSON object of an event, numbers kept as strings; None when it is not one."""
    return parse_object(body, parse_int=str, parse_float=str)


def event_time(event: dict[str, Any]) -> datetime | None:
    """The event's `timestamp` (epoch ms as a string) as a UTC time."""
    raw = event.get("timestamp")
    # ASCII digits only ("²".isdigit() holds, int() refuses it); 13 digits reach 2286.
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or len(raw) > 13:
        return None
    try:
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class _Ref(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str


class _Attachment(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = ""
    payload: dict[str, Any] = {}


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    msg_id: str
    text: str | None = None
    attachments: list[_Attachment] = []


class _UserEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    event_name: str
    sender: _Ref
    timestamp: str
    message: _Message | None = None
    info: dict[str, Any] | None = None


class _FollowEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    event_name: str
    follower: _Ref
    timestamp: str


def translate(event: dict[str, Any], received_at: datetime) -> Inbound | None:
    """The Inbound for an event we act on; None for echoes, receipts and unknown events."""
    name = event.get("event_name")
    try:
        if name in ("follow", "unfollow"):
            follow = _FollowEvent.model_validate(event)
            return _inbound(
                f"{name}:{follow.follower.id}:{follow.timestamp}",
                follow.follower.id,
                received_at,
                kind=InboundKind.EVENT,
                event=str(name),
            )
        if name == "user_submit_info":
            return _submit_info(_UserEvent.model_validate(event), received_at)
        if isinstance(name, str) and name.startswith("user_send_"):
            return _user_message(_UserEvent.model_validate(event), received_at)
    except ValidationError:
        return None
    return None


def _inbound(external_id: str, sender: str, received_at: datetime, **fields: Any) -> Inbound:
    return Inbound(
        channel=CHANNEL,
        external_id=external_id[:128],
        sender_id=sender,
        chat_id=sender,
        received_at=received_at,
        **fields,
    )


def _submit_info(event: _UserEvent, received_at: datetime) -> Inbound | None:
    """The OA's form answer: the phone is the person's own (Zalo fills it from the account)."""
    phone = (event.info or {}).get("phone")
    if not isinstance(phone, str) or not phone:
        return None
    return _inbound(
        f"submit_info:{event.sender.id}:{event.timestamp}",
        event.sender.id,
        received_at,
        kind=InboundKind.CONTACT,
        contact_phone=phone,
        contact_is_own=True,
    )


def _user_message(event: _UserEvent, received_at: datetime) -> Inbound | None:
    message = event.message
    if message is None:
        return None
    common = (message.msg_id, event.sender.id, received_at)
    name = event.event_name
    if name == "user_send_text":
        text = message.text or ""
        slash = parse_slash(text.strip())
        if slash:
            return _inbound(
                *common, kind=InboundKind.COMMAND, text=text, command=slash[0], args=slash[1]
            )
        return _inbound(*common, kind=InboundKind.TEXT, text=text)
    if name == "user_send_location":
        coords = _first(message).get("coordinates")
        if isinstance(coords, dict):
            text = f"{coords.get('latitude')},{coords.get('longitude')}"
            return _inbound(*common, kind=InboundKind.LOCATION, text=text)
        return _inbound(*common, kind=InboundKind.UNSUPPORTED)
    if name in MEDIA_EVENTS:
        # Several photos sent at once come in one event: every one is kept.
        found = [_attachment(MEDIA_EVENTS[name], a.payload) for a in message.attachments]
        files = [a for a in found if a is not None]
        if files:
            return _inbound(*common, kind=InboundKind.MEDIA, attachments=files)
        return _inbound(*common, kind=InboundKind.UNSUPPORTED)
    if name in UNSUPPORTED_EVENTS:
        return _inbound(*common, kind=InboundKind.UNSUPPORTED)
    return None


def _first(message: _Message) -> dict[str, Any]:
    return message.attachments[0].payload if message.attachments else {}


def _attachment(kind: AttachmentKind, payload: dict[str, Any]) -> Attachment | None:
    """The file Zalo holds on its CDN; `file_ref` is its URL (A.3)."""
    url = payload.get("url")
    if not isinstance(url, str) or not url.startswith("http") or len(url) > MAX_FILE_REF:
        return None
    size = payload.get("size")
    name = payload.get("name")
    return Attachment(
        kind=kind,
        file_ref=url,
        channel=CHANNEL,
        size=int(size) if isinstance(size, str) and size.isdigit() else None,
        file_name=name[:200] if isinstance(name, str) and name else None,
    )
