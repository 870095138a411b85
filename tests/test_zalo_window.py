"""Zalo's 7-day window: bulk messages skip people who have not written, without calling Zalo."""

from __future__ import annotations

import httpx
import pytest

from bot.app import Application
from bot.settings import Settings
from handlers.types import Reply
from storage import outbox
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.clock import FakeClock
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import identity, queue_message

DAY = 24 * 3600
OLD, RECENT = str((1 << 60) + 1), str((1 << 60) + 2)


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def settings(settings: Settings, fake_oa: FakeZaloOA, fake_bot: FakeZaloBot) -> Settings:
    return with_zalo(settings, fake_oa, None)


async def write(app: Application, fake: FakeZaloOA, served: str, user: str) -> None:
    event = fake.user_send_text(user, "xin chào")
    assert (await fake.deliver_async(event, url=served + "/zalo/oa/webhook")).status_code == 200
    await app.settle()


async def test_bulk_rows_outside_the_window_are_not_sent(
    app: Application, fake_oa: FakeZaloOA, served: str, clock: FakeClock
) -> None:
    await write(app, fake_oa, served, OLD)
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)
    await write(app, fake_oa, served, RECENT)
    calls_before = len(fake_oa.calls("/v3.0/oa/message/cs"))
    for user in (OLD, RECENT):
        await queue_message(app, "zalo_oa", user, Reply(text="Điểm tin"), bulk=True, batch="d1")
    await app.settle()
    async with app.db.read() as conn:
        counts = await outbox.counts_by_status(conn, "d1")
    assert counts == {"sent": 1, "unreachable": 1}
    sent_to = [c.json["recipient"]["user_id"] for c in fake_oa.calls("/v3.0/oa/message/cs")]
    assert sent_to[calls_before:] == [RECENT]  # no paid-for failure for the old one
    assert app.delivery.lanes["zalo_oa"].outside_window == 1
    # the person is not marked unreachable: writing again opens the window
    assert (await identity(app, "zalo_oa", OLD)).unreachable_at is None
    async with httpx.AsyncClient() as client:
        health = (await client.get(served + "/healthz")).json()
    assert health["outside_window"]["zalo_oa"] == 1


async def test_replies_and_people_back_inside_the_window_are_sent(
    app: Application, fake_oa: FakeZaloOA, served: str, clock: FakeClock
) -> None:
    await write(app, fake_oa, served, OLD)
    clock.advance(days=6, hours=23)
    fake_oa.advance(6 * DAY + 23 * 3600)
    await queue_message(app, "zalo_oa", OLD, Reply(text="Nhắc hạn"), bulk=True, batch="r1")
    await app.settle()
    clock.advance(hours=2)
    fake_oa.advance(2 * 3600)
    await queue_message(app, "zalo_oa", OLD, Reply(text="Nhắc lần hai"), bulk=True, batch="r2")
    await app.settle()
    await write(app, fake_oa, served, OLD)  # the reply to a message always goes
    await queue_message(app, "zalo_oa", OLD, Reply(text="Nhắc lần ba"), bulk=True, batch="r3")
    await app.settle()
    async with app.db.read() as conn:
        statuses = [await outbox.counts_by_status(conn, b) for b in ("r1", "r2", "r3")]
    assert statuses == [{"sent": 1}, {"unreachable": 1}, {"sent": 1}]
    texts = [m.text for m in fake_oa.sent_messages(OLD)]
    assert "Nhắc hạn" in texts and "Nhắc lần ba" in texts and "Nhắc lần hai" not in texts


async def test_web_chat_has_no_window(app: Application, clock: FakeClock) -> None:
    assert app.webchat is not None
    assert app.webchat.capabilities.proactive_window is None
    assert app.zalo_oa is not None
    assert app.zalo_oa.capabilities.proactive_window is not None
    assert app.zalo_oa.capabilities.proactive_window.days == 7
