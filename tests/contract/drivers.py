"""One small driver per channel: type, choose, send a picture, read replies as plain text.

The conversation suite talks only to this interface, so a channel is added to it by writing
one more driver (Telegram: a driver over its fake Bot API server). `press(label)` is how a
person picks a choice on that channel: a real button tap on the web chat and on Telegram (a
callback query through the fake Bot API); on Zalo OA and Zalo Bot, whose messages have no
buttons and show choices as a numbered menu, the person types the choice's words.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod

from bot.app import Application
from handlers.messages import t
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.chat import ChatClient
from tests.support.media import jpeg
from tests.support.telegram import TelegramUser

JPEG = jpeg()
ZALO_CDN_PHOTO = "https://f1.photo.talk.zdn.vn/test/evidence.jpg"
MENU_LINE = re.compile(r"(\d+)\. (.+)")


class Driver(ABC):
    """The common part: pop replies after the bot settled, check fragments in order."""

    name = "?"

    def __init__(self, app: Application) -> None:
        self.app = app

    @abstractmethod
    async def send(self, text: str) -> None:
        """Type a message."""

    @abstractmethod
    async def press(self, label: str) -> None:
        """Choose the offered option with this label, the way a person does on the channel."""

    @abstractmethod
    async def send_image(self) -> None:
        """Send a picture."""

    @abstractmethod
    async def _read(self) -> list[str]:
        """The texts the bot sent since the last read."""

    async def pop(self) -> list[str]:
        """The texts the bot sent since the last pop, as a person reads them (the no-break
        spaces that keep a phone number on one line read as spaces)."""
        await self.app.settle()
        return [text.replace("\u00a0", " ") for text in await self._read()]

    async def expect(self, *fragments: str) -> list[str]:
        """Pop and check that every fragment appears, in order, across the replies."""
        texts = await self.pop()
        joined = "\n---\n".join(texts)
        position = 0
        for fragment in fragments:
            found = joined.find(fragment, position)
            assert found >= 0, f"{self.name}: {fragment!r} not in replies:\n{joined}"
            position = found + len(fragment)
        return texts

    async def assert_no_unread(self) -> None:
        """Fail when the bot said something the test did not read."""
        unread = await self.pop()
        assert not unread, f"{self.name}: unread replies {unread}"


class WebDriver(Driver):
    """The web chat, through its HTTP routes."""

    name = "web"

    def __init__(self, app: Application, chat: ChatClient) -> None:
        super().__init__(app)
        self.chat = chat

    async def send(self, text: str) -> None:
        await self.chat.send(text)

    async def press(self, label: str) -> None:
        await self.chat.press(label)

    async def send_image(self) -> None:
        response = await self.chat.upload(JPEG, "anh.jpg")
        assert response.status_code == 200

    async def _read(self) -> list[str]:
        return [m.text for m in await self.chat.pop()]


class NumberedMenuDriver(Driver):
    """A channel without buttons: choices come as a numbered menu and are answered by typing."""

    def __init__(self, app: Application) -> None:
        super().__init__(app)
        # The options of the bot's latest message, as its numbered menu lists them.
        self.menu: list[str] = []

    async def pop(self) -> list[str]:
        texts = await super().pop()
        if texts:
            menus = [labels for labels in map(menu_labels, texts) if labels]
            self.menu = menus[-1] if menus else []
        return texts

    async def press(self, label: str) -> None:
        """Type the label of an option the latest menu offers, as a member would."""
        assert label in self.menu, f"{self.name}: {label!r} not offered; menu {self.menu}"
        await self.send(label)


def menu_labels(text: str) -> list[str]:
    """The labels of the numbered menu a text ends with (render.numbered_menu), [] without."""
    lines = text.splitlines()
    if not lines or lines[-1] != t("render.menu_hint"):
        return []
    numbered: list[tuple[int, str]] = []
    for line in reversed(lines[:-1]):
        item = MENU_LINE.fullmatch(line)
        if item is None:
            break
        numbered.insert(0, (int(item.group(1)), item.group(2)))
    assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1)), text
    return [label for _, label in numbered]


class ZaloOADriver(NumberedMenuDriver):
    """A Zalo user writing to the OA: signed webhook events from the fake, its sent messages."""

    name = "zalo_oa"

    def __init__(self, app: Application, fake: FakeZaloOA, webhook_url: str, user: str) -> None:
        super().__init__(app)
        self.fake = fake
        self.url = webhook_url
        self.user = user
        self.cursor = 0

    async def send(self, text: str) -> None:
        result = await self.fake.deliver_async(
            self.fake.user_send_text(self.user, text), url=self.url
        )
        assert result.status_code == 200, result

    async def send_image(self) -> None:
        event = self.fake.user_send_image(self.user, ZALO_CDN_PHOTO)
        result = await self.fake.deliver_async(event, url=self.url)
        assert result.status_code == 200, result

    async def _read(self) -> list[str]:
        sent = self.fake.sent_messages(self.user)[self.cursor :]
        self.cursor += len(sent)
        return [m.text or f"[{m.kind}]" for m in sent]


class ZaloBotDriver(NumberedMenuDriver):
    """A Zalo user writing to the bot: updates queued in the fake, fetched by our polling."""

    name = "zalo_bot"

    def __init__(self, app: Application, fake: FakeZaloBot, user: str) -> None:
        super().__init__(app)
        self.fake = fake
        self.user = user
        self.cursor = 0

    async def recorded(self, update: dict[str, object]) -> None:
        message = update["message"]
        assert isinstance(message, dict)
        channel = self.app.zalo_bot
        assert channel is not None
        message_id = str(message["message_id"])
        await self.fake.wait_for_async(lambda: message_id in channel.recent, timeout=10)

    async def send(self, text: str) -> None:
        await self.recorded(self.fake.send_text(self.user, text, display_name="Người thử"))

    async def send_image(self) -> None:
        await self.recorded(self.fake.send_image(self.user, ZALO_CDN_PHOTO))

    async def _read(self) -> list[str]:
        sent = self.fake.sent_messages(self.user)[self.cursor :]
        self.cursor += len(sent)
        return [m.text or f"[{m.method}]" for m in sent]


class TelegramDriver(Driver):
    """A Telegram user: typed messages, and taps on the inline buttons the bot sent."""

    name = "telegram"

    def __init__(self, app: Application, fake: FakeTelegram, user_id: int) -> None:
        super().__init__(app)
        self.user = TelegramUser(app, fake, user_id, "Người thử")

    async def send(self, text: str) -> None:
        await self.user.send(text)

    async def press(self, label: str) -> None:
        await self.user.press(label)

    async def send_image(self) -> None:
        await self.user.taken(self.user.fake.send_photo(self.user.user_id))

    async def _read(self) -> list[str]:
        messages = self.user.fake.sent_messages(self.user.user_id)[self.user.cursor :]
        self.user.cursor += len(messages)
        self.user.seen.extend(messages)  # press() looks for its button among them
        return [m.text or m.caption or f"[{m.method}]" for m in messages]


def new_user() -> str:
    """A Zalo-style user id, larger than 2^53 so a float parse would corrupt it."""
    return str((1 << 60) + uuid.uuid4().int % (1 << 59))
