"""Another running instance of the bot on a test's database, and an HTTP client for one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.app import Application
from bot.settings import Settings
from tests.support.clock import FakeClock


@asynccontextmanager
async def running(settings: Settings, clock: FakeClock) -> AsyncIterator[Application]:
    """An application started on these settings, stopped at the end."""
    app = Application(settings, clock=clock)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def client_for(app: Application) -> httpx.AsyncClient:
    """An HTTP client calling the application's routes in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app.http), base_url="http://t")
