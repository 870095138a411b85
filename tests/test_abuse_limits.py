"""Abuse limits, counted in the database: nominations per member and local day, messages per
chat account and minute."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select

from bot.app import Application
from bot.settings import Settings
from storage import nominations
from storage.schema import inbox, people
from storage.schema import nominations as nominations_table
from tests.helpers_flow import ACHIEVEMENT, join, nominate_until_review
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock

DAILY_CAP = {"nominations_per_day": 2}


@pytest.fixture
def limits(request: pytest.FixtureRequest) -> dict[str, int]:
    """The limits a test sets (indirect parametrisation); none: the defaults."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def settings(settings: Settings, limits: dict[str, int]) -> Settings:
    return settings.model_copy(update=limits)


async def submitted(app: Application) -> int:
    async with app.db.read() as conn:
        query = select(func.count()).select_from(nominations_table)
        return int((await conn.execute(query)).scalar_one())


@pytest.mark.parametrize("limits", [DAILY_CAP], indirect=True)
async def test_a_member_nominates_up_to_the_daily_cap_then_again_the_next_day(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    clock: FakeClock,
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    for n in (1, 2):
        await nominate_until_review(hoa, f"Nguyễn Văn Tốt {n}")
        await hoa.send("gui")
        await hoa.expect(f"GS-2026-00000{n}")
    await hoa.send("/decu")
    await hoa.expect("Hôm nay bạn đã gửi 2 đề cử, là số tối đa")
    assert await submitted(app) == 2
    clock.advance(hours=15)  # 02:00 UTC is 09:00 in Hà Nội: now past local midnight
    await nominate_until_review(hoa, "Nguyễn Văn Tốt 3")
    await hoa.send("gui")
    await hoa.expect("GS-2026-000003")


@pytest.mark.parametrize("limits", [DAILY_CAP], indirect=True)
async def test_a_draft_started_before_the_cap_is_kept_until_the_next_day(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    clock: FakeClock,
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    await nominate_until_review(hoa, "Nguyễn Thị Lan")
    # Meanwhile two nominations of hers arrive from another channel.
    async with app.db.write() as conn:
        person = (await conn.execute(select(people.c.id))).scalar_one()
        for n in (1, 2):
            new = nominations.NewNomination(
                reporter_id=person,
                unit_id=1,
                campaign_id=None,
                kind="individual",
                nominee_name=f"Nguyễn Văn Tốt {n}",
                nominee_key=f"nguoi tot {n}",
                birth_year=None,
                place="Thôn 1",
                field="good_deeds",
                achievement=ACHIEVEMENT,
                contact_phone=None,
                consent_public=False,
            )
            await nominations.create_nomination(conn, new, [], clock(), 2026)
    await hoa.send("gui")
    await hoa.expect("Đề cử này vẫn được giữ nguyên", "Xem lại đề cử", "Nguyễn Thị Lan")
    assert await submitted(app) == 2
    clock.advance(days=1)
    await hoa.send("gui")
    await hoa.expect("GS-2026-000003")
    assert await submitted(app) == 3


@pytest.mark.parametrize("limits", [{"messages_per_minute": 8}], indirect=True)
async def test_messages_past_the_per_minute_limit_are_kept_but_not_answered(
    app: Application, chat: Callable[..., ChatClient], clock: FakeClock
) -> None:
    lan = chat("lan")
    for _ in range(8):
        await lan.send("xin chào")
        await lan.expect("Xin chào")
    await lan.send("xin chào")
    await lan.expect("nhanh quá")  # told once
    await lan.send("xin chào")
    await lan.send("/decu")
    assert await lan.pop() == []  # recorded, unanswered
    async with app.db.read() as conn:
        rows = (await conn.execute(select(inbox.c.status))).all()
    assert [status for (status,) in rows] == ["done"] * 11
    clock.advance(seconds=61)
    await lan.send("xin chào")
    await lan.expect("Xin chào")
