"""The local web chat: a page and a small JSON API on the bot's own HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Capabilities
from bot.intake import Intake
from bot.media import sniff, store
from handlers.messages import t
from handlers.types import LOCAL_FILES, Attachment, Inbound, InboundKind, Reply
from storage import outbox
from storage.db import Database
from storage.schema import identities

PAGE = Path(__file__).with_name("webchat.html")
_PLACEHOLDER = re.compile(r"\{\{(web\.[a-z_]+)\}\}")
_UID = re.compile(r"[a-z0-9_-]{1,40}")
_MEDIA_NAME = re.compile(r"[A-Za-z0-9_-]{10,40}\.[a-z0-9]{2,5}")
MAX_TEXT = 10_000
Clock = Callable[[], datetime]


class WebMessage(BaseModel):
    """What the page posts."""

    id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=120)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    button: str | None = Field(default=None, max_length=64)
    # The page's "share my number": the web chat has no verified contact, so it is own.
    phone: str | None = Field(default=None, max_length=30)


class WebChat:
    """Channel adapter for the browser page (local testing and demos)."""

    name = "web"
    # "Edits": the page replaces the bubble that has the same replace_key.
    capabilities = Capabilities(buttons=True, text_limit=None, edits=True)

    def __init__(
        self, db: Database, intake: Intake, clock: Clock, media_dir: Path, max_upload: int
    ) -> None:
        self._db = db
        self._intake = intake
        self._clock = clock
        self._media_dir = media_dir
        self._max_upload = max_upload
        self._arrived: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._stopping = False
        self._sequence = 0

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Delivered by being readable once the lane marks it sent (see `marked`).

        The platform id is a delivery sequence (microseconds, strictly increasing, padded):
        the page reads messages in the order they were sent, since a reply queued after a
        bulk message is often sent before it."""
        self._sequence = max(self._sequence + 1, time.time_ns() // 1000)
        return f"{self._sequence:020d}"

    def marked(self, chat_ids: set[str]) -> None:
        """The lane committed these chats' messages as sent: wake their pollers now."""
        for chat_id in chat_ids:
            event = self._arrived.get(chat_id)
            if event is not None:
                event.set()

    async def start(self) -> None:
        """Nothing to poll: the page calls us."""

    async def stop(self) -> None:
        """End waiting polls at once so the server can stop."""
        self._stopping = True
        for event in self._arrived.values():
            event.set()

    def routes(self) -> list[BaseRoute]:
        """The page, its API and the evidence files."""
        return [
            Route("/", self.page, methods=["GET"]),
            Route("/api/people", self.list_people, methods=["GET"]),
            Route("/api/chat/{uid}/send", self.post_message, methods=["POST"]),
            Route("/api/chat/{uid}/upload", self.post_upload, methods=["POST"]),
            Route("/api/chat/{uid}/messages", self.get_messages, methods=["GET"]),
            Route("/media/{name}", self.get_media, methods=["GET"]),
        ]

    async def page(self, request: Request) -> Response:
        html = _PLACEHOLDER.sub(lambda m: t(m.group(1)), PAGE.read_text(encoding="utf-8"))
        return HTMLResponse(html)

    async def list_people(self, request: Request) -> Response:
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(identities.c.external_id, identities.c.display_name)
                .where(identities.c.channel == self.name)
                .order_by(identities.c.id)
            )
            people = [{"uid": r.external_id, "name": r.display_name} for r in rows]
        return JSONResponse({"people": people})

    def _uid(self, request: Request) -> str | None:
        uid = str(request.path_params["uid"]).lower()
        return uid if _UID.fullmatch(uid) else None

    async def post_message(self, request: Request) -> Response:
        uid = self._uid(request)
        if uid is None:
            return JSONResponse({"error": "bad user id"}, status_code=400)
        try:
            message = WebMessage.model_validate_json(await request.body())
        except ValidationError:
            return JSONResponse({"error": "bad message"}, status_code=400)
        inbound = self._translate(uid, message)
        if inbound is None:
            return JSONResponse({"error": "empty message"}, status_code=400)
        item_id = await self._intake.accept_and_wait(inbound)
        return JSONResponse({"ok": True, "duplicate": item_id is None})

    def _translate(self, uid: str, message: WebMessage) -> Inbound | None:
        common: dict[str, Any] = {
            "channel": self.name,
            "external_id": message.id or uuid.uuid4().hex,
            "sender_id": uid,
            "chat_id": uid,
            "sender_name": message.name,
            "received_at": self._clock(),
        }
        if message.button:
            return Inbound(kind=InboundKind.BUTTON, button=message.button, **common)
        if message.phone:
            return Inbound(
                kind=InboundKind.CONTACT, contact_phone=message.phone, contact_is_own=True, **common
            )
        if message.text is not None and message.text.strip():
            return Inbound(kind=InboundKind.TEXT, text=message.text, **common)
        return None

    async def post_upload(self, request: Request) -> Response:
        uid = self._uid(request)
        if uid is None:
            return JSONResponse({"error": "bad user id"}, status_code=400)
        data = bytearray()
        async for chunk in request.stream():
            data.extend(chunk)
            if len(data) > self._max_upload:
                return JSONResponse({"error": "too large"}, status_code=413)
        kind = sniff(bytes(data[:16]))
        common: dict[str, Any] = {
            "channel": self.name,
            "external_id": request.query_params.get("id") or uuid.uuid4().hex,
            "sender_id": uid,
            "chat_id": uid,
            "received_at": self._clock(),
        }
        if kind is None:
            inbound = Inbound(kind=InboundKind.UNSUPPORTED, **common)
        else:
            name = await asyncio.to_thread(store, self._media_dir, bytes(data), kind.ext)
            file_name = (request.query_params.get("name") or "")[:200] or None
            inbound = Inbound(
                kind=InboundKind.MEDIA,
                attachments=[
                    Attachment(
                        kind=kind.kind,
                        file_ref=name,
                        channel=self.name,
                        mime=kind.mime,
                        size=len(data),
                        file_name=file_name,
                    )
                ],
                **common,
            )
        item_id = await self._intake.accept_and_wait(inbound)
        return JSONResponse({"ok": True, "duplicate": item_id is None})

    async def get_messages(self, request: Request) -> Response:
        uid = self._uid(request)
        if uid is None:
            return JSONResponse({"error": "bad user id"}, status_code=400)
        try:
            after = int(request.query_params.get("after", "0"))
            wait = min(float(request.query_params.get("wait", "0")), 25.0)
        except ValueError:
            return JSONResponse({"error": "bad query"}, status_code=400)
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            event = self._arrived[uid]
            event.clear()
            async with self._db.read() as conn:
                items = await outbox.delivered_after(conn, self.name, uid, f"{after:020d}")
            remaining = deadline - asyncio.get_running_loop().time()
            if items or remaining <= 0 or self._stopping:
                break
            # Woken by `marked` after the rows are committed as sent, so no re-reading.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        messages = [
            self._render(int(item.platform_message_id or 0), Reply.model_validate(item.payload))
            for item in items
        ]
        return JSONResponse({"messages": messages})

    def _render(self, item_id: int, reply: Reply) -> dict[str, Any]:
        return {
            "id": item_id,
            "text": reply.text,
            "ask_phone": reply.ask_phone,
            "replace_key": reply.replace_key,
            "choices": [c.model_dump() for c in reply.choices],
            "media": [
                {"kind": m.kind, "url": f"/media/{m.file_ref}", "name": m.file_name}
                for m in reply.media
                if m.channel in (self.name, LOCAL_FILES)
            ],
        }

    async def get_media(self, request: Request) -> Response:
        name = str(request.path_params["name"])
        path = self._media_dir / name
        if not _MEDIA_NAME.fullmatch(name) or not path.is_file():
            return Response(status_code=404)
        return FileResponse(path)
