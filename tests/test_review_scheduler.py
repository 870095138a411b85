"""Digests and reminders on an injected clock: on time, once, after downtime, across instances."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import Application
from handlers.config import CoreConfig
from scheduler.core import DailyJob, Scheduler, daily_key, nominal_daily
from scheduler.registry import build_jobs
from scheduler.reviews import send_digests
from storage import reviews
from storage.schema import job_runs, outbox
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.review import Invite, nominate, person, person_id

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Hanoi wall-clock time in 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def second_scheduler(app: Application, clock: FakeClock) -> Scheduler:
    """Another instance on the same database (a restart, or a second process), with the
    digest as its only job so that counts speak of the digest alone."""
    jobs = [job for job in build_jobs(app.settings.digest_at) if job.name == "digest"]
    return Scheduler(app.db, app.config, clock, jobs)


async def digest_keys(app: Application) -> list[str]:
    async with app.db.read() as conn:
        rows = await conn.execute(
            select(outbox.c.dedupe_key)
            .where(outbox.c.dedupe_key.like("digest:%"))
            .order_by(outbox.c.id)
        )
        return [r[0] for r in rows]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)),
    zone=st.sampled_from(["Asia/Ho_Chi_Minh", "Europe/Berlin", "America/New_York"]),
    later=st.integers(min_value=0, max_value=22 * 60),
)
def test_digest_fires_at_0730_local_every_day(day: date, zone: str, later: int) -> None:
    tz = ZoneInfo(zone)
    config = CoreConfig(timezone=tz)
    job = DailyJob("digest", at=time(7, 30), run=send_digests)
    midnight = datetime.combine(day, time(0, 0), tzinfo=tz)
    trigger = CronTrigger(hour=7, minute=30, timezone=tz)
    fire = trigger.get_next_fire_time(None, midnight)
    assert fire is not None
    assert (fire.date(), fire.hour, fire.minute) == (day, 7, 30)
    assert fire.utcoffset() == datetime.combine(day, time(7, 30), tzinfo=tz).utcoffset()
    # Any moment until the next firing maps back to this one, and to this day's key.
    now = fire.astimezone(UTC) + timedelta(minutes=later)
    nominal = nominal_daily(job, now, config)
    assert nominal == fire
    assert daily_key(job, nominal, config) == f"digest:{day.isoformat()}"
    # The trigger's next firing after this one is the next day's 07:30.
    following = trigger.get_next_fire_time(fire, fire + timedelta(minutes=1))
    assert following is not None
    assert (following.date(), following.hour, following.minute) == (
        day + timedelta(days=1),
        7,
        30,
    )


async def test_digest_lists_new_answered_and_overdue_once(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await person(chat, invite, "lac", "Vũ Văn Lạc", "P-HOA-LAC-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    ward = await person(chat, invite, "ward", "Đinh Văn Phường", "P-HOA-LAC", "reviewer")
    idle = await person(chat, invite, "idle", "Mai Văn Rảnh", "X-AN-BINH-CCB", "reviewer")
    old = await nominate(
        app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn Cũ", at=clock() - timedelta(days=5)
    )
    answered = await nominate(app, "hoa", "X-AN-BINH-HPN", "Phạm Thị Đáp")
    async with app.db.write() as conn:
        found = await reviews.find_by_code(conn, answered)
        assert found is not None
        await reviews.change_status(conn, found.id, ["submitted"], "answered", clock())
    clock.advance(hours=3)
    new = await nominate(app, "hoa", "X-AN-BINH-HPN", "Lê Văn Mới")
    await nominate(app, "lac", "P-HOA-LAC-HPN", "Trương Văn Phường")
    clock.now = local(26, 7, 30)
    result = await app.scheduler.fire_daily("digest", nominal=clock())
    assert result == {"reviewers": 3, "queued": 2, "unreachable": 0}
    await lan.expect(
        "Tổng hợp đề cử ngày 26/11/2026: 3 đề cử đang chờ",
        "Mới từ lần tổng hợp trước (1):",
        f"1. {new} · Lê Văn Mới · Người tốt, việc tốt · Hội Liên hiệp Phụ nữ xã An Bình · "
        "chờ 1 ngày",
        "Chờ quá 3 ngày (1):",
        f"2. {old} · Nguyễn Văn Cũ · Người tốt, việc tốt · Hội Liên hiệp Phụ nữ xã An Bình · "
        "chờ 6 ngày (quá hạn)",
        "Đã được bổ sung, chờ duyệt lại (1):",
        f"3. {answered} · Phạm Thị Đáp",
        "/duyet",
    )
    await ward.expect("1 đề cử đang chờ", "Mới từ lần tổng hợp trước (1)")
    assert await idle.pop() == []  # nothing in the veterans' association: no digest
    assert await app.scheduler.fire_daily("digest", nominal=clock()) is None
    lan_id = await person_id(app, "lan")
    assert f"digest:2026-11-26:{lan_id}" in await digest_keys(app)
    # Next morning: nothing new since the watermark; what waits is still counted.
    clock.now = local(27, 7, 30)
    await app.scheduler.fire_daily("digest", nominal=clock())
    said = await lan.expect("3 đề cử đang chờ", "Chờ quá 3 ngày (1):", f"1. {old}")
    assert "Mới từ" not in said[0].text and "bổ sung, chờ" not in said[0].text
    await ward.expect("1 đề cử đang chờ", "Không có đề cử mới hay quá hạn")
    # On demand, the same content; the watermark does not move.
    await lan.send("/tonghop")
    await lan.expect("Tổng hợp đề cử ngày 27/11/2026", "Chờ quá 3 ngày (1):", f"1. {old}")
    await idle.send("/tonghop")
    await idle.expect("Hiện không có đề cử nào chờ duyệt")


async def test_digest_never_twice_across_restart_and_two_instances(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await nominate(app, "hoa", "X-AN-BINH-HPN")
    clock.now = local(26, 7, 30)
    assert await app.scheduler.fire_daily("digest") is not None
    await lan.expect("Tổng hợp đề cử ngày 26/11/2026")
    # A restart (a new Scheduler on the same database) catches up nothing.
    clock.now = local(26, 8, 0)
    restarted = second_scheduler(app, clock)
    assert await restarted.catch_up() == {"ran": 0, "missed": 0}
    assert await restarted.fire_daily("digest") is None
    # Two instances firing the same morning at once: exactly one acts.
    clock.now = local(27, 7, 30)
    other = second_scheduler(app, clock)
    results = await asyncio.gather(app.scheduler.fire_daily("digest"), other.fire_daily("digest"))
    assert sum(r is not None for r in results) == 1
    await lan.expect("Tổng hợp đề cử ngày 27/11/2026")
    lan_id = await person_id(app, "lan")
    assert await digest_keys(app) == [
        f"digest:2026-11-26:{lan_id}",
        f"digest:2026-11-27:{lan_id}",
    ]


async def test_catch_up_after_downtime_runs_once_and_reports_older_misses(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await nominate(app, "hoa", "X-AN-BINH-HPN")
    # Down from before 07:30 until 09:00: the morning's digest goes out once on start.
    clock.now = local(26, 9, 0)
    assert await second_scheduler(app, clock).catch_up() == {"ran": 1, "missed": 0}
    assert await second_scheduler(app, clock).catch_up() == {"ran": 0, "missed": 0}
    assert await second_scheduler(app, clock).catch_up() == {"ran": 0, "missed": 0}
    await lan.expect("Tổng hợp đề cử ngày 26/11/2026")
    # Down for three days, back at 10:00: today's runs; the two days between are reported.
    clock.now = local(29, 10, 0)
    assert await second_scheduler(app, clock).catch_up() == {"ran": 1, "missed": 2}
    await lan.expect("Tổng hợp đề cử ngày 29/11/2026")
    # Back too late (past the 6 h grace): not sent late, but recorded as missed.
    clock.now = local(30, 15, 0)
    assert await second_scheduler(app, clock).catch_up() == {"ran": 0, "missed": 1}
    async with app.db.read() as conn:
        runs = {
            r.key: r.result
            for r in await conn.execute(select(job_runs).where(job_runs.c.job == "digest"))
        }
    assert runs["digest:2026-11-27"] == {"missed": 1}
    assert runs["digest:2026-11-28"] == {"missed": 1}
    assert runs["digest:2026-11-30"] == {"missed": 1}
    lan_id = await person_id(app, "lan")
    assert await digest_keys(app) == [
        f"digest:2026-11-26:{lan_id}",
        f"digest:2026-11-29:{lan_id}",
    ]


async def test_sla_reminder_once_per_wait(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    ward = await person(chat, invite, "ward", "Đinh Văn Phường", "P-HOA-LAC", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    clock.advance(days=2)
    assert await app.scheduler.fire_interval("sla_reminders") == {"nominations": 0, "queued": 0}
    clock.advance(days=1, hours=1)
    assert await app.scheduler.fire_interval("sla_reminders") == {"nominations": 1, "queued": 1}
    await lan.expect(f"Nhắc việc: 1 đề cử đã chờ duyệt quá 3 ngày: {code}")
    assert await ward.pop() == []
    clock.advance(hours=1)
    assert await app.scheduler.fire_interval("sla_reminders") == {"nominations": 0, "queued": 0}
    # Asked and answered: a new wait, which gets its own reminder when it runs late.
    async with app.db.write() as conn:
        found = await reviews.find_by_code(conn, code)
        assert found is not None
        await reviews.change_status(conn, found.id, ["submitted"], "answered", clock())
    clock.advance(days=3, hours=1)
    assert await app.scheduler.fire_interval("sla_reminders") == {"nominations": 1, "queued": 1}
    await lan.expect(code)


async def test_abandoned_draft_reminded_once(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    clock.advance(hours=23)
    assert await app.scheduler.fire_interval("draft_reminders") == {"drafts": 0, "queued": 0}
    clock.advance(hours=2)
    assert await app.scheduler.fire_interval("draft_reminders") == {"drafts": 1, "queued": 1}
    await hoa.expect("Bạn còn một đề cử đang soạn dở")
    clock.advance(hours=1)
    assert await app.scheduler.fire_interval("draft_reminders") == {"drafts": 1, "queued": 0}
    # Going on with the same draft and leaving it again: still the same draft, no second nag.
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên")
    clock.advance(hours=25)
    assert await app.scheduler.fire_interval("draft_reminders") == {"drafts": 1, "queued": 0}
    # A new draft is reminded once.
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    clock.advance(hours=25)
    assert await app.scheduler.fire_interval("draft_reminders") == {"drafts": 1, "queued": 1}
    await hoa.expect("Bạn còn một đề cử đang soạn dở")


async def test_nested_and_separate_scopes_are_counted_once(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await person(chat, invite, "lac", "Vũ Văn Lạc", "P-HOA-LAC-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH-HPN", "reviewer")
    for unit in ("X-AN-BINH", "P-HOA-LAC"):
        await lan.send(f"/start {await invite(unit=unit, role='reviewer')}")
        await lan.expect("Đã thêm vai trò")
    codes = [
        await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn An"),
        await nominate(app, "hoa", "X-AN-BINH-HPN", "Lê Văn Bình"),
        await nominate(app, "lac", "P-HOA-LAC-HPN", "Trương Văn Cường"),
    ]
    clock.now = local(26, 7, 30)
    await app.scheduler.fire_daily("digest", nominal=clock())
    said = await lan.expect("3 đề cử đang chờ", "Mới từ lần tổng hợp trước (3)")
    for code in codes:
        assert said[-1].text.count(code) == 1
