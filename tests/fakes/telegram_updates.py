"""Builders that inject faithful user-side updates into the fake Bot API."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from typing import Any

from tests.fakes.telegram_state import TelegramState
from tests.fakes.telegram_types import JsonDict, StoredFile, utf16_len

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")
CALLBACK_TTL = 15.0
DEFAULT_PHOTO_SIZES: tuple[tuple[int, int], ...] = ((90, 68), (320, 240), (800, 600), (1280, 960))


def _placeholder(size: int) -> bytes:
    """``size`` bytes that start like a JPEG (not a decodable image)."""
    data = (
        b"\xff\xd8\xff\xe0" + bytes((i * 31) % 251 for i in range(max(0, size - 6))) + b"\xff\xd9"
    )
    return data[:size] if size < len(data) else data


class UpdateInjector(TelegramState):
    def _user(self, user_id: int) -> JsonDict:
        try:
            return copy.deepcopy(self.users[user_id])
        except KeyError:
            raise KeyError(f"unknown user {user_id}; call add_user() first") from None

    def _user_message(self, user_id: int, chat_id: int | None, content: JsonDict) -> JsonDict:
        """Store a message from ``user_id`` in ``chat_id`` (default: their private chat)."""
        with self._lock:
            cid = user_id if chat_id is None else chat_id
            if cid not in self.chats:
                raise KeyError(f"unknown chat {cid}")
            msg: JsonDict = {
                "message_id": self._alloc_message_id(cid),
                "from": self._user(user_id),
                "chat": self._chat_ref(cid),
                "date": int(self.now()),
                **content,
            }
            self._messages[(cid, msg["message_id"])] = msg
            if cid == user_id:
                self._started.add(user_id)  # writing to the bot starts the conversation
            return copy.deepcopy(msg)

    def _message_update(
        self, user_id: int, content: JsonDict, chat_id: int | None = None
    ) -> JsonDict:
        return self.inject_update({"message": self._user_message(user_id, chat_id, content)})

    @staticmethod
    def _text_content(text: str) -> JsonDict:
        content: JsonDict = {"text": text}
        found = _COMMAND.match(text)
        if found:
            length = utf16_len(found.group(0))
            content["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
        return content

    @staticmethod
    def _with_caption(
        content: JsonDict, caption: str | None, media_group_id: str | None
    ) -> JsonDict:
        if caption:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return content

    def send_text(
        self, user_id: int, text: str, *, reply_to_message_id: int | None = None
    ) -> JsonDict:
        """A private text message; "/cmd ..." gets a bot_command entity at offset 0."""
        content = self._text_content(text)
        if reply_to_message_id is not None:
            replied = self.message(user_id, reply_to_message_id)
            if replied is not None:
                content["reply_to_message"] = replied
        return self._message_update(user_id, content)

    def send_group_text(self, chat_id: int, user_id: int, text: str) -> JsonDict:
        return self._message_update(user_id, self._text_content(text), chat_id)

    def press_button(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> JsonDict:
        """A callback_query for an inline button; answerable for 15 s of fake time."""
        cid = user_id if chat_id is None else chat_id
        with self._lock:
            msg = self.message(cid, message_id)
            if msg is None:
                raise KeyError(f"no message {message_id} in chat {cid}")
            self._counter += 1
            query_id = str(4_300_000_000_000_000_000 + self._counter)
            self._callbacks[query_id] = self.monotonic() + CALLBACK_TTL
            query: JsonDict = {
                "id": query_id,
                "from": self._user(user_id),
                "message": msg,
                "chat_instance": str(-(8_000_000_000_000_000_000 + abs(cid))),
                "data": data,
            }
        return self.inject_update({"callback_query": query})

    def _photo_sizes(self, sizes: Sequence[tuple[int, int]], content: bytes | None) -> Any:
        photo: list[JsonDict] = []
        largest = sizes[-1][0] * sizes[-1][1]
        for index, (width, height) in enumerate(sizes):
            if index == len(sizes) - 1 and content is not None:
                data = content
            elif content is not None:  # keep file_size increasing up to the real content
                data = _placeholder(max(1, len(content) * width * height // largest))
            else:
                data = _placeholder(width * height // 12)

            def size_json(f: StoredFile, w: int = width, h: int = height) -> JsonDict:
                return {
                    "file_id": f.file_id,
                    "file_unique_id": f.file_unique_id,
                    "file_size": len(f.content),
                    "width": w,
                    "height": h,
                }

            photo.append(size_json(self._new_file("photo", data, "jpg", size_json)))
        for item in photo:  # resending any size's file_id yields the whole set, like Telegram
            self._file_media[item["file_id"]] = ("photo", photo)
        return photo

    def send_photo(
        self,
        user_id: int,
        sizes: Sequence[tuple[int, int]] | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        content: bytes | None = None,
    ) -> JsonDict:
        """A photo with several PhotoSize (increasing width/file_size), all downloadable.

        ``content`` (e.g. real JPEG bytes) becomes the largest size; smaller sizes get
        placeholder bytes.
        """
        photo = self._photo_sizes(sizes or DEFAULT_PHOTO_SIZES, content)
        return self._message_update(
            user_id, self._with_caption({"photo": photo}, caption, media_group_id)
        )

    @staticmethod
    def _media_json(extra: JsonDict) -> Callable[[StoredFile], JsonDict]:
        def build(f: StoredFile) -> JsonDict:
            return {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "file_size": len(f.content),
                **extra,
            }

        return build

    def send_document(
        self,
        user_id: int,
        content: bytes = b"%PDF-1.4\n% fake document\n%%EOF\n",
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> JsonDict:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        build = self._media_json({"file_name": file_name, "mime_type": mime_type})
        doc = build(self._new_file("document", content, ext, build))
        return self._message_update(
            user_id, self._with_caption({"document": doc}, caption, media_group_id)
        )

    def send_video(
        self,
        user_id: int,
        content: bytes = b"\x00\x00\x00\x18ftypmp42fake-video",
        width: int = 640,
        height: int = 360,
        duration: int = 5,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> JsonDict:
        extra = {"width": width, "height": height, "duration": duration, "mime_type": "video/mp4"}
        build = self._media_json(extra)
        video = build(self._new_file("video", content, "mp4", build))
        return self._message_update(
            user_id, self._with_caption({"video": video}, caption, media_group_id)
        )

    def send_voice(
        self, user_id: int, content: bytes = b"OggS\x00fake-voice", duration: int = 2
    ) -> JsonDict:
        build = self._media_json({"duration": duration, "mime_type": "audio/ogg"})
        voice = build(self._new_file("voice", content, "oga", build))
        return self._message_update(user_id, {"voice": voice})

    def send_sticker(self, user_id: int, emoji: str = "👍") -> JsonDict:
        extra = {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        build = self._media_json(extra)
        sticker = build(self._new_file("sticker", b"RIFF\x00\x00\x00\x00WEBPfake", "webp", build))
        return self._message_update(user_id, {"sticker": sticker})

    def send_contact(
        self,
        user_id: int,
        phone: str,
        contact_user_id: int | None = None,
        *,
        first_name: str | None = None,
    ) -> JsonDict:
        """A shared contact; ``contact_user_id`` defaults to the sender (request_contact)."""
        with self._lock:
            owner = dict(self.users.get(contact_user_id or user_id, {}))
        contact: JsonDict = {
            "phone_number": phone,
            "first_name": first_name or owner.get("first_name", "Contact"),
            "user_id": contact_user_id if contact_user_id is not None else user_id,
        }
        return self._message_update(user_id, {"contact": contact})

    def send_location(self, user_id: int, latitude: float, longitude: float) -> JsonDict:
        location = {"latitude": latitude, "longitude": longitude}
        return self._message_update(user_id, {"location": location})

    def my_chat_member(self, user_id: int, status: str) -> JsonDict:
        """The user blocked ("blocked"/"kicked") or unblocked ("unblocked"/"member") the bot."""
        blocked = {"blocked": True, "kicked": True, "unblocked": False, "member": False}[status]
        if blocked:
            self.block(user_id)
        else:
            self.unblock(user_id)
        member = {"user": copy.deepcopy(self.bot_user), "status": "member"}
        banned = {"user": copy.deepcopy(self.bot_user), "status": "kicked", "until_date": 0}
        with self._lock:
            update: JsonDict = {
                "chat": self._chat_ref(user_id),
                "from": self._user(user_id),
                "date": int(self.now()),
                "old_chat_member": member if blocked else banned,
                "new_chat_member": banned if blocked else member,
            }
        return self.inject_update({"my_chat_member": update})
