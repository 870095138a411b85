"""Telegram test support: the real bot against FakeTelegram, and a chat-shaped user driver."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr

from bot import cli_ops
from bot.app import Application
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_types import JsonDict, SentMessage
from tests.support.clock import FakeClock

SECRET = "bi-mat_123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_settings(base: Settings, fake: FakeTelegram, **changes: Any) -> Settings:
    """Settings that turn Telegram on against the fake (fast pacing unless a test wants it)."""
    values: dict[str, Any] = {
        "telegram_bot_token": SecretStr(fake.token),
        "telegram_api_base_url": fake.base_url,
        "telegram_file_base_url": fake.file_base_url,
        "telegram_rate_per_second": 1000.0,
        "telegram_chat_rate_per_second": 1000.0,
        "telegram_poll_timeout": 10,
        "telegram_album_wait": 0.3,
        **changes,
    }
    return base.model_copy(update=values)


def markup_of(message: SentMessage) -> JsonDict:
    """The keyboard as sent (inline or reply keyboard), {} without one."""
    markup = message.params.get("reply_markup")
    return markup if isinstance(markup, dict) else {}


def buttons_of(message: SentMessage) -> list[JsonDict]:
    """Every button of a message as sent, inline or reply keyboard."""
    markup = markup_of(message)
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [button for row in rows for button in row]


class TelegramUser:
    """One person in a private chat with the bot, driven through the fake Bot API."""

    def __init__(self, app: Application, fake: FakeTelegram, user_id: int, name: str) -> None:
        self.app = app
        self.fake = fake
        self.user_id = user_id
        self.name = name
        self.cursor = 0
        self.seen: list[SentMessage] = []
        fake.add_user(user_id, name)

    @property
    def channel(self) -> TelegramChannel:
        """The bot's Telegram adapter."""
        assert self.app.telegram is not None
        return self.app.telegram

    async def taken(self, update: JsonDict) -> JsonDict:
        """Wait until the bot has recorded an injected update."""
        await self.channel.wait_taken(int(update["update_id"]))
        return update

    async def send(self, text: str) -> JsonDict:
        """Type a message."""
        return await self.taken(self.fake.send_text(self.user_id, text))

    async def press(self, label: str) -> JsonDict:
        """Tap the button with this label on the latest message that has it."""
        for message in reversed(self.seen):
            for button in buttons_of(message):
                if button.get("text") != label:
                    continue
                if "callback_data" in button:
                    return await self.press_data(message.message_id, button["callback_data"])
                if button.get("request_contact"):
                    raise AssertionError("use share_phone for the contact button")
                return await self.send(label)  # a reply-keyboard button sends its label
        labels = [[b.get("text") for b in buttons_of(m)] for m in self.seen]
        raise AssertionError(f"no button {label!r} in {labels}")

    async def press_data(self, message_id: int, data: str) -> JsonDict:
        """Tap an inline button with any callback data (stale or forged)."""
        return await self.taken(self.fake.press_button(self.user_id, message_id, data))

    async def share_phone(self, number: str, owner: int | None = None) -> JsonDict:
        """Share a contact: one's own (the request_contact button) or someone else's."""
        return await self.taken(self.fake.send_contact(self.user_id, number, owner))

    async def upload(self, data: bytes, name: str = "file.bin") -> JsonDict:
        """Attach a file (a document on Telegram)."""
        return await self.taken(self.fake.send_document(self.user_id, data, file_name=name))

    async def pop(self) -> list[SentMessage]:
        """Every message the bot sent this person since the last pop, once it has settled."""
        await self.app.settle()
        messages = self.fake.sent_messages(self.user_id)[self.cursor :]
        self.cursor += len(messages)
        self.seen.extend(messages)
        return messages

    async def expect(self, *fragments: str) -> list[SentMessage]:
        """Pop messages and check that each fragment appears, in order, across them."""
        messages = await self.pop()
        text = "\n---\n".join(m.text or m.caption or "" for m in messages)
        position = 0
        for fragment in fragments:
            found = text.find(fragment, position)
            assert found >= 0, f"{fragment!r} not in replies:\n{text}"
            position = found + len(fragment)
        return messages

    async def assert_no_unread(self) -> None:
        """Fail when the bot said something the test did not read."""
        unread = await self.pop()
        assert not unread, f"unread replies for {self.user_id}: {[m.text for m in unread]}"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake
    assert fake.server_errors() == []


@pytest.fixture
async def tg_app(
    settings: Settings, clock: FakeClock, fake_telegram: FakeTelegram
) -> AsyncIterator[Application]:
    configured = telegram_settings(settings, fake_telegram)
    application = Application(configured, clock=clock)
    await cli_ops.import_units(application.db, cli_ops.DEMO_UNITS)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()


@pytest.fixture
async def tg_invite(tg_app: Application, clock: FakeClock) -> Callable[..., Awaitable[str]]:
    async def make(unit: str = "X-AN-BINH-HPN", role: str = "member", uses: int = 10) -> str:
        created = await cli_ops.create_invite(
            tg_app.db, tg_app.settings, unit, role, uses, 7, clock()
        )
        return created.code

    return make


@pytest.fixture
async def tg_user(
    tg_app: Application, fake_telegram: FakeTelegram
) -> AsyncIterator[Callable[..., TelegramUser]]:
    users: list[TelegramUser] = []

    def make(user_id: int = 5001, name: str = "Hoa") -> TelegramUser:
        user = TelegramUser(tg_app, fake_telegram, user_id, name)
        users.append(user)
        return user

    yield make
    for user in users:
        await user.assert_no_unread()


@pytest.fixture
async def webhook_app(
    settings: Settings, clock: FakeClock, fake_telegram: FakeTelegram
) -> AsyncIterator[Application]:
    """The bot in webhook mode, its HTTP server listening on a loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # the fake may connect before uvicorn accepts: the backlog holds it
    port = sock.getsockname()[1]
    configured = telegram_settings(
        settings,
        fake_telegram,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
        telegram_webhook_secret=SecretStr(SECRET),
    )
    app = Application(configured, clock=clock)
    await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
    server = uvicorn.Server(
        uvicorn.Config(app.http, log_level="warning", lifespan="off", access_log=False)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await app.start()
    try:
        yield app
    finally:
        await app.stop()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        sock.close()


async def join(user: TelegramUser, code: str, name: str = "Trần Thị Hoa") -> None:
    """Deep link /start CODE, name, phone skipped on the contact keyboard, consent by button."""
    await user.send(f"/start {code}")
    await user.expect("Mã mời hợp lệ", "họ và tên")
    await user.send(name)
    [ask] = await user.expect("Số điện thoại của bạn")
    assert markup_of(ask)["one_time_keyboard"] is True
    assert buttons_of(ask)[0]["request_contact"] is True
    await user.press("Bỏ qua")
    await user.expect("Đồng ý lưu thông tin cá nhân")
    await user.press("Đồng ý")
    await user.expect(f"Chào mừng {name}")
