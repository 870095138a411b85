"""One conversation driver per channel adapter, all with the same four verbs.

A contract test talks to a `Driver`: `send` (type), `press` (tap a choice: a button, or the
choice's words where the channel has no buttons), `expect` (read replies, check fragments in
order) and `read` (the replies as plain text). Add a channel by adding a driver and its name
to DRIVERS below.
"""

from __future__ import annotations

from typing import Protocol

from tests.support.chat import ChatClient
from tests.support.telegram import TelegramUser


class Driver(Protocol):
    """A person talking to the bot on one channel."""

    async def send(self, text: str) -> object:
        """Type a message."""
        ...

    async def press(self, label: str) -> object:
        """Choose the option with this label."""
        ...

    async def expect(self, *fragments: str) -> object:
        """Read the replies and check that the fragments appear in order."""
        ...

    async def read(self) -> list[str]:
        """The replies since the last read, as text."""
        ...


class WebDriver:
    """The local web chat, through its HTTP routes."""

    def __init__(self, client: ChatClient) -> None:
        self.client = client

    async def send(self, text: str) -> object:
        return await self.client.send(text)

    async def press(self, label: str) -> object:
        return await self.client.press(label)

    async def expect(self, *fragments: str) -> object:
        return await self.client.expect(*fragments)

    async def read(self) -> list[str]:
        return [m.text for m in await self.client.pop()]


class TelegramDriver:
    """Telegram, through the fake Bot API (updates in, sent messages out)."""

    def __init__(self, user: TelegramUser) -> None:
        self.user = user

    async def send(self, text: str) -> object:
        return await self.user.send(text)

    async def press(self, label: str) -> object:
        return await self.user.press(label)

    async def expect(self, *fragments: str) -> object:
        return await self.user.expect(*fragments)

    async def read(self) -> list[str]:
        return [m.text or m.caption or "" for m in await self.user.pop()]


DRIVERS = ("web", "telegram")
