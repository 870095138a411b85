"""Fixtures of the console tests: browsers on the console, people who joined by the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.app import Application
from tests.support.console import ConsoleClient


@pytest.fixture
async def console(app: Application) -> AsyncIterator[Callable[[], ConsoleClient]]:
    """Browsers on the web console, each with its own cookies."""
    made: list[ConsoleClient] = []

    def make() -> ConsoleClient:
        client = ConsoleClient(app)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()
