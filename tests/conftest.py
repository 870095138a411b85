"""Fixtures: a real application on a real database, driven through the web chat's HTTP routes.

The suite runs in two legs: on SQLite files (the default) and on PostgreSQL
(`pytest --database=postgres`): `TEST_DATABASE_URL` names a server to use, or else a
throwaway cluster is started for the session (tests/support/postgres.py). Every test gets a
fresh database at the current schema from `database_url`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from tests.fakes.network_guard import blocked_attempts, install_loopback_guard
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.databases import Databases, PostgresDatabases, SqliteDatabases
from tests.support.postgres import Cluster
from tests.support.serve import serve

DEMO = cli_ops.DEMO_UNITS
# Telegram fixtures (fake Bot API, a Telegram-enabled app, a user driver) live beside the driver;
# drafts saved as the previous version saved them, for the migration tests, beside their record.
pytest_plugins = ["tests.support.telegram", "tests.support.old_drafts", "tests.support.instances"]
# python-telegram-bot 22 warns (an error here) when retry_after is read as seconds; the
# adapter reads timedeltas. Set before any test builds a Bot.
os.environ.setdefault("PTB_TIMEDELTA", "true")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="the engine every test runs on (postgres: TEST_DATABASE_URL or a throwaway cluster)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--database')}"


@pytest.fixture(scope="session")
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    """Where each test's database comes from, on the leg's engine."""
    made: Databases
    if request.config.getoption("--database") == "sqlite":
        made = SqliteDatabases(tmp_path_factory.mktemp("template"))
        yield made
        return
    cluster = None
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        cluster = Cluster.start()
        url = cluster.url()
    try:
        made = PostgresDatabases(url)
        try:
            yield made
        finally:
            made.close()
    finally:
        if cluster is not None:
            cluster.stop()


@pytest.fixture
def database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """A new database at the current schema, for this test only."""
    url = databases.new(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """A new empty database (no schema), for this test only."""
    url = databases.new(tmp_path, migrated=False)
    yield url
    databases.drop(url)


@pytest.fixture(autouse=True)
def _secret_key_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated SECRET_KEY goes to the test's folder (on PostgreSQL it would go to data/)."""
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "secret.key"))


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
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, media_dir=tmp_path / "media")


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[Application]:
    application = Application(settings, clock=clock)
    await cli_ops.import_units(application.db, DEMO)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()


@pytest.fixture
def drop_connections(app: Application, databases: Databases) -> Callable[[], None]:
    """End the database connections the application holds, as a database restart would.

    PostgreSQL: the server ends every connection to the test's database. SQLite has no
    server: the file's connection the application writes through is closed underneath it.
    """

    def drop() -> None:
        if isinstance(databases, PostgresDatabases):
            assert databases.drop_connections(app.settings.database_url) > 0
            return
        writer = app.db._writer
        assert writer is not None
        writer.connection.dbapi_connection.close()  # type: ignore[union-attr]

    return drop


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
