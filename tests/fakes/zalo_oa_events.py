"""Zalo OA webhook event builders and the webhook signature.

Shapes follow /work/shared/reference/channels.md A.2 (event names) and A.3 (payloads):
all ids are strings (they can exceed 2^53), `timestamp` is a string of epoch milliseconds,
`message.msg_id` identifies user messages. The signature is A.4:
`sha256(app_id + raw_body + timestamp + secret_key)` as a plain hex digest (not HMAC).
"""

from __future__ import annotations

import hashlib
import secrets
from abc import ABC, abstractmethod
from typing import Any

# Ids are invented; all are larger than 2^53 so a float parse would corrupt them.
DEFAULT_APP_ID = "4419283746501928374"
DEFAULT_OA_ID = "1856395038475629301"
DEFAULT_USER_ID = "3929380218593829012"
DEFAULT_CDN = "https://s120-ava-talk.zadn.vn"  # A.3: attachments come from zdn.vn CDN hosts


def zalo_signature(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """A.4: plain SHA-256 hex of app_id + raw body + timestamp + secret key."""
    data = app_id.encode() + body + timestamp.encode() + secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def new_msg_id() -> str:
    return secrets.token_hex(10)


def user_id_by_app(user_id: str) -> str:
    """A stable app-scoped id for a user (A.10: a different namespace from `user_id`)."""
    digest = hashlib.sha256(b"by_app:" + user_id.encode()).digest()
    return str(int.from_bytes(digest[:8], "big") | (1 << 62))


class OAEventBuilders(ABC):
    """Mixin: builders for A.3 payloads. Each marks the user as having interacted.

    The host class provides `app_id`, `oa_id`, `now_ms()` and `_touch(user_id, ...)`.
    """

    app_id: str
    oa_id: str

    @abstractmethod
    def now_ms(self) -> int:
        """Provided by the host class."""

    @abstractmethod
    def _touch(self, user_id: str, *, follow: bool | None = None, interacted: bool = True) -> None:
        """Provided by the host class."""

    def _user_event(
        self, event_name: str, user_id: str, message: dict[str, Any] | None
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "app_id": self.app_id,
            "sender": {"id": user_id},
            "user_id_by_app": user_id_by_app(user_id),
            "recipient": {"id": self.oa_id},
            "event_name": event_name,
            "timestamp": str(self.now_ms()),
        }
        if message is not None:
            event["message"] = message
        self._touch(user_id)
        return event

    @staticmethod
    def _message(
        msg_id: str | None,
        text: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        quote_msg_id: str | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"msg_id": msg_id or new_msg_id()}
        if text is not None:
            message["text"] = text
        if attachments is not None:
            message["attachments"] = attachments
        if quote_msg_id is not None:
            message["quote_msg_id"] = quote_msg_id
        return message

    def user_send_text(
        self,
        user_id: str = DEFAULT_USER_ID,
        text: str = "Xin chào",
        *,
        msg_id: str | None = None,
        quote_msg_id: str | None = None,
    ) -> dict[str, Any]:
        return self._user_event(
            "user_send_text", user_id, self._message(msg_id, text, quote_msg_id=quote_msg_id)
        )

    def user_send_image(
        self,
        user_id: str = DEFAULT_USER_ID,
        url: str = f"{DEFAULT_CDN}/photo/abc123.jpg",
        *,
        caption: str | None = None,
        thumbnail: str | None = None,
        msg_id: str | None = None,
    ) -> dict[str, Any]:
        payload = {"url": url, "thumbnail": thumbnail or url}
        attachments = [{"type": "image", "payload": payload}]
        return self._user_event(
            "user_send_image", user_id, self._message(msg_id, caption, attachments)
        )

    def user_send_file(
        self,
        user_id: str = DEFAULT_USER_ID,
        url: str = f"{DEFAULT_CDN}/file/ho-so.pdf",
        *,
        name: str = "ho-so.pdf",
        size: int = 48213,
        checksum: str = "5d41402abc4b2a76b9719d911017c592",
        file_type: str = "pdf",
        msg_id: str | None = None,
    ) -> dict[str, Any]:
        # A.3 lists {url, name, size, checksum, type}; whether `size` is a string or a
        # number is not stated [U]. Zalo sends numbers as strings elsewhere, so: string.
        payload = {
            "url": url,
            "name": name,
            "size": str(size),
            "checksum": checksum,
            "type": file_type,
        }
        attachments = [{"type": "file", "payload": payload}]
        return self._user_event("user_send_file", user_id, self._message(msg_id, None, attachments))

    def user_send_video(
        self,
        user_id: str = DEFAULT_USER_ID,
        url: str = f"{DEFAULT_CDN}/video/clip.mp4",
        *,
        thumbnail: str | None = None,
        description: str = "",
        msg_id: str | None = None,
    ) -> dict[str, Any]:
        payload = {"url": url, "thumbnail": thumbnail or url + ".jpg", "description": description}
        attachments = [{"type": "video", "payload": payload}]
        return self._user_event(
            "user_send_video", user_id, self._message(msg_id, None, attachments)
        )

    def user_send_location(
        self,
        user_id: str = DEFAULT_USER_ID,
        latitude: str = "10.7769",
        longitude: str = "106.7009",
        *,
        msg_id: str | None = None,
    ) -> dict[str, Any]:
        # A.3: coordinates as strings under attachments[].payload.coordinates. Some
        # third-party code reads `message.location` instead [U]; not emitted here.
        coords = {"latitude": latitude, "longitude": longitude}
        attachments = [{"type": "location", "payload": {"coordinates": coords}}]
        return self._user_event(
            "user_send_location", user_id, self._message(msg_id, None, attachments)
        )

    def user_send_sticker(
        self,
        user_id: str = DEFAULT_USER_ID,
        sticker_id: str = "bfe458bf64fa8da4d4eb",
        *,
        msg_id: str | None = None,
    ) -> dict[str, Any]:
        payload = {
            "id": sticker_id,
            "url": f"https://zalo-api.zadn.vn/api/emoticon/sticker/{sticker_id}",
        }
        attachments = [{"type": "sticker", "payload": payload}]
        return self._user_event(
            "user_send_sticker", user_id, self._message(msg_id, None, attachments)
        )

    def user_submit_info(
        self,
        user_id: str = DEFAULT_USER_ID,
        phone: str = "84912345678",
        *,
        name: str = "Nguyễn Văn A",
        extra: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        # A.3: info{name, phone, ...}; the address keys differ between sources [U], so only
        # name and phone are set by default and `extra` adds anything else.
        event = self._user_event("user_submit_info", user_id, None)
        event["info"] = {"name": name, "phone": phone, **(extra or {})}
        return event

    def _follow_event(self, event_name: str, user_id: str, source: str) -> dict[str, Any]:
        # A.3: follow/unfollow carry oa_id and follower.id, no sender/recipient.
        return {
            "oa_id": self.oa_id,
            "follower": {"id": user_id},
            "user_id_by_app": user_id_by_app(user_id),
            "event_name": event_name,
            "source": source,
            "app_id": self.app_id,
            "timestamp": str(self.now_ms()),
        }

    def follow(
        self, user_id: str = DEFAULT_USER_ID, *, source: str = "oa_profile"
    ) -> dict[str, Any]:
        self._touch(user_id, follow=True)  # A.6: following counts as an interaction
        return self._follow_event("follow", user_id, source)

    def unfollow(
        self, user_id: str = DEFAULT_USER_ID, *, source: str = "oa_profile"
    ) -> dict[str, Any]:
        self._touch(user_id, follow=False, interacted=False)
        return self._follow_event("unfollow", user_id, source)

    def oa_send_text(
        self,
        user_id: str = DEFAULT_USER_ID,
        text: str = "",
        *,
        msg_id: str | None = None,
        admin_id: str | None = None,
    ) -> dict[str, Any]:
        """A.1 echo: sent for API sends too; `sender.admin_id` only for a human admin."""
        sender: dict[str, str] = {"id": self.oa_id}
        if admin_id is not None:
            sender["admin_id"] = admin_id
        return {
            "app_id": self.app_id,
            "sender": sender,
            "user_id_by_app": user_id_by_app(user_id),
            "recipient": {"id": user_id},
            "event_name": "oa_send_text",
            "message": self._message(msg_id, text),
            "timestamp": str(self.now_ms()),
        }
