"""Template sends that cannot succeed stop, the admins hear of it once, nothing is retried."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.settings import Settings
from handlers import templates
from handlers.types import Reply
from storage import outbox
from storage.schema import zalo_template_budget, zalo_template_sends
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.clock import FakeClock
from tests.support.people import Invite, MakeChat, person
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import queue_message
from tests.test_zalo_oa_tokens import users_write

DAY = 24 * 3600
PARAMS = ["title", "unit", "deadline", "hint", "link"]


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def template_mode() -> str:
    """ZALO_OA_TEMPLATE_MODE (a test parametrizes it to change it)."""
    return "production"


@pytest.fixture
def settings(
    settings: Settings, fake_oa: FakeZaloOA, tmp_path: Path, template_mode: str
) -> Settings:
    path = tmp_path / "templates.toml"
    path.write_text('[call_opened]\ntemplate_id = "310001"\n', encoding="utf-8")
    return with_zalo(
        settings,
        fake_oa,
        None,
        zalo_oa_templates=path,
        zalo_oa_business_base_url=fake_oa.base_url,
        zalo_oa_template_mode=template_mode,
    )


def unapproved(fake: FakeZaloOA) -> None:
    fake.register_template("310001", PARAMS, approved=False)


def no_money(fake: FakeZaloOA) -> None:
    fake.register_template("310001", PARAMS)
    fake.set_balance(100)


def quota_spent(fake: FakeZaloOA) -> None:
    fake.register_template("310001", PARAMS)
    fake.set_daily_quota(0)


@pytest.mark.parametrize(
    ("fault", "told"),
    [
        (unapproved, "mẫu call_opened chưa được duyệt hoặc đã bị khoá"),
        (no_money, "tài khoản Zalo Cloud không đủ tiền"),
        (quota_spent, "đã hết hạn mức gửi trong ngày của OA"),
    ],
)
async def test_what_cannot_succeed_stops_and_alerts_the_admins_once(
    app: Application,
    chat: MakeChat,
    invite: Invite,
    fake_oa: FakeZaloOA,
    served: str,
    clock: FakeClock,
    fault: Callable[[FakeZaloOA], None],
    told: str,
) -> None:
    admin = await person(chat, invite, "admin", "Quản Trị", "X-AN-BINH", "admin")
    users = await users_write(app, fake_oa, served, 3)
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)
    fault(fake_oa)
    fill = templates.fill("call_opened", 1, title="Đợt", unit="Xã", deadline="31/12")
    reply = Reply(text="📣 Đợt", aside=True, template=fill)
    await queue_message(app, "zalo_oa", users[0], reply, bulk=True, batch="call:9")
    await app.settle()
    # The refusal stops the next ones before they cost a call.
    for user in users[1:]:
        await queue_message(app, "zalo_oa", user, reply, bulk=True, batch="call:9")
    await app.settle()

    assert len(fake_oa.calls("/v3.0/oa/message/template")) == 1
    assert fake_oa.templates_sent() == []
    async with app.db.read() as conn:
        counts = await outbox.counts_by_status(conn, "call:9")
        sends = [r.status for r in await conn.execute(select(zalo_template_sends))]
        budget = [(r.used, r.spent) for r in await conn.execute(select(zalo_template_budget))]
    assert counts == {"failed": 1, "unreachable": 2}
    assert sends == ["failed"]
    assert budget == [(0, 0), (0, 0)]  # refused: nothing charged, the budget given back
    await admin.expect("mẫu tin Zalo đang dừng", told)
    assert await admin.pop() == []  # once, not per message


@pytest.mark.parametrize("template_mode", ["development"])
async def test_development_mode_reaches_the_oa_admins_only(
    app: Application, fake_oa: FakeZaloOA, served: str, clock: FakeClock
) -> None:
    fake_oa.register_template("310001", PARAMS)
    admin, member = await users_write(app, fake_oa, served, 2)
    fake_oa.add_admin(admin)
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)
    fill = templates.fill("call_opened", 1, title="Đợt", unit="Xã", deadline="31/12")
    for user in (admin, member):
        reply = Reply(text="📣 Đợt", aside=True, template=fill)
        await queue_message(app, "zalo_oa", user, reply, bulk=True, batch="call:7")
    await app.settle()
    (sent,) = fake_oa.templates_sent()
    assert (sent.user_id, sent.development) == (admin, True)
    async with app.db.read() as conn:
        assert await outbox.counts_by_status(conn, "call:7") == {"sent": 1, "unreachable": 1}
