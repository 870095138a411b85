"""Channel-neutral types: what comes in (Inbound) and what goes out (Reply)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

# The channel of files the bot made itself (charts, spreadsheets, cards) under MEDIA_DIR:
# every adapter sends them as uploads rather than by a platform's file id.
LOCAL_FILES = "local"

AttachmentKind = Literal["photo", "video", "voice", "audio", "document", "sticker"]


def _without_nul(value: object) -> object:
    # What people paste may carry NUL (U+0000), which platforms pass on and PostgreSQL's
    # text cannot hold: it would fail every step that stores it.
    return value.replace("\x00", "") if isinstance(value, str) else value


class InboundKind(StrEnum):
    """What a platform event is, once translated at the edge."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"
    CONTACT = "contact"
    LOCATION = "location"
    # follow/unfollow/blocked/unblocked and similar platform notices
    EVENT = "event"
    # anything we cannot use (stickers, polls, ...): answered politely
    UNSUPPORTED = "unsupported"


class Attachment(BaseModel):
    """A file a person sent, or one we send; `file_ref` means something to its channel."""

    kind: AttachmentKind
    file_ref: str = Field(max_length=300)
    channel: str
    mime: str | None = None
    size: int | None = None
    file_name: str | None = Field(default=None, max_length=200)
    # Telegram albums: parts of one album share this id.
    group_id: str | None = None

    _no_nul = field_validator("*", mode="before")(_without_nul)


class Inbound(BaseModel):
    """One platform event, validated and translated by its channel adapter."""

    channel: str
    # Unique per channel: the dedupe key of the inbox.
    external_id: str = Field(max_length=128)
    sender_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    # No display name: the platforms send one, nothing needs it, so it is not stored (an
    # older payload's "sender_name" is ignored when read).
    kind: InboundKind
    text: str | None = None
    command: str | None = None
    args: str = ""
    button: str | None = None
    # What the button said, as the page showed it: for the person's own history only
    # (a label proves nothing; the token is checked).
    label: str | None = Field(default=None, max_length=200)
    attachments: list[Attachment] = Field(default_factory=list)
    contact_phone: str | None = None
    contact_is_own: bool = False
    event: str | None = None
    received_at: datetime

    _no_nul = field_validator("*", mode="before")(_without_nul)


class Choice(BaseModel):
    """One option of a menu: a button where the channel has them, a numbered line otherwise."""

    label: str
    token: str = Field(max_length=64)


class TemplateFill(BaseModel):
    """What a proactive message is, for channels that must send it as a pre-approved
    template outside a conversation window (Zalo OA): its kind and the values of the kind's
    placeholders (handlers/templates.py lists them)."""

    kind: str = Field(max_length=32)
    values: dict[str, str] = Field(default_factory=dict)
    # The unit whose budget pays for it (the call's, the reviewer's); None: the bot's own.
    unit_id: int | None = None


class Reply(BaseModel):
    """One message to send; channels render what they can and degrade the rest."""

    text: str
    choices: list[Choice] = Field(default_factory=list)
    media: list[Attachment] = Field(default_factory=list)
    # The text already shows each choice as a numbered line (a digest, numbered across its
    # messages): channels without buttons add only how to answer, not the lines again.
    listed: bool = False
    # Offer the platform's "share my phone number" button where there is one.
    ask_phone: bool = False
    # This message replaces the earlier one with the same key in the same chat (a progress
    # report): a channel that can edit messages edits that one, the others send a new one.
    replace_key: str | None = Field(default=None, max_length=200)
    # An intermediate update of a replace_key message: channels that cannot edit skip it.
    minor: bool = False
    # Filled in by delivery, not by the core: the platform id of the message to edit.
    edit_of: str | None = None
    # Sent outside the person's conversation (a bulk message, a notification): while it is
    # the latest message the chat received, a reply is taken as the answer to it (a typed
    # choice of it runs its action; other text or files go to `reply_action`).
    aside: bool = False
    # The action ("!answer.12") that receives a free reply to this message.
    reply_action: str | None = Field(default=None, max_length=64)
    # It shows a code (a sign-in code): its stored copy is stripped once delivered.
    secret: bool = False
    # A proactive message a channel may send as a template outside its window.
    template: TemplateFill | None = None
    # Filled in by delivery for rows with a template: the outbox row's id, which makes a
    # paid send idempotent (Zalo's tracking_id).
    outbox_id: int | None = None
