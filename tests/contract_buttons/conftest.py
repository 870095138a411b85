"""The contract suite's fixtures: the same conversation over every channel adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from bot import cli_ops
from bot.app import Application
from tests.contract_buttons.drivers import DRIVERS, Driver, TelegramDriver, WebDriver
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.telegram import TelegramUser

# Which application fixture serves each driver.
APP_FIXTURE = {"web": "app", "telegram": "tg_app"}


@pytest.fixture(params=DRIVERS)
def channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def contract_app(request: pytest.FixtureRequest, channel: str) -> Application:
    # A sync fixture: pytest-asyncio sets the async application fixture up from here.
    app: Application = request.getfixturevalue(APP_FIXTURE[channel])
    return app


@pytest.fixture
def contract_fake(request: pytest.FixtureRequest, channel: str) -> FakeTelegram | None:
    """The fake Bot API when the channel under test is Telegram."""
    if channel != "telegram":
        return None
    fake: FakeTelegram = request.getfixturevalue("fake_telegram")
    return fake


@pytest.fixture
async def contract_invite(
    contract_app: Application, clock: FakeClock
) -> Callable[..., Awaitable[str]]:
    async def make(unit: str = "X-AN-BINH-HPN", role: str = "member") -> str:
        created = await cli_ops.create_invite(
            contract_app.db, contract_app.settings, unit, role, 10, 7, clock()
        )
        return created.code

    return make


@pytest.fixture
async def person(
    channel: str, contract_app: Application, contract_fake: FakeTelegram | None
) -> AsyncIterator[Callable[[str], Driver]]:
    """person("Hoa") → a driver for a new person on the channel under test."""
    made: list[Driver] = []
    http: httpx.AsyncClient | None = None
    if channel == "web":
        transport = httpx.ASGITransport(app=contract_app.http)
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def make(name: str) -> Driver:
        driver: Driver
        if channel == "web":
            assert http is not None
            driver = WebDriver(ChatClient(contract_app, http, f"u{len(made)}", name))
        else:
            assert contract_fake is not None
            user = TelegramUser(contract_app, contract_fake, 6000 + len(made), name)
            driver = TelegramDriver(user)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        assert await driver.read() == [], "the test left replies unread"
    if http is not None:
        await http.aclose()
