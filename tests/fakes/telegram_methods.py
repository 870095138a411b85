"""Synchronous Bot API method implementations (called by the server with the state lock held)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_types import ApiError, JsonDict, Params, Upload, bad_request
from tests.fakes.telegram_updates import UpdateInjector
from tests.fakes.telegram_validate import (
    CHAT_ACTIONS,
    caption_content,
    reply_markup,
    text_content,
)

SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendVoice",
        "sendAudio",
        "sendMediaGroup",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
MAX_DOWNLOAD = 20 * 1024 * 1024
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class Described:
    """A successful result that Telegram returns with a ``description`` (setWebhook etc.)."""

    result: Any
    description: str


# Bot API method name -> handler attribute (getUpdates is asynchronous, see telegram_api).
METHODS: dict[str, str] = {
    "getMe": "_api_get_me",
    "logOut": "_api_true",
    "close": "_api_true",
    "sendMessage": "_api_send_message",
    "sendPhoto": "_api_send_photo",
    "sendDocument": "_api_send_document",
    "sendVideo": "_api_send_video",
    "sendVoice": "_api_send_voice",
    "sendAudio": "_api_send_audio",
    "sendMediaGroup": "_api_send_media_group",
    "sendChatAction": "_api_send_chat_action",
    "editMessageText": "_api_edit_message_text",
    "editMessageReplyMarkup": "_api_edit_message_reply_markup",
    "deleteMessage": "_api_delete_message",
    "answerCallbackQuery": "_api_answer_callback_query",
    "setMyCommands": "_api_set_my_commands",
    "getMyCommands": "_api_get_my_commands",
    "deleteMyCommands": "_api_delete_my_commands",
    "getFile": "_api_get_file",
    "setWebhook": "_api_set_webhook",
    "deleteWebhook": "_api_delete_webhook",
    "getWebhookInfo": "_api_get_webhook_info",
}


class BotMethods(UpdateInjector):
    # -- shared validation -------------------------------------------------------------------
    def _chat(self, p: Params) -> JsonDict:
        raw = p.data.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat: JsonDict | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat = self.chats.get(raw)
        elif isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            chat = next(
                (
                    c
                    for c in self.chats.values()
                    if c["type"] != "private" and str(c.get("username", "")).lower() == name
                ),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        cid = int(chat["id"])
        if chat["type"] == "private":
            if cid in self._forbidden:
                raise ApiError(403, self._forbidden[cid])
            if cid not in self._started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _flood(self, chat: JsonDict) -> None:
        if self.enforce_limits:
            self.limiter.check(int(chat["id"]), chat["type"] == "private", self.monotonic())

    def _reply_to(self, cid: int, p: Params) -> JsonDict | None:
        reply = p.json_opt("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target if target is not None else p.int_opt("reply_to_message_id")
        if target is None:
            return None
        msg = self.message(cid, int(target))
        lenient = isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        if msg is None and not (lenient or p.bool_opt("allow_sending_without_reply")):
            raise bad_request("message to be replied not found")
        if msg is not None:
            msg.pop("reply_to_message", None)
        return msg

    def _post(self, chat: JsonDict, method: str, p: Params, content: JsonDict) -> JsonDict:
        """Store a new bot message in ``chat`` and return its Message JSON."""
        cid = int(chat["id"])
        msg: JsonDict = {
            "message_id": self._alloc_message_id(cid),
            "from": copy.deepcopy(self.bot_user),
            "chat": self._chat_ref(cid),
            "date": int(self.now()),
            **content,
        }
        self._messages[(cid, msg["message_id"])] = msg
        self._bot_sent.append((cid, msg["message_id"], method, p.data))
        return copy.deepcopy(msg)

    def _content(self, chat: JsonDict, p: Params, body: JsonDict) -> JsonDict:
        content = dict(body)
        reply_to = self._reply_to(int(chat["id"]), p)
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        markup = reply_markup(p)
        if markup is not None:
            content["reply_markup"] = markup
        return content

    # -- files -------------------------------------------------------------------------------
    def _media(self, p: Params, value: Any, kind: str, meta: Params | None = None) -> Any:
        """Resolve an InputFile parameter (upload, attach://, file_id or URL) to media JSON.

        ``meta`` holds width/height/duration (the request itself, or one InputMedia item).
        """
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.data.get(value.removeprefix("attach://"))
            if not isinstance(value, Upload):
                raise bad_request("wrong file identifier/HTTP URL specified")
        if value is None or value == "":
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            value = Upload(value.rsplit("/", 1)[-1] or kind, "application/octet-stream", b"url")
        if isinstance(value, Upload):
            return self._upload(meta or p, value, kind)
        if not isinstance(value, str):
            raise bad_request("wrong file identifier/HTTP URL specified")
        known = self._file_media.get(value)
        if known is None and value in self._files:
            stored = self._files[value]
            base = {k: v for k, v in stored.as_file().items() if k != "file_path"}
            known = (kind, [{**base, "width": 1280, "height": 960}] if kind == "photo" else base)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if known[0] != kind:
            raise bad_request(f"can't use file of type {known[0].title()} as {kind.title()}")
        return copy.deepcopy(known[1])

    def _upload(self, p: Params, upload: Upload, kind: str) -> Any:
        if not upload.content:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            return self._photo_sizes(((90, 68), (1280, 960)), upload.content)
        extra: JsonDict = {"file_name": upload.filename, "mime_type": upload.content_type}
        if kind == "video":
            extra["width"] = p.int_opt("width") or 1280
            extra["height"] = p.int_opt("height") or 720
        if kind in ("video", "audio", "voice"):
            extra["duration"] = p.int_opt("duration") or 0
        ext = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
        build = self._media_json(extra)
        return build(self._new_file(kind, upload.content, ext, build))

    # -- methods -----------------------------------------------------------------------------
    def _api_true(self, p: Params) -> Any:
        return True

    def _api_get_me(self, p: Params) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_send_message(self, p: Params) -> Any:
        chat = self._chat(p)
        content = self._content(chat, p, text_content(p))
        self._flood(chat)
        return self._post(chat, "sendMessage", p, content)

    def _send_file(self, p: Params, method: str, kind: str) -> Any:
        chat = self._chat(p)
        caption = caption_content(p)
        content = self._content(chat, p, {})
        media = self._media(p, p.data.get(kind), kind)
        self._flood(chat)
        return self._post(chat, method, p, {kind: media, **caption, **content})

    def _api_send_photo(self, p: Params) -> Any:
        return self._send_file(p, "sendPhoto", "photo")

    def _api_send_document(self, p: Params) -> Any:
        return self._send_file(p, "sendDocument", "document")

    def _api_send_video(self, p: Params) -> Any:
        return self._send_file(p, "sendVideo", "video")

    def _api_send_voice(self, p: Params) -> Any:
        return self._send_file(p, "sendVoice", "voice")

    def _api_send_audio(self, p: Params) -> Any:
        return self._send_file(p, "sendAudio", "audio")

    def _api_send_media_group(self, p: Params) -> Any:
        chat = self._chat(p)
        items = p.json_opt("media", "media JSON object")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise bad_request("can't parse media JSON object")
        if not 2 <= len(items) <= 10:
            raise bad_request("wrong number of media")
        bodies: list[JsonDict] = []
        for item in items:
            kind = item.get("type")
            if kind not in ("photo", "video", "document", "audio"):
                raise bad_request("can't parse InputMedia: unsupported media type")
            meta = Params(item)
            body = {
                kind: self._media(p, item.get("media"), str(kind), meta),
                **caption_content(meta),
            }
            bodies.append(body)
        reply_to = self._reply_to(int(chat["id"]), p)
        self._flood(chat)
        self._counter += 1
        group_id = str(13_000_000_000_000_000 + self._counter)
        extra: JsonDict = {"media_group_id": group_id}
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        return [self._post(chat, "sendMediaGroup", p, {**b, **extra}) for b in bodies]

    def _api_send_chat_action(self, p: Params) -> Any:
        self._chat(p)
        if p.str_opt("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _editable(self, p: Params, verb: str) -> JsonDict:
        if p.has("inline_message_id"):
            raise bad_request("inline messages are not supported by this fake")
        chat = self._chat(p)
        message_id = p.int_opt("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        key = (int(chat["id"]), message_id)
        msg = self._messages.get(key)
        if msg is None or key in self._deleted:
            raise bad_request(f"message to {verb} not found")
        return msg

    def _apply_edit(self, msg: JsonDict, changes: JsonDict) -> JsonDict:
        for key, value in changes.items():
            if value is None:
                msg.pop(key, None)
            else:
                msg[key] = value
        msg["edit_date"] = int(self.now())
        self._edited.add((int(msg["chat"]["id"]), int(msg["message_id"])))
        return copy.deepcopy(msg)

    def _api_edit_message_text(self, p: Params) -> Any:
        msg = self._editable(p, "edit")
        if msg["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        content = text_content(p)
        changes = {
            "text": content["text"],
            "entities": content.get("entities"),
            "reply_markup": reply_markup(p),
        }
        if all(msg.get(k) == v for k, v in changes.items()):
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(msg, changes)

    def _api_edit_message_reply_markup(self, p: Params) -> Any:
        msg = self._editable(p, "edit")
        if msg["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        markup = reply_markup(p)
        if msg.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(msg, {"reply_markup": markup})

    def _api_delete_message(self, p: Params) -> Any:
        msg = self._editable(p, "delete")
        own = msg["from"]["id"] == self.bot_user["id"]
        if msg["chat"]["type"] != "private" and not own:
            raise bad_request("message can't be deleted")
        self._deleted.add((int(msg["chat"]["id"]), int(msg["message_id"])))
        return True

    def _api_answer_callback_query(self, p: Params) -> Any:
        query_id = p.str_opt("callback_query_id") or ""
        expiry = self._callbacks.pop(query_id, None)
        if expiry is None or expiry < self.monotonic():
            raise bad_request(QUERY_TOO_OLD)
        return True

    @staticmethod
    def _commands_key(p: Params) -> str:
        scope = p.json_opt("scope", "BotCommandScope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + (p.str_opt("language_code") or "")

    def _api_set_my_commands(self, p: Params) -> Any:
        commands = p.json_opt("commands", "commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not _COMMAND_NAME.match(str(name)):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(p)] = copy.deepcopy(commands)
        return True

    def _api_get_my_commands(self, p: Params) -> Any:
        return copy.deepcopy(self._commands.get(self._commands_key(p), []))

    def _api_delete_my_commands(self, p: Params) -> Any:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _api_get_file(self, p: Params) -> Any:
        stored = self._files.get(p.str_opt("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.as_file()

    # -- webhook -----------------------------------------------------------------------------
    def _api_set_webhook(self, p: Params) -> Any:
        url = p.str_opt("url") or ""
        if not url:
            return self._api_delete_webhook(p)
        if not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str_opt("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = p.int_opt("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = p.json_opt("allowed_updates", "allowed updates JSON object")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed] or None
        if p.bool_opt("drop_pending_updates"):
            self._updates.clear()
        already = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {"url": url, "secret_token": secret, "max_connections": max_connections}
        self._webhook_error = None
        self._updates_changed()
        return Described(True, "Webhook is already set" if already else "Webhook was set")

    def _api_delete_webhook(self, p: Params) -> Any:
        if p.bool_opt("drop_pending_updates"):
            self._updates.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._webhook_error = None
        return Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _api_get_webhook_info(self, p: Params) -> Any:
        info: JsonDict = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info
