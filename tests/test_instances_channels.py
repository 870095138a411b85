"""Platforms with several instances: one polls, one sends (so limits and a chat's order hold
however many run), and the Zalo OA token is refreshed by one at a time.

On PostgreSQL two instances run on one database (tests/support/instances.py); on SQLite the
one process does everything, and the same tests check that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select

from bot import cli_ops
from bot.app import Application
from bot.delivery import LaneState
from bot.settings import Settings
from handlers.types import Inbound, InboundKind, Reply
from storage import outbox
from storage.schema import inbox
from storage.schema import outbox as outbox_table
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.clock import FakeClock
from tests.support.instances import every_instance, settle_all
from tests.support.telegram import TelegramUser, join, telegram_settings
from tests.support.zalo import wall_clock, with_zalo

TERM = 600.0  # long: renewals happen only when a test asks for them


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"instance_lease_seconds": TERM})


@asynccontextmanager
async def telegram_pair(
    settings: Settings, clock: FakeClock, fake: FakeTelegram, **changes: Any
) -> AsyncIterator[list[Application]]:
    """Telegram-enabled instances on one database: two on PostgreSQL, one on SQLite."""
    async with every_instance(telegram_settings(settings, fake, **changes), clock) as apps:
        yield apps


@pytest.fixture
async def telegram_instances(
    settings: Settings, clock: FakeClock, fake_telegram: FakeTelegram
) -> AsyncIterator[list[Application]]:
    async with telegram_pair(settings, clock, fake_telegram) as apps:
        await cli_ops.import_units(apps[0].db, cli_ops.DEMO_UNITS)
        yield apps


def polling(apps: list[Application]) -> list[Application]:
    return [a for a in apps if a.telegram is not None and "poll:telegram" in a.leases.held]


async def test_one_instance_polls_and_another_takes_over_when_it_dies(
    telegram_instances: list[Application], fake_telegram: FakeTelegram, clock: FakeClock
) -> None:
    [poller] = polling(telegram_instances)
    hoa = TelegramUser(poller, fake_telegram, 5001, "Hoa")
    await hoa.send("/start")
    await hoa.expect("hãy gõ mã mời")
    survivor = telegram_instances[-1]
    if survivor is not poller:
        assert poller.telegram is not None
        await poller.telegram.stop_polling()  # it died: no poll, no renewal
        await poller.runner.stop()
        clock.advance(seconds=TERM + 1)
        await survivor.leases.renew()
        assert polling(telegram_instances) == [poller, survivor]  # until the dead one looks
        await poller.leases.renew()
        assert polling(telegram_instances) == [survivor]
        hoa.app = survivor
    await hoa.send("/trogiup")  # fetched from the offset the first poller recorded
    await hoa.expect("Hướng dẫn sử dụng")
    async with survivor.db.read() as conn:
        statuses = (await conn.execute(select(inbox.c.status))).scalars().all()
    assert statuses == ["done", "done"]


async def test_bulk_sends_queued_on_every_instance_keep_within_one_rate(
    settings: Settings, clock: FakeClock, fake_telegram: FakeTelegram
) -> None:
    # 25/s configured, Telegram's 30/s enforced: two senders at 25/s each would meet 429s.
    fake_telegram.set_limits(True)
    async with telegram_pair(
        settings, clock, fake_telegram, telegram_rate_per_second=25.0
    ) as telegram_instances:
        await _bulk_from_every_instance(telegram_instances, fake_telegram)


async def _bulk_from_every_instance(
    telegram_instances: list[Application], fake_telegram: FakeTelegram
) -> None:
    chats = {
        app.db.instance: [8000 + 100 * n + k for k in range(20)]
        for n, app in enumerate(telegram_instances)
    }

    async def queue(app: Application) -> None:
        messages = []
        for chat in chats[app.db.instance]:
            fake_telegram.add_user(chat, f"U{chat}")
            messages.append(
                outbox.NewMessage(
                    channel="telegram",
                    chat_id=str(chat),
                    identity_id=None,
                    payload=Reply(text="Thông báo").model_dump(mode="json"),
                    priority=outbox.PRIORITY_BULK,
                )
            )
        async with app.db.write() as conn:
            await outbox.enqueue(conn, messages, app.clock())

    await asyncio.gather(*(queue(app) for app in telegram_instances))
    [sender] = [
        a for a in telegram_instances if a.delivery.lanes["telegram"].state is LaneState.ACTIVE
    ]
    await sender.settle()
    async with sender.db.read() as conn:
        statuses = (await conn.execute(select(outbox_table.c.status))).scalars().all()
    assert statuses == ["sent"] * 20 * len(telegram_instances)
    assert fake_telegram.count_429s() == 0


async def test_a_chats_replies_leave_in_order_whichever_instance_made_them(
    telegram_instances: list[Application],
    fake_telegram: FakeTelegram,
    clock: FakeClock,
) -> None:
    first = telegram_instances[0]
    [poller] = polling(telegram_instances)
    hoa = TelegramUser(poller, fake_telegram, 5001, "Hoa")
    code = await cli_ops.create_invite(
        first.db, first.settings, "X-AN-BINH-HPN", "member", 5, 7, clock()
    )
    await join(hoa, code.code)
    commands = ["/trogiup", "/cuatoi"] * 3
    replies = {"/trogiup": "Hướng dẫn sử dụng", "/cuatoi": "Bạn chưa gửi đề cử nào"}

    def event(n: int, text: str) -> Inbound:
        return Inbound(
            channel="telegram",
            external_id=f"later-{n}",
            sender_id="5001",
            chat_id="5001",
            kind=InboundKind.TEXT,
            text=text,
            received_at=clock(),
        )

    # Each event reaches one instance or the other (a webhook behind a load balancer), which
    # records it and goes on; the steps run while later events are being recorded.
    for n, text in enumerate(commands):
        await telegram_instances[n % len(telegram_instances)].intake.accept(event(n, text))
    await settle_all(telegram_instances)
    hoa.app = first
    await hoa.expect(*(replies[text] for text in commands))


@pytest.fixture
def zalo_settings(settings: Settings, fake_oa: FakeZaloOA) -> Settings:
    return with_zalo(settings, fake_oa, None)


@pytest.fixture
async def zalo_instances(
    zalo_settings: Settings, fake_oa: FakeZaloOA
) -> AsyncIterator[list[Application]]:
    async with every_instance(zalo_settings, wall_clock()) as apps:
        yield apps


async def test_the_zalo_oa_pair_is_refreshed_by_one_instance_and_used_by_all(
    zalo_instances: list[Application], fake_oa: FakeZaloOA
) -> None:
    keepers = [app.zalo_oa.tokens for app in zalo_instances if app.zalo_oa is not None]
    rejected = await keepers[0].token()  # the first refresh, from ZALO_OA_REFRESH_TOKEN
    assert fake_oa.refresh_count == 1
    fake_oa.set_refresh_delay(0.2)  # both instances meet the rejection while one refreshes
    tokens = await asyncio.gather(*(k.replace(rejected) for k in keepers * 2))
    assert set(tokens) == {fake_oa.access_token}
    assert fake_oa.refresh_count == 2 and fake_oa.max_concurrent_refreshes == 1
    assert [k.failures for k in keepers] == [0] * len(keepers)  # no false alarm to admins
    async with zalo_instances[0].db.read() as conn:
        keys = (await conn.execute(select(outbox_table.c.dedupe_key))).scalars().all()
    assert not [k for k in keys if k and k.startswith("alert:")]
