"""Telegram updates translated into Inbound events (and the chores each one asks for)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Bot, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from handlers.types import Attachment, AttachmentKind, Inbound, InboundKind

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
MAX_TEXT = 4096
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.S)


class BadUpdate(ValueError):
    """A webhook body that is not a Telegram update."""


@dataclass(frozen=True)
class Translated:
    """What one update means for us."""

    update_id: int
    # The event to record and hand to the conversation core (None: nothing to handle).
    inbound: Inbound | None = None
    # A button press to answer (always, even a stale one) and the message whose menu it was.
    callback_id: str | None = None
    menu_message: tuple[int, int] | None = None
    # A group chat that addressed a command to us: it gets the way to a private chat.
    group_chat: int | None = None


def parse_update(data: Any, bot: Bot) -> Update:
    """Validate a webhook body as an Update; raise BadUpdate otherwise."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise BadUpdate("not an update")
    try:
        return Update.de_json(data, bot)
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as error:
        # OverflowError, OSError: a date or size no datetime or C int can hold.
        raise BadUpdate(type(error).__name__) from error


def translate(update: Update, bot_username: str | None, now: datetime) -> Translated:
    """The meaning of one update; anything we do not use, or cannot read, to nothing."""
    try:
        return _translate(update, bot_username, now)
    except (AttributeError, TypeError, ValueError, KeyError) as error:
        # PTB builds objects leniently: an update without fields Telegram always sends (or
        # shaped by a newer Bot API) is skipped, never allowed to stop its batch or offset.
        log.warning("telegram update %s skipped: %s", update.update_id, type(error).__name__)
        return Translated(update.update_id)


def _translate(update: Update, bot_username: str | None, now: datetime) -> Translated:
    uid = update.update_id
    if update.callback_query is not None:
        return _callback(update, now)
    if update.my_chat_member is not None:
        return _membership(update, now)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return Translated(uid)
    if message.chat.type != ChatType.PRIVATE:
        return _group(update, message, bot_username)
    return Translated(uid, inbound=_private(update, message, bot_username, now))


def _common(update: Update, chat_id: int, user: Any, now: datetime) -> dict[str, Any]:
    return {
        "channel": CHANNEL,
        "external_id": str(update.update_id),
        "sender_id": str(user.id),
        "chat_id": str(chat_id),
        "received_at": now,
    }


def _command(text: str, bot_username: str | None) -> tuple[str, str, bool] | None:
    """(name, args, addressed to us) for '/name@bot args'."""
    found = _COMMAND.match(text.strip())
    if found is None:
        return None
    name, target, args = found.group(1), found.group(2), found.group(3) or ""
    ours = target is None or bot_username is None or target.lower() == bot_username.lower()
    return name.lower(), args.strip(), ours


def _private(update: Update, message: Message, bot_username: str | None, now: datetime) -> Inbound:
    user = message.from_user
    common = _common(update, message.chat.id, user, now)
    if message.text is not None:
        text = message.text[:MAX_TEXT]
        command = _command(text, bot_username)
        if command is not None:
            name, args, _ = command
            return Inbound(kind=InboundKind.COMMAND, command=name, args=args, text=text, **common)
        return Inbound(kind=InboundKind.TEXT, text=text, **common)
    if message.contact is not None:
        own = user is not None and message.contact.user_id == user.id
        return Inbound(
            kind=InboundKind.CONTACT,
            contact_phone=message.contact.phone_number,
            contact_is_own=own,
            **common,
        )
    if message.location is not None:
        return Inbound(kind=InboundKind.LOCATION, **common)
    attachment = _attachment(message)
    if attachment is not None:
        return Inbound(kind=InboundKind.MEDIA, attachments=[attachment], **common)
    return Inbound(kind=InboundKind.UNSUPPORTED, **common)


def _attachment(message: Message) -> Attachment | None:
    """The evidence file a message carries: the largest photo size, or the file itself."""
    group = message.media_group_id
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        return _file("photo", largest.file_id, largest.file_size, "image/jpeg", None, group)
    found: tuple[AttachmentKind, Any] | None = None
    if message.document is not None:
        found = ("document", message.document)
    elif message.video is not None:
        found = ("video", message.video)
    elif message.video_note is not None:
        found = ("video", message.video_note)
    elif message.voice is not None:
        found = ("voice", message.voice)
    elif message.audio is not None:
        found = ("audio", message.audio)
    if found is None:
        return None
    kind, media = found
    name = getattr(media, "file_name", None)
    mime = getattr(media, "mime_type", None)
    return _file(kind, media.file_id, media.file_size, mime, name, group)


def _file(
    kind: AttachmentKind,
    file_id: str,
    size: int | None,
    mime: str | None,
    name: str | None,
    group: str | None,
) -> Attachment:
    return Attachment(
        kind=kind,
        file_ref=file_id[:300],
        channel=CHANNEL,
        mime=(mime or "")[:100] or None,
        size=size,
        file_name=(name or "")[:200] or None,
        group_id=group,
    )


def _group(update: Update, message: Message, bot_username: str | None) -> Translated:
    """In a group only a command addressed to us gets an answer: the way to a private chat."""
    command = _command(message.text or "", bot_username)
    if command is None or not command[2]:
        return Translated(update.update_id)
    return Translated(update.update_id, group_chat=message.chat.id)


def _callback(update: Update, now: datetime) -> Translated:
    query = update.callback_query
    assert query is not None
    uid = update.update_id
    message = query.message
    chat = message.chat if message is not None else None
    if chat is not None and chat.type != ChatType.PRIVATE:
        return Translated(uid, callback_id=query.id)
    chat_id = chat.id if chat is not None else query.from_user.id
    menu = (chat_id, message.message_id) if message is not None else None
    if not query.data:
        return Translated(uid, callback_id=query.id, menu_message=menu)
    inbound = Inbound(
        kind=InboundKind.BUTTON,
        button=query.data[:64],
        **_common(update, chat_id, query.from_user, now),
    )
    return Translated(uid, inbound=inbound, callback_id=query.id, menu_message=menu)


def _membership(update: Update, now: datetime) -> Translated:
    """A private chat's user blocked or unblocked the bot."""
    change = update.my_chat_member
    assert change is not None
    if change.chat.type != ChatType.PRIVATE:
        return Translated(update.update_id)
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        event = "blocked"
    elif status == ChatMemberStatus.MEMBER:
        event = "unblocked"
    else:
        return Translated(update.update_id)
    inbound = Inbound(
        kind=InboundKind.EVENT,
        event=event,
        **_common(update, change.chat.id, change.from_user, now),
    )
    return Translated(update.update_id, inbound=inbound)
