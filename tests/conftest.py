"""Fixtures: a real application on a real SQLite file, driven through the web chat's HTTP routes."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from storage.migrate import upgrade
from tests.fakes.network_guard import blocked_attempts, install_loopback_guard
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.serve import serve

DEMO = cli_ops.DEMO_UNITS
# Telegram fixtures (fake Bot API, a Telegram-enabled app, a user driver) live beside the driver;
# drafts saved as the previous version saved them, for the migration tests, beside their record.
pytest_plugins = ["tests.support.telegram", "tests.support.old_drafts"]
# python-telegram-bot 22 warns (an error here) when retry_after is read as seconds; the
# adapter reads timedeltas. Set before any test builds a Bot.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Any connection to a host other than this machine fails the test."""
    uninstall = install_loopback_guard()
    yield
    uninstall()
    assert blocked_attempts() == []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        media_dir=tmp_path / "media",
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[Application]:
    await upgrade(settings.database_url)
    application = Application(settings, clock=clock)
    await cli_ops.import_units(application.db, DEMO)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()


@pytest.fixture
async def http(app: Application) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client with no session (as anyone on the network)."""
    transport = httpx.ASGITransport(app=app.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
async def invite(app: Application, clock: FakeClock) -> Callable[..., Awaitable[str]]:
    async def make(
        unit: str = "X-AN-BINH-HPN", role: str = "member", uses: int | None = None, days: int = 7
    ) -> str:
        # An admin invite serves one person; the others a few, as a unit's would.
        count = uses if uses is not None else (1 if role == "admin" else 10)
        created = await cli_ops.create_invite(
            app.db, app.settings, unit, role, count, days, clock()
        )
        return created.code

    return make


@pytest.fixture
async def chat(app: Application) -> AsyncIterator[Callable[..., ChatClient]]:
    """People on the web chat, each in a browser of their own (its own session cookie)."""
    clients: list[ChatClient] = []

    def make(uid: str, name: str | None = None) -> ChatClient:
        client = ChatClient(app, uid, name)
        clients.append(client)
        return client

    yield make
    try:
        for client in clients:
            await client.assert_no_unread()
    finally:
        for client in clients:
            await client.close()


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    """The fake Zalo OA Open API + OAuth server (tests turn the channel on via `settings`)."""
    async with FakeZaloOA() as fake:
        yield fake


@pytest.fixture
async def fake_bot() -> AsyncIterator[FakeZaloBot]:
    """The fake Zalo Bot platform."""
    async with FakeZaloBot() as fake:
        yield fake


@pytest.fixture
async def served(app: Application) -> AsyncIterator[str]:
    """The application's HTTP app under a real uvicorn on 127.0.0.1 (for webhook delivery)."""
    async with serve(app.http) as base_url:
        yield base_url
