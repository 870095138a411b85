"""Zalo Bot updates (channels.md A.11) translated into Inbound."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from handlers.commands import parse_slash
from handlers.types import Attachment, AttachmentKind, Inbound, InboundKind

CHANNEL = "zalo_bot"
MAX_FILE_REF = 300


class _From(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    id: str
    display_name: str | None = None
    is_bot: bool = False


class _Chat(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    id: str


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    message_id: str
    from_: _From
    chat: _Chat
    text: str | None = None
    photo: str | None = None
    url: str | None = None
    voice_url: str | None = None


class _Update(BaseModel):
    model_config = ConfigDict(extra="ignore")
    event_name: str | None = None
    message: _Message


def updates_in(result: Any) -> list[dict[str, Any]]:
    """getUpdates answers one update object, or a list of them (A.11 [U])."""
    if isinstance(result, list):
        return [u for u in result if isinstance(u, dict)]
    if isinstance(result, dict) and result:
        return [result]
    return []


def translate(update: dict[str, Any], received_at: datetime) -> Inbound | None:
    """The Inbound for a person's message; None for bots and unreadable updates."""
    try:
        return _translate(update, received_at)
    except ValidationError:  # e.g. an id longer than any Zalo id
        return None


def _translate(update: dict[str, Any], received_at: datetime) -> Inbound | None:
    raw = update.get("message")
    if isinstance(raw, dict) and "from" in raw:
        raw = {**raw, "from_": raw["from"]}
    try:
        parsed = _Update.model_validate({**update, "message": raw})
    except ValidationError:
        return None
    message = parsed.message
    if message.from_.is_bot:
        return None
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "external_id": message.message_id[:128],
        "sender_id": message.from_.id,
        "chat_id": message.chat.id,
        "received_at": received_at,
    }
    event = parsed.event_name or ""
    if message.text is not None and event in ("", "message.text.received"):
        slash = parse_slash(message.text.strip())
        if slash:
            return Inbound(
                kind=InboundKind.COMMAND,
                text=message.text,
                command=slash[0],
                args=slash[1],
                **common,
            )
        return Inbound(kind=InboundKind.TEXT, text=message.text, **common)
    picture = message.photo or message.url
    if event in ("message.image.received", "") and picture:
        return _media("photo", picture, common)
    if event == "message.voice.received" and message.voice_url:
        return _media("voice", message.voice_url, common)
    return Inbound(kind=InboundKind.UNSUPPORTED, **common)


def _media(kind: AttachmentKind, url: str, common: dict[str, Any]) -> Inbound:
    if not url.startswith("http") or len(url) > MAX_FILE_REF:
        return Inbound(kind=InboundKind.UNSUPPORTED, **common)
    attachment = Attachment(kind=kind, file_ref=url, channel=CHANNEL)
    return Inbound(kind=InboundKind.MEDIA, attachments=[attachment], **common)
