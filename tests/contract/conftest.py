"""The contract suite's fixtures: one application with every channel turned on.

`driver` runs each test once per channel adapter in CHANNELS (web chat, Zalo OA, Zalo Bot,
Telegram) and fails it when a reply is left unread; `make_driver` makes more people.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import Application
from bot.settings import Settings
from tests.contract.drivers import (
    Driver,
    TelegramDriver,
    WebDriver,
    ZaloBotDriver,
    ZaloOADriver,
    new_user,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.telegram import telegram_settings
from tests.support.zalo import wall_clock, with_zalo

CHANNELS = ["web", "zalo_oa", "zalo_bot", "telegram"]


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def settings(
    settings: Settings,
    fake_oa: FakeZaloOA,
    fake_bot: FakeZaloBot,
    fake_telegram: FakeTelegram,
    clock: FakeClock,
) -> Settings:
    # Decisions stand after one minute here: the Zalo fakes stamp events with the wall clock,
    # which the app's clock must not pass by more than ZALO_OA_STALE_SECONDS.
    # The digest an hour after the start: on start the app runs a daily job missed within
    # the last hours, and on the wall clock that was today's digest whenever the suite ran
    # in the hours after DIGEST_TIME, so a test's own firing of it found the day taken.
    local = clock().astimezone(ZoneInfo(settings.timezone))
    digest_time = (local + timedelta(hours=1)).strftime("%H:%M")
    held = settings.model_copy(update={"undo_minutes": 1, "digest_time": digest_time})
    return telegram_settings(with_zalo(held, fake_oa, fake_bot), fake_telegram)


@pytest.fixture
def make_driver(
    app: Application,
    chat: Callable[..., ChatClient],
    fake_oa: FakeZaloOA,
    fake_bot: FakeZaloBot,
    fake_telegram: FakeTelegram,
    served: str,
) -> Callable[[str], Driver]:
    """Drivers for a channel by name, each a new person."""

    def make(channel: str) -> Driver:
        if channel == "web":
            return WebDriver(app, chat(f"web{new_user()[-6:]}"))
        if channel == "telegram":
            return TelegramDriver(app, fake_telegram, int(new_user()[-9:]))
        if channel == "zalo_oa":
            return ZaloOADriver(app, fake_oa, served + "/zalo/oa/webhook", new_user())
        return ZaloBotDriver(app, fake_bot, new_user())

    return make


@pytest.fixture(params=CHANNELS)
async def driver(
    request: pytest.FixtureRequest, make_driver: Callable[[str], Driver]
) -> AsyncIterator[Driver]:
    made = make_driver(request.param)
    yield made
    await made.assert_no_unread()
