"""Inbound half of FakeZaloBot: user messages queued for getUpdates or POSTed to the webhook.

Update shape (channels.md A.11 [S]): `{event_name, message{from{id, display_name, is_bot},
chat{id, chat_type}, message_id, date, text | photo, caption | sticker, url}}`, `date` in epoch
ms; webhook bodies wrap it as `{"ok": true, "result": update}` and carry the
`X-Bot-Api-Secret-Token` header.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json as jsonlib
import secrets
from abc import abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import Any

from .zalo_base import DeliveryResult, FakeServer

DEFAULT_CHAT_ID = "a1b2c3d4e5f60718293a"


@dataclass
class ChatState:
    blocked: bool = False
    invalid: bool = False
    contacted: bool = False


class BotInbound(FakeServer):
    """Mixin for FakeZaloBot; the host initialises the attributes below."""

    _queue: deque[dict[str, Any]]
    _chats: dict[str, ChatState]
    _webhook_url: str
    _webhook_secret: str
    _last_delivery: concurrent.futures.Future[DeliveryResult] | None

    @staticmethod
    @abstractmethod
    def now_ms() -> int:
        """Provided by the host class."""

    # -------------------------------------------------------------- injection
    def _inject(
        self,
        event_name: str,
        user_id: str,
        fields: dict[str, Any],
        *,
        display_name: str,
        chat_id: str | None,
        chat_type: str,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "from": {"id": user_id, "display_name": display_name, "is_bot": False},
            "chat": {"id": chat_id or user_id, "chat_type": chat_type},
            "message_id": secrets.token_hex(10),
            "date": self.now_ms(),
            **{k: v for k, v in fields.items() if v is not None},
        }
        update = {"event_name": event_name, "message": message}
        with self._lock:
            self._chats.setdefault(chat_id or user_id, ChatState()).contacted = True
            url, secret = self._webhook_url, self._webhook_secret
            if not url:
                self._queue.append(update)
                self._changes.notify()  # a parked long poll takes it
                return update
        self._chain_delivery(update, url, secret)
        return update

    def send_text(
        self,
        user_id: str = DEFAULT_CHAT_ID,
        text: str = "Xin chào",
        *,
        display_name: str = "Người dùng",
        chat_id: str | None = None,
        chat_type: str = "PRIVATE",
    ) -> dict[str, Any]:
        """A user writes to the bot: queued for getUpdates, or POSTed to the webhook."""
        return self._inject(
            "message.text.received",
            user_id,
            {"text": text},
            display_name=display_name,
            chat_id=chat_id,
            chat_type=chat_type,
        )

    def send_image(
        self,
        user_id: str = DEFAULT_CHAT_ID,
        url: str = "https://f1.photo.talk.zdn.vn/fake/photo.jpg",
        caption: str | None = None,
        *,
        display_name: str = "Người dùng",
        chat_id: str | None = None,
        chat_type: str = "PRIVATE",
    ) -> dict[str, Any]:
        # [U] which field carries the image URL: A.11 lists `photo` and `url`; both are set.
        return self._inject(
            "message.image.received",
            user_id,
            {"photo": url, "url": url, "caption": caption},
            display_name=display_name,
            chat_id=chat_id,
            chat_type=chat_type,
        )

    def send_sticker(
        self,
        user_id: str = DEFAULT_CHAT_ID,
        sticker: str = "0e078a2fb66a5f34067b",
        *,
        display_name: str = "Người dùng",
        chat_id: str | None = None,
        chat_type: str = "PRIVATE",
    ) -> dict[str, Any]:
        url = f"https://zalo-api.zadn.vn/api/emoticon/sticker/{sticker}"
        return self._inject(
            "message.sticker.received",
            user_id,
            {"sticker": sticker, "url": url},
            display_name=display_name,
            chat_id=chat_id,
            chat_type=chat_type,
        )

    def send_unsupported(
        self, user_id: str = DEFAULT_CHAT_ID, *, display_name: str = "Người dùng"
    ) -> dict[str, Any]:
        """`message.unsupported.received`: Zalo withheld the content (A.11)."""
        return self._inject(
            "message.unsupported.received",
            user_id,
            {},
            display_name=display_name,
            chat_id=None,
            chat_type="PRIVATE",
        )

    # -------------------------------------------------------------- webhooks
    def _webhook_request(self, update: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
        body = jsonlib.dumps({"ok": True, "result": update}, ensure_ascii=False).encode()
        return body, {"X-Bot-Api-Secret-Token": secret}

    def _chain_delivery(self, update: dict[str, Any], url: str, secret: str) -> None:
        """Deliver in the background, in injection order."""
        loop = self._loop
        if loop is None:
            raise RuntimeError(f"{self.name} is not started")
        body, headers = self._webhook_request(update, secret)
        with self._lock:
            previous = self._last_delivery

            async def run() -> DeliveryResult:
                if previous is not None:
                    await asyncio.wait([asyncio.wrap_future(previous)])
                return await self._post(url, body, headers, 10.0)

            self._last_delivery = asyncio.run_coroutine_threadsafe(run(), loop)

    def deliver(
        self,
        update: dict[str, Any],
        *,
        url: str | None = None,
        secret_token: str | None = None,
        timeout: float = 10.0,
    ) -> DeliveryResult:
        """POST one update to `url` (default: the set webhook) and block for the answer."""
        with self._lock:
            target = url or self._webhook_url
            secret = self._webhook_secret if secret_token is None else secret_token
        body, headers = self._webhook_request(update, secret)
        return self._submit(self._post(target, body, headers, timeout), timeout + 5)

    async def deliver_async(
        self,
        update: dict[str, Any],
        *,
        url: str | None = None,
        secret_token: str | None = None,
        timeout: float = 10.0,
    ) -> DeliveryResult:
        with self._lock:
            target = url or self._webhook_url
            secret = self._webhook_secret if secret_token is None else secret_token
        body, headers = self._webhook_request(update, secret)
        return await self._submit_async(self._post(target, body, headers, timeout))
