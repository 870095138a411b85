"""Zalo Bot adapter (the Telegram-like bot platform, channels.md A.11).

Updates come by long polling getUpdates, which has no offset: a returned update is gone from
Zalo's queue, and repeats (if any) are dropped by the inbox's unique (channel, message id).
With ZALO_BOT_WEBHOOK_SECRET set the bot runs in webhook mode instead (the two exclude each
other on Zalo's side). No buttons: choices become numbered menus; texts are cut at 2,000.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Capabilities, Failure, SendError
from bot.channels.http import Session, post_for_json, timeouts
from bot.channels.render import numbered_menu, split_text
from bot.channels.zalo_bot_events import CHANNEL, translate, updates_in
from bot.intake import Intake
from bot.settings import Settings
from bot.web.jsonbody import parse_object
from handlers.text import keep_whole
from handlers.types import Reply

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TEXT_LIMIT = 2000  # A.11
WEBHOOK_PATH = "/zalo/bot/webhook"
MAX_BODY = 1024 * 1024
# Waits after a failed poll, growing to the last one and staying there.
POLL_BACKOFF = (1.0, 2.0, 5.0, 15.0, 30.0)
# getUpdates answers an empty poll with this error (A.11 [U], as third-party clients see it).
POLL_TIMEOUT_CODE = 408


class ZaloBot:
    """Channel adapter for a Zalo Bot."""

    name = CHANNEL

    def __init__(self, settings: Settings, intake: Intake, clock: Clock) -> None:
        assert settings.zalo_bot_token is not None
        self._intake = intake
        self._clock = clock
        token = settings.zalo_bot_token.get_secret_value()
        self._base = f"{settings.zalo_bot_api_base_url.rstrip('/')}/bot{token}/"
        secret = settings.zalo_bot_webhook_secret
        self._secret = secret.get_secret_value().encode() if secret else None
        self._webhook_url = settings.zalo_bot_webhook_url
        self._poll_seconds = settings.zalo_bot_poll_seconds
        self.capabilities = Capabilities(
            buttons=False,
            text_limit=TEXT_LIMIT,
            rate_per_second=settings.zalo_bot_rate_per_second,
            chat_rate_per_second=settings.zalo_bot_chat_rate_per_second,
        )
        self._http = Session()
        self._poller: asyncio.Task[None] | None = None
        self._parked: asyncio.Task[Any] | None = None
        self._stopping = asyncio.Event()
        # Message ids recently recorded (newest last): lets tests and operators see progress.
        self.recent: deque[str] = deque(maxlen=1000)
        self.metrics: Counter[str] = Counter()

    @property
    def webhook_mode(self) -> bool:
        """Webhook when a secret is configured; long polling otherwise."""
        return self._secret is not None

    @property
    def polls(self) -> bool:
        """Whether updates come by polling (one instance at a time may poll)."""
        return not self.webhook_mode

    def routes(self) -> list[BaseRoute]:
        """The webhook route, in webhook mode only."""
        if not self.webhook_mode:
            return []
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"])]

    async def start(self) -> None:
        """Register the webhook (polling starts on the instance that holds the poll lease)."""
        if self.webhook_mode and self._webhook_url:
            assert self._secret is not None
            params = {"url": self._webhook_url, "secret_token": self._secret.decode()}
            try:
                await self._call("setWebhook", params)
            except SendError as error:
                # The bot still serves the route: a webhook set earlier keeps working.
                log.error("Zalo Bot setWebhook failed: %s", error.reason)

    async def start_polling(self) -> None:
        """Poll getUpdates (this instance is the one that polls)."""
        if self._poller is None:
            self._stopping.clear()
            self._poller = asyncio.create_task(self._poll_loop(), name="zalo_bot:poll")

    async def stop_polling(self) -> None:
        """Stop polling: only a parked request is cancelled, never a recording."""
        poller, self._poller = self._poller, None
        if poller is None:
            return
        self._stopping.set()
        if self._parked is not None:
            self._parked.cancel()
        await poller

    async def stop(self) -> None:
        """Stop polling and close."""
        await self.stop_polling()
        await self._http.close()

    # ------------------------------------------------------------------ inbound
    async def _poll_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._parked = asyncio.create_task(
                self._call(
                    "getUpdates",
                    {"timeout": int(self._poll_seconds)},
                    timeout=self._poll_seconds + 10,
                )
            )
            try:
                result = await self._parked
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    return
                raise
            except SendError as error:
                if error.reason.startswith(f"error {POLL_TIMEOUT_CODE}"):
                    failures = 0
                    continue
                failures += 1
                wait = POLL_BACKOFF[min(failures, len(POLL_BACKOFF)) - 1]
                log.warning("Zalo Bot getUpdates failed (%s); again in %.0f s", error.reason, wait)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait)
                continue
            failures = 0
            for update in updates_in(result):
                try:
                    await self._record(update)
                except Exception:  # getUpdates will not return it again; keep polling
                    log.exception("recording a Zalo Bot update failed")

    async def webhook(self, request: Request) -> Response:
        """Check the secret header in constant time, record the update, answer 200."""
        given = request.headers.get("x-bot-api-secret-token", "").encode()
        if self._secret is None or not hmac.compare_digest(given, self._secret):
            self.metrics["bad_secret"] += 1
            return JSONResponse({"ok": False}, status_code=401)
        body = await request.body()
        envelope = parse_object(body) if len(body) <= MAX_BODY else None
        if not isinstance(envelope, dict):
            self.metrics["unreadable"] += 1
            return JSONResponse({"ok": False}, status_code=400)
        for update in updates_in(envelope.get("result", envelope)):
            await self._record(update)
        return JSONResponse({"ok": True})

    async def _record(self, update: dict[str, Any]) -> None:
        inbound = translate(update, self._clock())
        if inbound is None:
            self.metrics["ignored"] += 1
            return
        item_id = await self._intake.accept_batched(inbound)
        self.metrics["accepted" if item_id is not None else "duplicate"] += 1
        self.recent.append(inbound.external_id)

    # ----------------------------------------------------------------- outbound
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Text pieces (menu numbered, cut at 2,000), then pictures that have a URL."""
        last: str | None = None
        for piece in split_text(keep_whole(numbered_menu(reply)), TEXT_LIMIT):
            last = _message_id(await self._call("sendMessage", {"chat_id": chat_id, "text": piece}))
        for attachment in reply.media:
            # sendPhoto takes a URL only (A.11): files the bot holds locally cannot go.
            if attachment.kind == "photo" and attachment.file_ref.startswith("http"):
                result = await self._call(
                    "sendPhoto", {"chat_id": chat_id, "photo": attachment.file_ref}
                )
                last = _message_id(result)
            else:
                log.info("a %s attachment is not sent on Zalo Bot", attachment.kind)
        return last

    async def _call(
        self, method: str, params: dict[str, Any], *, timeout: float | None = None
    ) -> Any:
        """One API call; the envelope's `result`, or SendError typed for delivery."""
        wait = None if timeout is None else timeouts(read=timeout, connect=5.0, pool=10.0)
        url = self._base + method
        status, body = await post_for_json(self._http, url, json=params, timeout=wait)
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        if not isinstance(body, dict):
            failure = Failure.TEMPORARY if status >= 500 else Failure.PERMANENT
            raise SendError(failure, f"HTTP {status}")
        raise _error(body, status)


def _message_id(result: Any) -> str | None:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    return None


def _error(body: dict[str, Any], status: int) -> SendError:
    """The envelope's error_code typed for delivery (codes are Telegram-like, A.11 [U])."""
    try:
        code = int(body.get("error_code") or status)
    except (TypeError, ValueError):
        code = status
    description = str(body.get("description", ""))[:200]
    reason = f"error {code}: {description}"
    if code == 429:
        retry = body.get("parameters", {}).get("retry_after") if body.get("parameters") else None
        return SendError(Failure.RATE_LIMITED, reason, retry_after=float(retry or 5))
    if code == 403:
        return SendError(Failure.BLOCKED, reason)
    if code == 400 and "chat not found" in description.lower():
        return SendError(Failure.UNREACHABLE, reason)
    if code >= 500 or code == POLL_TIMEOUT_CODE:
        return SendError(Failure.TEMPORARY, reason)
    return SendError(Failure.PERMANENT, reason)
