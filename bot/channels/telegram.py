"""The Telegram channel: durable polling or a webhook in, paced and typed sends out."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, BotCommand, InlineKeyboardMarkup, Message, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from bot.channels.base import Capabilities, Failure, SendError
from bot.channels.telegram_albums import AlbumHold
from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_inbound import (
    ALLOWED_UPDATES,
    CHANNEL,
    BadUpdate,
    Translated,
    parse_update,
    translate,
)
from bot.channels.telegram_poller import Poller, retry_seconds
from bot.channels.telegram_render import TEXT_LIMIT, Part, render
from bot.intake import Intake
from bot.media import FolderMedia
from bot.settings import Settings
from bot.web.jsonbody import parse_object
from handlers.messages import t
from handlers.types import Reply
from storage import kv, outbox
from storage.db import Connection, Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
OFFSET_KEY = "telegram:poll_offset"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_WEBHOOK_BODY = 1024 * 1024
DEFAULT_API = "https://api.telegram.org/bot"
DEFAULT_FILES = "https://api.telegram.org/file/bot"
# The command menu: Telegram needs [a-z0-9_]; the Vietnamese names are the ones people read.
MENU = ("start", "decu", "cuatoi", "taikhoan", "dulieu", "quaylai", "huy", "trogiup")
MENU_TEXT = {
    "start": "telegram.command.start",
    "decu": "telegram.command.decu",
    "cuatoi": "telegram.command.cuatoi",
    "taikhoan": "telegram.command.taikhoan",
    "dulieu": "telegram.command.dulieu",
    "quaylai": "telegram.command.quaylai",
    "huy": "telegram.command.huy",
    "trogiup": "telegram.command.trogiup",
}
REMEMBERED_UPDATES = 10_000


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the token (stable across restarts)."""
    if settings.telegram_webhook_secret is not None:
        return settings.telegram_webhook_secret.get_secret_value()
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    return hashlib.sha256(f"webhook:{token}".encode()).hexdigest()


def make_bot(settings: Settings) -> tuple[Bot, tuple[AiohttpRequest, AiohttpRequest]]:
    """A python-telegram-bot Bot on aiohttp, and its two requests (sends, getUpdates).

    The caller closes the requests: PTB's `Bot.shutdown` skips them when `getMe` never
    succeeded, and their sessions would be left open.
    """
    assert settings.telegram_bot_token is not None
    requests = (
        AiohttpRequest(
            connection_pool_size=settings.telegram_connection_pool,
            read_timeout=15.0,
            write_timeout=15.0,
            connect_timeout=5.0,
            pool_timeout=10.0,
        ),
        AiohttpRequest(
            connection_pool_size=1,
            read_timeout=settings.telegram_poll_timeout + 10.0,
            write_timeout=5.0,
            connect_timeout=5.0,
            pool_timeout=1.0,
        ),
    )
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url or DEFAULT_API,
        base_file_url=settings.telegram_file_base_url or DEFAULT_FILES,
        request=requests[0],
        get_updates_request=requests[1],
    )
    return bot, requests


async def close_bot(bot: Bot, requests: Sequence[AiohttpRequest]) -> None:
    """Shut the Bot down and close its connections, whether or not it ever started."""
    await bot.shutdown()
    for request in requests:
        await request.shutdown()


class TelegramChannel:
    """Channel adapter for Telegram (python-telegram-bot's Bot; our own loop and webhook)."""

    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        db: Database,
        intake: Intake,
        clock: Clock,
        media: FolderMedia,
    ) -> None:
        self.bot, self._requests = make_bot(settings)
        self.capabilities = Capabilities(
            buttons=True,
            text_limit=TEXT_LIMIT,
            rate_per_second=settings.telegram_rate_per_second or None,
            chat_rate_per_second=settings.telegram_chat_rate_per_second or None,
            chat_burst=2,  # Telegram tolerates about 3; keep a margin
            group_rate_per_second=20 / 60,
            # As many sends in flight as pooled connections: none waits for a connection.
            send_concurrency=settings.telegram_connection_pool,
            edits=True,
        )
        self._settings = settings
        self._db = db
        self._intake = intake
        self._clock = clock
        self._media = media
        self.username = settings.telegram_bot_username
        self.webhook_url = settings.telegram_webhook_url
        self._secret = webhook_secret(settings) if self.webhook_url else ""
        self._hold = AlbumHold(intake.submit, settings.telegram_album_wait)
        self.poller: Poller | None = None
        self._task: asyncio.Task[None] | None = None
        self._polling: asyncio.Task[None] | None = None
        self._ready = False
        self._introduced = asyncio.Event()  # set with _ready
        self._chores: set[asyncio.Task[None]] = set()
        # Chats that told us they blocked the bot: no request until they write again.
        self._blocked: set[str] = set()
        self._taken: set[int] = set()
        self._taken_order: deque[int] = deque()
        self._taken_changed = asyncio.Condition()

    async def fetch_file(self, file_ref: str, limit: int) -> bytes | None:
        """A file someone sent, by its file_id, if at most `limit` bytes (getFile serves up
        to 20 MB); None when Telegram will not give it."""
        try:
            found = await self.bot.get_file(file_ref)
            if found.file_size is not None and found.file_size > limit:
                return None
            data = bytes(await found.download_as_bytearray())
        except TelegramError as error:
            log.warning("a Telegram file could not be fetched (%s)", type(error).__name__)
            return None
        return data if len(data) <= limit else None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def polls(self) -> bool:
        """Whether updates come by polling (one instance at a time may poll)."""
        return not self.webhook_url

    async def start(self) -> None:
        """Introduce ourselves to the Bot API (polling starts where the poll lease is held)."""
        try:
            await self._initialize()
        except TelegramError as error:
            log.warning("Telegram is not reachable yet (%s); retrying in the background", error)
        self._task = asyncio.create_task(self._run(), name="telegram")

    async def start_polling(self) -> None:
        """Poll getUpdates from the offset recorded last (by whichever instance polled)."""
        if self._polling is not None:
            return
        async with self._db.read() as conn:
            stored = await kv.get_value(conn, OFFSET_KEY)
        self.poller = Poller(
            self.bot,
            self._take_batch,
            int(stored) if stored is not None else None,
            timeout=self._settings.telegram_poll_timeout,
        )
        self._polling = asyncio.create_task(self._poll(self.poller), name="telegram:poll")

    async def stop_polling(self) -> None:
        """Stop polling: a batch being recorded finishes first."""
        poller, task, self._polling = self.poller, self._polling, None
        if poller is None or task is None:
            return
        poller.stop()
        if not poller.busy:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def stop(self) -> None:
        """Stop polling, chores, connections."""
        await self.stop_polling()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._hold.release_all()
        if self._chores:
            await asyncio.gather(*self._chores, return_exceptions=True)
        await close_bot(self.bot, self._requests)

    async def _initialize(self) -> None:
        await self.bot.initialize()
        self.username = self.bot.username
        commands = [BotCommand(name, t(MENU_TEXT[name])) for name in MENU]
        await self.bot.set_my_commands(commands)
        if self.webhook_url:
            # Never drop_pending_updates: what people sent while we were down still counts.
            await self.bot.set_webhook(
                self.webhook_url, secret_token=self._secret, allowed_updates=list(ALLOWED_UPDATES)
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)
        self._ready = True
        self._introduced.set()

    async def _run(self) -> None:
        delay = 1.0
        while not self._ready:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
            try:
                await self._initialize()
            except TelegramError as error:
                log.warning("Telegram start failed (%s); retrying in %.0f s", error, delay)

    async def _poll(self, poller: Poller) -> None:
        await self._introduced.wait()  # by `start` or `_run`: the webhook is deleted first
        await poller.run()

    def status(self) -> dict[str, object]:
        """Health of the channel for /healthz (a polling conflict shows here)."""
        if self.webhook_url:
            return {"mode": "webhook", "ready": self._ready}
        state = (
            self.poller.status.as_dict()
            if self._polling is not None and self.poller is not None
            else {"state": "standby"}  # another instance polls
        )
        return {"mode": "polling", "ready": self._ready, **state}

    async def settle(self) -> None:
        """Wait until no album part is held back and the press chores are done."""
        await self._hold.settle()
        while self._chores:
            await asyncio.gather(*list(self._chores), return_exceptions=True)

    async def wait_taken(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until this update has been recorded (or found to need nothing)."""
        async with self._taken_changed:
            await asyncio.wait_for(
                self._taken_changed.wait_for(lambda: update_id in self._taken), timeout
            )

    # -- inbound -----------------------------------------------------------------------------
    async def _take_batch(self, updates: Sequence[Update], next_offset: int) -> None:
        await self._take(updates, next_offset)

    async def _take(self, updates: Sequence[Update], next_offset: int | None) -> None:
        """Record a batch (with the polling offset) in one transaction, then hand it over."""
        now = self._clock()
        meanings = [translate(u, self.username, now) for u in updates]
        inbounds = [m.inbound for m in meanings if m.inbound is not None]
        groups = [m for m in meanings if m.group_chat is not None]

        async def also(conn: Connection) -> None:
            if groups:
                await outbox.enqueue(conn, [self._group_answer(m) for m in groups], now)
            if next_offset is not None:
                await kv.put_value(conn, OFFSET_KEY, next_offset, now)

        ids = await self._intake.record(inbounds, also)
        for inbound, item_id in zip(inbounds, ids, strict=True):
            if inbound.event == "blocked":
                self._blocked.add(inbound.chat_id)
            else:
                self._blocked.discard(inbound.chat_id)
            if item_id is not None:
                self._hold.offer(item_id, inbound)
        for meaning in meanings:
            if meaning.callback_id is not None:
                self._chore(self._answer_press(meaning))
        async with self._taken_changed:
            for update in updates:
                self._remember(update.update_id)
            self._taken_changed.notify_all()

    def _remember(self, update_id: int) -> None:
        self._taken.add(update_id)
        self._taken_order.append(update_id)
        if len(self._taken_order) > REMEMBERED_UPDATES:
            self._taken.discard(self._taken_order.popleft())

    def _group_answer(self, meaning: Translated) -> outbox.NewMessage:
        link = f"https://t.me/{self.username}" if self.username else "Telegram"
        reply = Reply(text=t("telegram.group_private", link=link))
        return outbox.NewMessage(
            channel=CHANNEL,
            chat_id=str(meaning.group_chat),
            identity_id=None,
            payload=reply.model_dump(mode="json"),
            dedupe_key=f"telegram:group:{meaning.update_id}",
        )

    def _chore(self, work: Coroutine[Any, Any, None]) -> None:
        """Run platform chores beside the loop; recording never waits for them."""
        task = asyncio.create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _answer_press(self, meaning: Translated) -> None:
        """Stop the button's spinner (every press, stale ones too) and retire the old menu."""
        assert meaning.callback_id is not None
        try:
            await self.bot.answer_callback_query(meaning.callback_id)
        except TelegramError as error:
            log.debug("answerCallbackQuery: %s", error)
        if meaning.menu_message is not None:
            chat_id, message_id = meaning.menu_message
            try:
                await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            except TelegramError as error:  # not modified, too old: the menu stays, harmless
                log.debug("removing a pressed menu: %s", error)

    async def webhook(self, request: Request) -> Response:
        """POST /telegram/webhook: secret checked first, 200 only once the update is recorded."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self._secret or not hmac.compare_digest(given.encode(), self._secret.encode()):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_WEBHOOK_BODY:
            return JSONResponse({"error": "too large"}, status_code=413)
        data = parse_object(body)
        try:
            if data is None:
                raise BadUpdate("not a JSON object")
            update = parse_update(data, self.bot)
        except (ValueError, BadUpdate):
            return JSONResponse({"error": "not a Telegram update"}, status_code=400)
        await self._take([update], None)
        return Response(status_code=200)

    def routes(self) -> list[BaseRoute]:
        """The webhook route (served in both modes; it refuses without the secret)."""
        return [Route("/telegram/webhook", self.webhook, methods=["POST"])]

    # -- outbound ----------------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send a reply's messages in order; map Telegram's errors for delivery."""
        if chat_id in self._blocked:
            raise SendError(Failure.BLOCKED, "blocked the bot (known from an earlier answer)")
        try:
            target = int(chat_id)
        except ValueError:
            raise SendError(Failure.PERMANENT, "not a Telegram chat id") from None
        if reply.edit_of is not None and not reply.media and not reply.ask_phone:
            edited = await self._edit(chat_id, target, reply)
            if edited is not None:
                return edited
        last: Message | None = None
        parts = render(reply)
        for n, part in enumerate(parts):
            try:
                try:
                    last = await self._send_part(target, part)
                except BadRequest as error:
                    if part.kind == "text" or part.local:
                        raise
                    # Telegram refused an evidence file (a file_id of another kind, one it
                    # no longer has): the message and its buttons must still arrive.
                    log.warning("telegram refused a %s by file_id: %s", part.kind, error.message)
                    note = t("telegram.media_refused")
                    carried = n == len(parts) - 1  # the only part: the text is its caption
                    text = f"{part.text}\n\n{note}" if carried and part.text else note
                    last = await self._send_part(
                        target, Part("text", text=text, markup=part.markup if carried else None)
                    )
            except TelegramError as error:
                raise self._failure(chat_id, error) from error
        return str(last.message_id) if last is not None else None

    async def _edit(self, chat_id: str, target: int, reply: Reply) -> str | None:
        """Replace an earlier message (a progress report); None: send a new one instead."""
        assert reply.edit_of is not None
        parts = render(reply)
        if len(parts) != 1 or parts[0].kind != "text" or parts[0].text is None:
            return None
        markup = parts[0].markup if isinstance(parts[0].markup, InlineKeyboardMarkup) else None
        try:
            await self.bot.edit_message_text(
                parts[0].text, chat_id=target, message_id=int(reply.edit_of), reply_markup=markup
            )
        except BadRequest as error:
            if "not modified" in error.message:
                return reply.edit_of
            return None  # too old, deleted: a new message carries the news
        except TelegramError as error:
            raise self._failure(chat_id, error) from error
        return reply.edit_of

    async def _send_part(self, chat_id: int, part: Part) -> Message:
        if part.kind == "text":
            assert part.text is not None
            return await self.bot.send_message(chat_id, part.text, reply_markup=part.markup)
        assert part.file_id is not None
        if part.local:
            return await self._upload(chat_id, part)
        # One Bot API method per kind: Telegram refuses a file_id sent as another kind.
        senders: dict[str, Callable[..., Awaitable[Message]]] = {
            "photo": self.bot.send_photo,
            "video": self.bot.send_video,
            "voice": self.bot.send_voice,
            "audio": self.bot.send_audio,
        }
        send = senders.get(part.kind, self.bot.send_document)
        return await send(chat_id, part.file_id, caption=part.text, reply_markup=part.markup)

    async def _upload(self, chat_id: int, part: Part) -> Message:
        """Send a file the bot made (chart, spreadsheet, card) from the media store."""
        assert part.file_id is not None
        data = await self._media.read(part.file_id)
        if data is None:
            raise SendError(Failure.PERMANENT, "generated file is missing")
        name = part.file_name or part.file_id
        if part.kind == "photo":
            return await self.bot.send_photo(
                chat_id, data, caption=part.text, reply_markup=part.markup, filename=name
            )
        return await self.bot.send_document(
            chat_id, data, caption=part.text, reply_markup=part.markup, filename=name
        )

    def _failure(self, chat_id: str, error: TelegramError) -> SendError:
        """Telegram's answer as a delivery decision (the reason never holds personal data)."""
        if isinstance(error, RetryAfter):
            return SendError(Failure.RATE_LIMITED, "429 flood control", retry_seconds(error))
        if isinstance(error, Forbidden):
            if "initiate conversation" in error.message:
                return SendError(Failure.UNREACHABLE, error.message)
            self._blocked.add(chat_id)
            return SendError(Failure.BLOCKED, error.message)
        if isinstance(error, ChatMigrated):
            return SendError(Failure.PERMANENT, "the group became a supergroup")
        if isinstance(error, BadRequest):
            log.warning("Telegram refused a message: %s", error.message)
            return SendError(Failure.PERMANENT, f"bad request: {error.message}")
        # TimedOut, NetworkError (5xx, connection), InvalidToken: try again later.
        return SendError(Failure.TEMPORARY, f"{type(error).__name__}: {error.message}")


async def bot_username(settings: Settings) -> str | None:
    """The bot's @name for t.me links: TELEGRAM_BOT_USERNAME, or asked with getMe."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return None
    bot, requests = make_bot(settings)
    try:
        await bot.initialize()
        return bot.username
    except TelegramError as error:
        raise TelegramUnreachable(type(error).__name__) from error
    finally:
        await close_bot(bot, requests)


class TelegramUnreachable(RuntimeError):
    """The Bot API did not answer a call the command line needs."""
