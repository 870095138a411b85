"""The web chat: a page and a small JSON API, each request acting for its session's account.

A browser is someone only through its session cookie (bot/web/sessions.py); nothing in a
path, a query or a body names a person. A new browser gets a session bound to a fresh chat
account made here, which can do nothing but join: type an invite, or a sign-in code shown
by /taikhoan on an app where the person is already known.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import json
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Capabilities
from bot.channels.webchat_files import WebFiles
from bot.intake import Intake
from bot.web.guard import json_request, same_origin
from bot.web.sessions import Sessions, device_of
from handlers.messages import t
from handlers.text import unbreakable_parts
from handlers.types import Attachment, Inbound, InboundKind, Reply
from storage import accounts, exchanges, limits, notify, redaction, web_sessions
from storage.db import Database
from storage.exchanges import OwnMessage
from storage.rows import OutboxItem, WebSession

PAGE = Path(__file__).with_name("webchat.html")
_PLACEHOLDER = re.compile(r"\{\{(web\.[a-z_]+)\}\}")
MAX_TEXT = 10_000
MAX_WAIT = 25.0
MAX_AFTER = 10**19
# Long polls one account may hold at once (a few tabs); more are refused, not queued.
POLLS_PER_CHAT = 4
HOUR = timedelta(hours=1)
Clock = Callable[[], datetime]
# Texts the page's script shows by itself (no round trip).
SCRIPT_TEXTS = (
    "web.sign_out_confirm",
    "web.signed_out",
    "web.start_again",
    "web.offline",
    "web.too_many",
    "web.upload_refused",
    "web.upload_failed",
    "web.phone_prompt",
    "web.uploading",
    "web.waiting_upload",
    "web.failed",
    "web.retry",
)
# The page's own messages in the history: the automatic greeting of a new browser is not
# something the person typed (the page sends it with this id prefix).
AUTO_PREFIX = "auto-"


class WebMessage(BaseModel):
    """What the page posts."""

    id: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    button: str | None = Field(default=None, max_length=64)
    # The label of the pressed button, for the person's own history (never trusted).
    label: str | None = Field(default=None, max_length=200)
    # The page's "share my number": the web chat has no verified contact, so it is own.
    phone: str | None = Field(default=None, max_length=30)


@dataclass(frozen=True)
class WebLimits:
    """The web chat's own limits, from the settings."""

    public_origin: str
    address_key: bytes
    guest_messages_per_hour: int
    sessions_per_hour: int


@dataclass
class _Waiters:
    event: asyncio.Event
    count: int = 0


class WebChat:
    """Channel adapter for the browser page."""

    name = "web"
    # "Edits": the page replaces the bubble that has the same replace_key.
    capabilities = Capabilities(buttons=True, text_limit=None, edits=True, reads_outbox=True)

    def __init__(
        self,
        db: Database,
        intake: Intake,
        clock: Clock,
        sessions: Sessions,
        files: WebFiles,
        web_limits: WebLimits,
    ) -> None:
        self._db = db
        self._intake = intake
        self._clock = clock
        self._sessions = sessions
        self._files = files
        self._limits = web_limits
        # Only chats someone is polling right now: entries leave with their last poll.
        self._waiting: dict[str, _Waiters] = {}
        self._stopping = False
        self._page = self._render_page()

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Never called: a row is delivered by being marked sent and numbered in the outbox
        (bot/delivery.py), which the page reads; `heard` wakes its polls."""
        return None

    def heard(self, payload: str) -> None:
        """A DELIVERED notification (from the lane on whichever instance sends the web
        chat): "web chat chat …" were marked sent, so wake their polls; RESYNC wakes all."""
        channel, *chat_ids = payload.split()
        if channel == notify.RESYNC:
            chat_ids = list(self._waiting)
        elif channel != self.name:
            return
        for chat_id in chat_ids:
            waiting = self._waiting.get(chat_id)
            if waiting is not None:
                waiting.event.set()

    async def start(self) -> None:
        """Nothing to poll: the page calls us."""

    async def stop(self) -> None:
        """End waiting polls at once so the server can stop."""
        self._stopping = True
        for waiting in self._waiting.values():
            waiting.event.set()

    def routes(self) -> list[BaseRoute]:
        """The page, its API and the files sent to the signed-in account."""
        return [
            Route("/", self.page, methods=["GET"]),
            Route("/api/session", self.post_session, methods=["POST"]),
            Route("/api/send", self.post_message, methods=["POST"]),
            Route("/api/upload", self._files.post_upload, methods=["POST"]),
            Route("/api/messages", self.get_messages, methods=["GET"]),
            Route("/api/signout", self.post_signout, methods=["POST"]),
            Route("/media/{name}", self._files.get_media, methods=["GET"]),
        ]

    # ----------------------------------------------------------------------- the page
    def _render_page(self) -> str:
        texts = {key.removeprefix("web."): t(key) for key in SCRIPT_TEXTS}
        # The script fills in {name} and {size} of the file it refuses.
        texts["upload_too_large"] = t(
            "web.upload_too_large",
            name="{name}",
            size="{size}",
            max_mb=self._files.max_upload // (1024 * 1024),
        )
        texts["upload_wrong_type"] = t("web.upload_wrong_type", name="{name}")
        page = _PLACEHOLDER.sub(
            lambda m: html.escape(t(m.group(1))), PAGE.read_text(encoding="utf-8")
        )
        page = page.replace("{{max_upload}}", str(self._files.max_upload))
        return page.replace(
            "{{texts}}", html.escape(json.dumps(texts, ensure_ascii=False), quote=True)
        )

    async def page(self, request: Request) -> Response:
        """The chat page; its script and style are static files (no inline script)."""
        return HTMLResponse(self._page)

    # ----------------------------------------------------------------------- sessions
    def _address_digest(self, request: Request) -> str:
        """A keyed digest of the client's address (limits without storing addresses)."""
        host = request.client.host if request.client else "?"
        return hmac.new(self._limits.address_key, host.encode(), hashlib.sha256).hexdigest()[:24]

    def _state_changing_ok(self, request: Request) -> Response | None:
        """Same origin and JSON, or the refusal to send."""
        if not same_origin(request, self._limits.public_origin):
            return JSONResponse({"error": "cross-origin request refused"}, status_code=403)
        if not json_request(request):
            return JSONResponse({"error": "JSON only"}, status_code=415)
        return None

    async def session_of(self, request: Request) -> WebSession | None:
        """The web chat session the request's cookie names."""
        return await self._sessions.current(request, web_sessions.CHAT)

    def _unauthorised(self) -> Response:
        response = JSONResponse({"error": "not signed in"}, status_code=401)
        self._sessions.forget(response)
        return response

    async def post_session(self, request: Request) -> Response:
        """The browser's session: the one it has, or a new guest session (limited per address)."""
        refused = self._state_changing_ok(request)
        if refused is not None:
            return refused
        session = await self.session_of(request)
        if session is not None:
            return JSONResponse(self._describe(session, fresh=False))
        session_key = f"web.session:{self._address_digest(request)}"
        if not await self._within(session_key, self._limits.sessions_per_hour):
            return JSONResponse({"error": "too many", "text": t("web.too_many")}, 429)
        now = self._clock()
        response = JSONResponse({"member": False, "name": None, "fresh": True})
        async with self._db.write() as conn:
            # A chat account of its own, named here: never anything the client sent.
            account_id = await accounts.create_web_account(conn, "w" + secrets.token_hex(10), now)
            await self._sessions.open_in(
                conn,
                response,
                kind=web_sessions.CHAT,
                identity_id=account_id,
                device=device_of(request.headers.get("user-agent", "")),
                guest=True,
            )
        return response

    @staticmethod
    def _describe(session: WebSession, *, fresh: bool) -> dict[str, Any]:
        return {"member": session.person_id is not None, "name": session.name, "fresh": fresh}

    async def post_signout(self, request: Request) -> Response:
        """Sign this browser out (the account stays; other devices are not touched)."""
        refused = self._state_changing_ok(request)
        if refused is not None:
            return refused
        session = await self.session_of(request)
        response = JSONResponse({"ok": True})
        if session is None:
            self._sessions.forget(response)
            return response
        if session.identity_id is None:
            await self._sessions.end(session.id, response)
            return response
        # This browser's account goes with its session: nothing is left that speaks for the
        # person here (notifications go to their other accounts).
        async with self._db.write() as conn:
            await accounts.end_web_account(conn, session.identity_id, self._clock())
        self._sessions.forget(response)
        return response

    # ----------------------------------------------------------------------- messages
    async def post_message(self, request: Request) -> Response:
        """A typed text, a pressed button or a shared number, as the session's account."""
        refused = self._state_changing_ok(request)
        if refused is not None:
            return refused
        session = await self.session_of(request)
        if session is None or session.chat_id is None:
            return self._unauthorised()
        try:
            message = WebMessage.model_validate_json(await request.body())
        except ValidationError:
            return JSONResponse({"error": "bad message"}, status_code=400)
        inbound = self._translate(session.chat_id, message)
        if inbound is None:
            return JSONResponse({"error": "empty message"}, status_code=400)
        # Browsers that have not joined can only try codes: a budget per client address
        # (refused: nothing recorded).
        guest_key = f"web.guest:{self._address_digest(request)}"
        if session.person_id is None and not await self._within(
            guest_key, self._limits.guest_messages_per_hour
        ):
            return JSONResponse({"error": "too many", "text": t("web.too_many")}, 429)
        item_id = await self._intake.accept_and_wait(inbound)
        return JSONResponse({"ok": True, "duplicate": item_id is None})

    async def _within(self, key: str, per_hour: int) -> bool:
        """Count one more use of a per-address budget (its key); False once it is spent.

        In a statement of its own, before what it pays for: on PostgreSQL the counter's row
        stays locked until its transaction ends, and every browser behind one address (a
        carrier's NAT) waits on that row, so it must not stay locked across the round trips
        of the transaction that records the message or opens the session. A failure after
        the count costs one use: the budget errs on the strict side."""
        async with self._db.write(single=True) as conn:
            return await limits.hit(conn, key, HOUR, self._clock()) <= per_hour

    def _translate(self, chat_id: str, message: WebMessage) -> Inbound | None:
        common: dict[str, Any] = {
            "channel": self.name,
            # Scoped to the account: one browser's ids never collide with another's.
            "external_id": f"{chat_id}:{message.id or secrets.token_hex(12)}",
            "sender_id": chat_id,
            "chat_id": chat_id,
            "received_at": self._clock(),
        }
        if message.button:
            return Inbound(
                kind=InboundKind.BUTTON, button=message.button, label=message.label, **common
            )
        if message.phone:
            return Inbound(
                kind=InboundKind.CONTACT, contact_phone=message.phone, contact_is_own=True, **common
            )
        if message.text is not None and message.text.strip():
            return Inbound(kind=InboundKind.TEXT, text=message.text, **common)
        return None

    async def get_messages(self, request: Request) -> Response:
        """Messages after a delivery sequence; waits up to `wait` seconds for new ones."""
        session = await self.session_of(request)
        if session is None or session.chat_id is None:
            return self._unauthorised()
        query = _poll_query(
            request.query_params.get("after", "0"), request.query_params.get("wait", "0")
        )
        if query is None:
            return JSONResponse({"error": "bad query"}, status_code=400)
        after, wait = query
        chat_id = session.chat_id
        waiting = self._waiting.setdefault(chat_id, _Waiters(asyncio.Event()))
        if waiting.count >= POLLS_PER_CHAT:
            return JSONResponse({"error": "too many polls"}, status_code=429)
        waiting.count += 1
        try:
            items, own = await self._wait_for(chat_id, waiting.event, after, wait)
        finally:
            waiting.count -= 1
            if waiting.count == 0 and self._waiting.get(chat_id) is waiting:
                del self._waiting[chat_id]
        if items and session.person_id is None:
            # The wait may have seen this account join: the page shows the name at once.
            session = await self.session_of(request) or session
        messages = [
            (
                _bot_order(item),
                self._render(
                    chat_id, int(item.platform_message_id or 0), Reply.model_validate(item.payload)
                ),
            )
            for item in items
            if not redaction.is_stripped(item.payload) or item.payload.get("text")
        ]
        # A message showing a code is stripped once the page has read it.
        secret = [item.id for item in items if item.payload.get("secret")]
        if secret:
            async with self._db.write() as conn:
                await redaction.redact_outbound(conn, secret, t("privacy.code_removed"))
        if items:
            messages = _interleave(messages, own)
        return JSONResponse(
            {**self._describe(session, fresh=False), "messages": [m for _, m in messages]}
        )

    def _own(self, chat_id: str, sent: list[OwnMessage]) -> list[tuple[Order, dict[str, Any]]]:
        """What the person sent between the bot messages already shown and these: the
        page shows its own bubbles at once, and after a reload reads them here."""
        own: list[tuple[Order, dict[str, Any]]] = []
        for item in sent:
            if redaction.is_stripped(item.payload):
                # Past its retention, or it carried a code: nothing of it is shown again.
                continue
            client_id = item.external_id.partition(":")[2]
            shown = _own_text(Inbound.model_validate(item.payload))
            if client_id.startswith(AUTO_PREFIX) or shown is None:
                continue
            text, media = shown
            own.append(
                (
                    (item.received_at, item.id, 0),
                    {
                        "mine": True,
                        "client_id": client_id,
                        "text": text,
                        "media": self._files.links(chat_id, media),
                    },
                )
            )
        return own

    async def _wait_for(
        self, chat_id: str, event: asyncio.Event, after: int, wait: float
    ) -> tuple[list[OutboxItem], list[tuple[Order, dict[str, Any]]]]:
        """The bot's messages after `after` once there are some (or the wait is over), and
        what the person sent among them, read together."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            event.clear()
            async with self._db.read() as conn:
                read = await exchanges.read(conn, self.name, chat_id, f"{after:020d}")
            remaining = deadline - loop.time()
            if read.delivered or remaining <= 0 or self._stopping:
                return read.delivered, self._own(chat_id, read.own)
            # Woken by `heard` after the rows are committed as sent, so no re-reading.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _render(self, chat_id: str, item_id: int, reply: Reply) -> dict[str, Any]:
        return {
            "id": item_id,
            "text": reply.text,
            # Codes and phone numbers in the text, in order: the page keeps each on one line.
            "whole": [part for part, whole in unbreakable_parts(reply.text) if whole],
            "ask_phone": reply.ask_phone,
            "replace_key": reply.replace_key,
            "choices": [c.model_dump() for c in reply.choices],
            "media": self._files.links(chat_id, reply.media),
        }


# Oldest first; at the same moment, a message of the person before the bot's answers to it.
Order = tuple[datetime, float, int]


def _bot_order(item: OutboxItem) -> Order:
    """Where a bot message goes among the person's: after the message it answers."""
    assert item.sent_at is not None  # delivered rows carry it
    kind, _, rest = (item.dedupe_key or "").partition(":")
    answered, _, n = rest.partition(":")
    if kind == "reply" and answered.isdigit():
        return item.sent_at, int(answered), int(n) + 1 if n.isdigit() else 1
    return item.sent_at, math.inf, item.id


def _interleave(
    bot: list[tuple[Order, dict[str, Any]]], own: list[tuple[Order, dict[str, Any]]]
) -> list[tuple[Order, dict[str, Any]]]:
    """The bot's messages in the order they were delivered, each of the person's messages
    before the first of them that came after it."""
    waiting = sorted(own, key=lambda pair: pair[0])
    merged: list[tuple[Order, dict[str, Any]]] = []
    for message in bot:
        while waiting and waiting[0][0] < message[0]:
            merged.append(waiting.pop(0))
        merged.append(message)
    return merged + waiting


def _own_text(inbound: Inbound) -> tuple[str, list[Attachment]] | None:
    """How one of the person's own messages reads in their history."""
    if inbound.kind in (InboundKind.TEXT, InboundKind.COMMAND):
        return inbound.text or "", []
    if inbound.kind == InboundKind.BUTTON:
        return inbound.label or "✓", []
    if inbound.kind == InboundKind.CONTACT:
        return inbound.contact_phone or "", []
    if inbound.kind == InboundKind.MEDIA:
        return "📎", list(inbound.attachments)
    return None


def _poll_query(after_text: str, wait_text: str) -> tuple[int, float] | None:
    """`after` a whole number in range, `wait` finite seconds in [0, MAX_WAIT]; else None."""
    if not (after_text.isascii() and after_text.isdigit()) or len(after_text) > 20:
        return None
    after = int(after_text)
    try:
        wait = float(wait_text)
    except ValueError:
        return None
    if after > MAX_AFTER or not math.isfinite(wait) or not 0 <= wait <= MAX_WAIT:
        return None
    return after, wait
