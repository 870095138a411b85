"""Zalo Official Account adapter: the signed webhook in, consultation messages out.

No buttons on v3 consultation messages (channels.md A.5), so choices become numbered text
menus and texts are cut at 2,000 characters. The webhook answers 200 as soon as the event is
in the inbox: Zalo wants an answer within 2 s and retries otherwise (A.1).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Capabilities
from bot.channels.http import Session
from bot.channels.render import numbered_menu, split_text
from bot.channels.zalo_oa_api import EXPIRED_ATTACHMENT, OAClient, ZaloError, send_error
from bot.channels.zalo_oa_auth import TokenKeeper
from bot.channels.zalo_oa_events import CHANNEL, event_time, parse_body, signature_ok, translate
from bot.intake import Intake
from bot.media import FolderMedia, sniff
from bot.settings import Settings
from bot.web.keys import Keys
from handlers.messages import t
from handlers.text import keep_whole
from handlers.types import Attachment, Reply
from storage.db import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TEXT_LIMIT = 2000  # A.5 [C]
MAX_BODY = 1024 * 1024
WEBHOOK_PATH = "/zalo/oa/webhook"


class ZaloOA:
    """Channel adapter for a Zalo Official Account."""

    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        db: Database,
        intake: Intake,
        clock: Clock,
        on_token_failure: Callable[[str], Awaitable[None]],
        keys: Keys,
        media: FolderMedia,
    ) -> None:
        assert settings.zalo_oa_app_id and settings.zalo_oa_secret_key
        self._intake = intake
        self._clock = clock
        self._app_id = settings.zalo_oa_app_id
        self._event_key = settings.zalo_oa_event_key
        self._stale = timedelta(seconds=settings.zalo_oa_stale_seconds)
        self._rate_pause = settings.zalo_oa_rate_limit_pause_seconds
        self._media = media
        self._phone_form_image = settings.zalo_oa_phone_form_image_url
        self.capabilities = Capabilities(
            buttons=False,
            text_limit=TEXT_LIMIT,
            rate_per_second=settings.zalo_oa_rate_per_second,
            proactive_window=settings.zalo_oa_proactive_window,
        )
        self._http = Session()
        self.tokens = TokenKeeper(
            db,
            clock,
            self._http,
            oauth_base_url=settings.zalo_oauth_base_url,
            app_id=settings.zalo_oa_app_id,
            app_secret=settings.zalo_oa_secret_key.get_secret_value(),
            first_refresh_token=(
                settings.zalo_oa_refresh_token.get_secret_value()
                if settings.zalo_oa_refresh_token
                else None
            ),
            margin=timedelta(seconds=settings.zalo_oa_refresh_margin_seconds),
            on_failure=on_token_failure,
            keys=keys,
        )
        self.api = OAClient(self._http, settings.zalo_oa_api_base_url, self.tokens)
        # Upload ids by file reference; Zalo expires them after 7 days (-100: upload again).
        self._uploaded: dict[str, str] = {}
        # Webhook outcomes: accepted, duplicate, bad_signature, stale, unreadable, ignored.
        self.metrics: Counter[str] = Counter()
        if self._event_key is None:
            log.error("no Zalo OA webhook key is set: every webhook event will be dropped")

    def routes(self) -> list[BaseRoute]:
        """The webhook Zalo posts events to."""
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"])]

    async def start(self) -> None:
        """Events arrive through the webhook; nothing to start."""

    async def stop(self) -> None:
        """Close the HTTP connections."""
        await self._http.close()

    # ------------------------------------------------------------------ inbound
    async def webhook(self, request: Request) -> Response:
        """Verify, record, answer 200; bad events are dropped with 200 and counted.

        A.4: Zalo's console saves the webhook URL only if it answers 200, and retrying a
        forged or stale event helps nobody, so drops are answered 200 as well.
        """
        body = await request.body()
        event = parse_body(body) if len(body) <= MAX_BODY else None
        if event is None:
            # Not a JSON object at all: nothing Zalo sends (its own checks post JSON), so a
            # plain 400 rather than the 200 that signed-but-unusable events get.
            self.metrics["unreadable"] += 1
            return JSONResponse({"ok": False}, status_code=400)
        timestamp = event.get("timestamp")
        header = request.headers.get("x-zevent-signature", "")
        if not (isinstance(timestamp, str) and self._signed(header, event, body, timestamp)):
            return self._drop("bad_signature")
        now = self._clock()
        at = event_time(event)
        if at is None or abs(now - at) > self._stale:
            return self._drop("stale")
        inbound = translate(event, now)
        if inbound is None:
            return self._drop("ignored")  # echoes, read receipts, events we do not use
        item_id = await self._intake.accept_batched(inbound)
        self.metrics["accepted" if item_id is not None else "duplicate"] += 1
        return JSONResponse({"ok": True})

    def _signed(self, header: str, event: dict[str, Any], body: bytes, timestamp: str) -> bool:
        if not header or self._event_key is None:
            return False
        # A.4 [U]: some code signs with the OA id instead of the app id; accept either.
        firsts = [self._app_id]
        for holder, key in (("recipient", "id"), ("oa_id", None)):
            value = event.get(holder)
            value = value.get(key) if isinstance(value, dict) and key else value
            if isinstance(value, str) and value != self._app_id:
                firsts.append(value)
        return any(
            signature_ok(header, first, body, timestamp, self._event_key) for first in firsts
        )

    def _drop(self, why: str) -> Response:
        self.metrics[why] += 1
        if why == "bad_signature":
            log.warning("Zalo OA webhook: dropped an event with a bad or missing signature")
        return JSONResponse({"ok": True})

    # ----------------------------------------------------------------- outbound
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Text pieces (menu numbered, cut at 2,000), then each picture or file."""
        last: str | None = None
        for piece in split_text(keep_whole(numbered_menu(reply)), TEXT_LIMIT):
            last = await self._send({"text": piece}, chat_id)
        if reply.ask_phone and self._phone_form_image:
            last = await self._send(self._phone_form(self._phone_form_image), chat_id)
        for attachment in reply.media:
            message = await self._media_message(attachment)
            if message is not None:
                last = await self._send_media(chat_id, attachment, message)
        return last

    @staticmethod
    def _phone_form(image_url: str) -> dict[str, Any]:
        """A.5's request_user_info template: Zalo's own form to share the account's phone."""
        element = {
            "title": t("zalo.phone_form_title"),
            "subtitle": t("zalo.phone_form_subtitle"),
            "image_url": image_url,
        }
        payload = {"template_type": "request_user_info", "elements": [element]}
        return {"attachment": {"type": "template", "payload": payload}}

    async def _send(self, message: dict[str, Any], chat_id: str) -> str | None:
        try:
            return await self.api.send_message(chat_id, message)
        except ZaloError as error:
            raise send_error(error, self._rate_pause) from error

    async def _send_media(
        self, chat_id: str, attachment: Attachment, message: dict[str, Any]
    ) -> str | None:
        try:
            return await self.api.send_message(chat_id, message)
        except ZaloError as error:
            if error.code != EXPIRED_ATTACHMENT:
                raise send_error(error, self._rate_pause) from error
        self._uploaded.pop(attachment.file_ref, None)
        fresh = await self._media_message(attachment)
        assert fresh is not None
        return await self._send(fresh, chat_id)

    async def _media_message(self, attachment: Attachment) -> dict[str, Any] | None:
        """The CS message body for a picture or a file; None for what Zalo cannot take."""
        if attachment.kind == "photo" and attachment.file_ref.startswith("http"):
            return _image({"url": attachment.file_ref})
        if attachment.kind not in ("photo", "document"):
            log.info("a %s attachment is not sent on Zalo OA", attachment.kind)
            return None
        kind = "image" if attachment.kind == "photo" else "file"
        upload_id = self._uploaded.get(attachment.file_ref)
        if upload_id is None:
            upload_id = await self._upload(kind, attachment)
            if upload_id is None:
                return None
            self._uploaded[attachment.file_ref] = upload_id
        if kind == "image":
            return _image({"attachment_id": upload_id})
        return {"attachment": {"type": "file", "payload": {"token": upload_id}}}

    async def _upload(self, kind: str, attachment: Attachment) -> str | None:
        # Files the bot stored itself, never a path a payload points elsewhere.
        content = await self._media.read(attachment.file_ref)
        if content is None:
            log.info("attachment %s is not a stored file; not sent on Zalo OA", attachment.kind)
            return None
        sniffed = sniff(content[:16])
        mime = sniffed.mime if sniffed else "application/octet-stream"
        name = attachment.file_name or attachment.file_ref
        if sniffed and not name.lower().endswith("." + sniffed.ext):
            name = f"{Path(name).stem}.{sniffed.ext}"
        try:
            return await self.api.upload(kind, name, content, mime)
        except ZaloError as error:
            raise send_error(error, self._rate_pause) from error


def _image(element: dict[str, str]) -> dict[str, Any]:
    """A.5's media template with one image element."""
    payload = {"template_type": "media", "elements": [{"media_type": "image", **element}]}
    return {"attachment": {"type": "template", "payload": payload}}
