"""Request validation shared by the fake Bot API methods (Telegram's 400 descriptions)."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.telegram_markup import render
from tests.fakes.telegram_types import JsonDict, Params, bad_request

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


def check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be String")
    if not BUTTON_ACTIONS & button.keys():
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode()) <= 64):
        raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not button["url"]:
        raise bad_request("BUTTON_URL_INVALID")


def reply_markup(p: Params) -> JsonDict | None:
    """Validated reply_markup; only inline keyboards are echoed back in the Message."""
    markup = p.json_opt("reply_markup", "reply keyboard markup JSON object")
    if markup is None:
        return None
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup: expected an Array of Array")
        for row in rows:
            for button in row:
                check_button(button)
        return copy.deepcopy(markup)
    if isinstance(markup, dict) and markup.keys() & {
        "keyboard",
        "remove_keyboard",
        "force_reply",
    }:
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def text_content(p: Params) -> JsonDict:
    text, entities = render(
        p.str_opt("text") or "", p.str_opt("parse_mode"), p.json_opt("entities")
    )
    if not text:
        raise bad_request("message text is empty")
    if len(text) > 4096:
        raise bad_request("message is too long")
    return {"text": text, "entities": entities} if entities else {"text": text}


def caption_content(p: Params) -> JsonDict:
    raw = p.str_opt("caption")
    if not raw:
        return {}
    text, entities = render(raw, p.str_opt("parse_mode"), p.json_opt("caption_entities"))
    if len(text) > 1024:
        raise bad_request("message caption is too long")
    content: JsonDict = {"caption": text} if text else {}
    if entities:
        content["caption_entities"] = entities
    return content
