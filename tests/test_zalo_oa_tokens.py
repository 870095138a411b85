"""The OA access token: first refresh, expiry mid-broadcast, one refresh at a time, failures."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.app import Application
from bot.channels.http import Session
from bot.channels.zalo_oa_auth import TOKENS_KEY, TokenKeeper
from bot.settings import Settings
from handlers.types import Reply
from storage import kv
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.helpers_flow import join
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import outbox_rows, queue_message

HOUR = 3600


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def settings(settings: Settings, fake_oa: FakeZaloOA, fake_bot: FakeZaloBot) -> Settings:
    return with_zalo(settings, fake_oa, None)


async def users_write(
    app: Application, fake: FakeZaloOA, served: str, count: int, text: str = "xin chào"
) -> list[str]:
    """`count` new Zalo users each send a message (and get the stranger's welcome)."""
    users = [str((1 << 60) + n) for n in range(count)]
    for user in users:
        result = await fake.deliver_async(
            fake.user_send_text(user, text), url=served + "/zalo/oa/webhook"
        )
        assert result.status_code == 200
    await app.settle()
    return users


async def stored_pair(app: Application) -> dict[str, str]:
    """The stored pair, opened with the app's key (at rest it is sealed, never in clear)."""
    async with app.db.read() as conn:
        value = await kv.get_value(conn, TOKENS_KEY)
    assert isinstance(value, dict) and set(value) == {"sealed"}
    opened = app.keys.open(value["sealed"])
    assert opened is not None
    pair: dict[str, str] = json.loads(opened)
    assert pair["refresh_token"] not in value["sealed"]
    return pair


def cs_errors(fake: FakeZaloOA) -> list[int]:
    return [c.response["error"] for c in fake.calls("/v3.0/oa/message/cs")]


def keeper_like(app: Application, fake: FakeZaloOA, http: Session, first: str) -> TokenKeeper:
    """A keeper as a restarted process would build it, on the same database."""

    async def ignore(reason: str) -> None:
        return None

    return TokenKeeper(
        app.db,
        app.clock,
        http,
        oauth_base_url=fake.base_url,
        app_id=fake.app_id,
        app_secret=fake.app_secret,
        first_refresh_token=first,
        margin=timedelta(hours=1),
        on_failure=ignore,
        keys=app.keys,
    )


async def test_first_refresh_comes_from_settings_and_the_pair_is_stored(
    app: Application, fake_oa: FakeZaloOA, served: str
) -> None:
    configured = fake_oa.refresh_token
    await users_write(app, fake_oa, served, 1)
    assert fake_oa.refresh_count == 1
    pair = await stored_pair(app)
    assert pair["refresh_token"] == fake_oa.refresh_token != configured
    assert pair["access_token"] == fake_oa.access_token
    sent = fake_oa.calls("/v3.0/oa/message/cs")
    assert [c.headers["access_token"] for c in sent] == [pair["access_token"]]
    assert cs_errors(fake_oa) == [0]


async def test_access_token_expiring_mid_broadcast_is_refreshed_once(
    app: Application, fake_oa: FakeZaloOA, served: str
) -> None:
    users = await users_write(app, fake_oa, served, 6)
    assert fake_oa.refresh_count == 1
    fake_oa.set_refresh_delay(0.3)  # the sends that hit the expired token overlap the refresh
    for user in users[:3]:
        await queue_message(app, "zalo_oa", user, Reply(text="Nhắc việc"), bulk=True)
    await app.settle()
    fake_oa.expire_access_tokens()  # Zalo revoked it mid-way: the rest meet -220
    for user in users[3:]:
        await queue_message(app, "zalo_oa", user, Reply(text="Nhắc việc"), bulk=True)
    await app.settle()
    rows = await outbox_rows(app, "zalo_oa")
    assert [r.status for r in rows] == ["sent"] * 12
    assert fake_oa.refresh_count == 2
    assert fake_oa.max_concurrent_refreshes == 1
    assert -220 in cs_errors(fake_oa)
    assert (await stored_pair(app))["refresh_token"] == fake_oa.refresh_token


async def test_token_is_refreshed_ahead_of_expiry(
    app: Application, fake_oa: FakeZaloOA, served: str, clock: FakeClock
) -> None:
    users = await users_write(app, fake_oa, served, 1)
    clock.advance(hours=24.5)  # 25 h tokens, refreshed an hour before they run out
    fake_oa.advance(24.5 * HOUR)
    fake_oa.user_interacted(users[0])
    await queue_message(app, "zalo_oa", users[0], Reply(text="Tin mới"))
    await app.settle()
    assert fake_oa.refresh_count == 2
    assert cs_errors(fake_oa) == [0, 0]  # never sent with a token about to expire


async def test_two_concurrent_refreshes_one_wins(
    app: Application, fake_oa: FakeZaloOA, served: str
) -> None:
    await users_write(app, fake_oa, served, 1)
    assert app.zalo_oa is not None
    keeper = app.zalo_oa.tokens
    rejected = await keeper.token()
    fake_oa.set_refresh_delay(0.2)
    first, second = await asyncio.gather(keeper.replace(rejected), keeper.replace(rejected))
    assert first == second == fake_oa.access_token
    assert fake_oa.refresh_count == 2  # the start-up refresh and exactly one more
    assert fake_oa.max_concurrent_refreshes == 1
    assert (await stored_pair(app))["refresh_token"] == fake_oa.refresh_token


async def test_the_stored_pair_outlives_a_restart(
    app: Application, fake_oa: FakeZaloOA, served: str
) -> None:
    configured = fake_oa.refresh_token
    await users_write(app, fake_oa, served, 1)
    http = Session()
    try:
        # ZALO_OA_REFRESH_TOKEN is spent now; the stored pair is what a restart uses
        restarted = keeper_like(app, fake_oa, http, configured)
        assert await restarted.token() == fake_oa.access_token
        assert fake_oa.refresh_count == 1
        # the operator pastes a new token from the API Explorer: it replaces the chain
        fresh = fake_oa.issue_tokens()
        replaced = keeper_like(app, fake_oa, http, fresh.refresh_token)
        assert await replaced.token() == fake_oa.access_token
        assert fake_oa.refresh_count == 2
    finally:
        await http.close()
    assert (await stored_pair(app))["refresh_token"] == fake_oa.refresh_token


async def test_refresh_failure_alerts_the_admins_without_logging_tokens(
    app: Application,
    fake_oa: FakeZaloOA,
    served: str,
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = chat("admin")
    await join(admin, await invite(unit="T-DEMO", role="admin"), "Phạm Quản Trị")
    member = chat("member")
    await join(member, await invite(), "Trần Thị Hoa")
    configured = fake_oa.refresh_token
    fake_oa.expire_refresh_tokens()
    caplog.set_level(logging.INFO)
    await users_write(app, fake_oa, served, 2)
    await admin.expect("không làm mới được quyền gửi tin của Zalo OA")
    assert await admin.pop() == []  # one alert an hour, not one per failed send
    assert await member.pop() == []  # members are not told
    rows = await outbox_rows(app, "zalo_oa")
    assert [r.status for r in rows] == ["retrying", "retrying"]
    assert all("token refresh failed" in (r.last_error or "") for r in rows)
    assert app.zalo_oa is not None and app.zalo_oa.tokens.failures == 2
    assert "Zalo OA token refresh failed" in caplog.text
    assert configured not in caplog.text
