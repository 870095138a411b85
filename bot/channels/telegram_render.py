"""A Reply as Telegram messages: inline keyboards, the contact keyboard, limits, evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.channels.render import numbered_menu, split_text
from handlers.messages import t
from handlers.text import keep_whole
from handlers.types import LOCAL_FILES, Attachment, Reply

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup
PartKind = Literal["text", "photo", "video", "document", "voice", "audio"]
# Evidence kinds Telegram can show again by file_id, each with its own method (a file_id
# is refused as another kind). Stickers are not evidence.
SENDABLE: dict[str, PartKind] = {
    "photo": "photo",
    "video": "video",
    "document": "document",
    "voice": "voice",
    "audio": "audio",
}


@dataclass(frozen=True)
class Part:
    """One Bot API call: a text, or a file (by file_id) with an optional caption."""

    kind: PartKind
    text: str | None = None
    file_id: str | None = None
    markup: Markup | None = None
    # file_id names a file the bot made under MEDIA_DIR: upload it instead.
    local: bool = False
    file_name: str | None = None


def render(reply: Reply) -> list[Part]:
    """The calls that show `reply`: files first, then the text with its keyboard last."""
    files = [a for a in reply.media if a.channel in (CHANNEL, LOCAL_FILES) and a.kind in SENDABLE]
    skipped = len(reply.media) - len(files)
    text = keep_whole(reply.text)
    if not all(fits_callback_data(c.token) for c in reply.choices):
        # A token too long for a button: degrade to a numbered menu (typed answers work).
        text = keep_whole(numbered_menu(reply))
        reply = reply.model_copy(update={"choices": []})
    if skipped:
        text += "\n\n" + t("telegram.media_elsewhere", count=skipped)
    markup = keyboard(reply)
    if len(files) == 1 and len(text) <= CAPTION_LIMIT:
        return [_file(files[0], text, markup)]
    parts = [_file(a, trim(a.file_name or "", CAPTION_LIMIT) or None, None) for a in files]
    pieces = [p for p in split_text(text, TEXT_LIMIT) if p.strip()]
    if not pieces:
        # A keyboard needs a message to sit on; an empty text cannot be sent.
        pieces = ["…"] if markup is not None or not parts else []
    for n, piece in enumerate(pieces):
        last = n == len(pieces) - 1
        parts.append(Part("text", text=piece, markup=markup if last else None))
    return parts


def keyboard(reply: Reply) -> Markup | None:
    """Inline buttons for choices; a one-time contact keyboard when the phone is asked."""
    if reply.ask_phone:
        rows = [[KeyboardButton(t("telegram.share_phone"), request_contact=True)]]
        # Typed labels match the menu's options, so plain keyboard buttons work as choices.
        rows += [[KeyboardButton(c.label)] for c in reply.choices]
        return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.token)] for c in reply.choices]
    )


def trim(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a line or sentence end where possible."""
    if len(text) <= limit:
        return text
    return split_text(text, limit - 1)[0].rstrip() + "…"


def _file(attachment: Attachment, caption: str | None, markup: Markup | None) -> Part:
    return Part(
        SENDABLE[attachment.kind],
        text=caption,
        file_id=attachment.file_ref,
        markup=markup,
        local=attachment.channel == LOCAL_FILES,
        file_name=attachment.file_name,
    )


def fits_callback_data(token: str) -> bool:
    """Whether a button token fits Telegram's 64-byte callback_data."""
    return 0 < len(token.encode()) <= CALLBACK_DATA_BYTES
