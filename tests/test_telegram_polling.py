"""Durable polling: the offset only moves past recorded updates; 409 is reported, not fatal."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx
import pytest
from sqlalchemy import select
from telegram import Bot, Update

from bot.app import Application
from bot.channels.telegram import OFFSET_KEY
from bot.channels.telegram_poller import Poller
from bot.settings import Settings
from storage import kv
from storage.schema import inbox
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FakeClock
from tests.support.telegram import TelegramUser, telegram_settings


async def health(app: Application) -> dict[str, object]:
    transport = httpx.ASGITransport(app=app.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        body: dict[str, object] = (await client.get("/healthz")).json()
    return body


async def test_a_second_poller_is_reported_and_survived(
    tg_app: Application, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = tg_app.telegram
    assert telegram is not None and telegram.poller is not None
    hoa = TelegramUser(tg_app, fake_telegram, 5001, "Hoa")
    await hoa.send("/start")
    await hoa.expect("hãy gõ mã mời")
    conflicts = telegram.poller.status.conflicts
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram_poller"):
        async with Bot(
            fake_telegram.token, base_url=fake_telegram.base_url
        ) as intruder:  # another process with the same token
            await intruder.get_updates(timeout=0)
            poller = telegram.poller
            await fake_telegram.wait_until_async(lambda: poller.status.conflicts > conflicts)
    body = await health(tg_app)
    status = body["telegram"]
    assert isinstance(status, dict) and status["state"] == "conflict"
    assert "terminated by other getUpdates request" in str(status["last_error"])
    assert any("polling conflict" in r.getMessage() for r in caplog.records)
    await hoa.send("/trogiup")  # the intruder left: polling resumes after its backoff
    await hoa.expect("Hướng dẫn sử dụng")
    status = (await health(tg_app))["telegram"]
    assert isinstance(status, dict) and status["state"] == "polling"


async def test_a_batch_not_recorded_is_fetched_again(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(5001, "Hoa")
    first = fake_telegram.send_text(5001, "một")["update_id"]
    second = fake_telegram.send_text(5001, "hai")["update_id"]
    batches: list[list[int]] = []
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:

        async def take(updates: Sequence[Update], next_offset: int) -> None:
            batches.append([u.update_id for u in updates])
            if len(batches) == 1:
                raise OSError("disk full")  # the process could not record: nothing confirmed
            assert next_offset == second + 1
            poller.stop()

        poller = Poller(bot, take, None, timeout=1)
        await poller.run()
        assert batches == [[first, second], [first, second]]
        assert poller.offset == second + 1
        assert poller.status.state == "polling"
        assert await bot.get_updates(offset=poller.offset) == ()
    assert fake_telegram.pending_updates() == []


async def test_restart_resumes_from_the_recorded_offset(
    settings: Settings, clock: FakeClock, fake_telegram: FakeTelegram, tg_app: Application
) -> None:
    hoa = TelegramUser(tg_app, fake_telegram, 5001, "Hoa")
    last = await hoa.send("/start")
    await hoa.expect("hãy gõ mã mời")
    async with tg_app.db.read() as conn:
        assert await kv.get_value(conn, OFFSET_KEY) == last["update_id"] + 1
    await tg_app.stop()
    # While the bot is down: a message arrives, and another process fetches it without
    # confirming (a crash before recording). Neither loses it.
    waiting = fake_telegram.send_text(5001, "/trogiup")
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as crashed:
        assert [u.update_id for u in await crashed.get_updates()] == [waiting["update_id"]]
    mark = fake_telegram.mark()
    # Read from here on: the new instance may answer before its start returns.
    hoa.cursor = len(fake_telegram.sent_messages(5001))
    again = Application(telegram_settings(settings, fake_telegram), clock=clock)
    await again.start()
    try:
        hoa.app = again
        await hoa.taken(waiting)
        await hoa.expect("Hướng dẫn sử dụng")
        polls = [c for c in fake_telegram.calls()[mark:] if c.method == "getUpdates"]
        assert polls[0].params["offset"] == last["update_id"] + 1
        async with again.db.read() as conn:
            ids = (await conn.execute(select(inbox.c.external_id))).scalars().all()
        assert sorted(ids) == sorted([str(last["update_id"]), str(waiting["update_id"])])
    finally:
        await again.stop()
