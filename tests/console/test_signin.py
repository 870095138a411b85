"""Signing in to the console with /web, its session, and signing out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, func, select

from bot.app import Application
from storage.schema import console_links, memberships, web_sessions
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import ConsoleClient, console_link
from tests.support.review import Invite, nominate, person, person_id


async def test_a_reviewer_signs_in_with_web_and_sees_the_queue(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    browser = console()
    signed = await browser.sign_in(lan)
    assert signed.status == 303 and signed.location == "/console/nominations"
    page = await browser.get("/console/nominations")
    assert page.status == 200, page.text
    assert page.has(code, "Nguyễn Thị Lan", "Lê Thị Duyệt")


async def test_console_sessions_end_idle_and_at_their_absolute_end(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    browser = console()
    await browser.sign_in(lan)
    idle = timedelta(minutes=app.settings.console_idle_minutes)
    # Used now and then, it lives on: each use moves its idle end.
    for _ in range(3):
        clock.advance(seconds=idle.total_seconds() - 60)
        assert (await browser.get("/console/nominations")).status == 200
    # Left alone past the idle time, it is over.
    clock.advance(seconds=idle.total_seconds() + 1)
    page = await browser.get("/console/nominations")
    assert page.status == 401 and page.has("gõ /web")
    # However often used, a session ends at its absolute end.
    await browser.sign_in(lan)
    for _ in range(app.settings.console_max_hours):
        clock.advance(hours=1)
        if (await browser.get("/console/nominations")).status != 200:
            break
    assert (await browser.get("/console/nominations")).status == 401


async def test_devices_lists_the_console_and_signs_it_out(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    browser = console()
    await browser.sign_in(lan)
    await lan.send("/thietbi")
    await lan.expect("Các trình duyệt đang đăng nhập (2)", "Trang quản trị")
    await lan.press("Đăng xuất thiết bị 1")
    await lan.expect("Đã đăng xuất 1 thiết bị")
    assert (await browser.get("/console/nominations")).status == 401


async def test_a_link_serves_once_and_a_new_one_ends_the_old(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    first = (await console_link(lan)).split("t=", 1)[1]
    second = (await console_link(lan)).split("t=", 1)[1]
    browser = console()
    assert (await browser.use_link(first)).status == 403
    assert (await browser.use_link(second)).status == 303
    assert (await console().use_link(second)).status == 403
    # A member asking for a link is told it is not for them.
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await hoa.send("/web")
    await hoa.expect("không có quyền")
    # Spent and expired links are deleted by the hourly job a day later.
    async with app.db.read() as conn:
        kept = (await conn.execute(select(func.count()).select_from(console_links))).scalar_one()
    assert kept == 1
    clock.advance(days=1, minutes=11)
    result = await app.scheduler.fire_interval("purge")
    assert result is not None and result["console_links_purged"] == 1


async def test_losing_the_role_closes_the_console(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    browser = console()
    await browser.sign_in(lan)
    async with app.db.write() as conn:
        await conn.execute(
            delete(memberships).where(memberships.c.person_id == await person_id(app, "lan"))
        )
    page = await browser.get("/console/nominations")
    assert page.status == 403 and page.has("không có quyền")
    # A link asked for before is no use either.
    assert (await console().use_link("x" * 43)).status == 403


async def test_signing_in_again_replaces_the_browsers_session(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    can = await person(chat, invite, "can", "Lê Văn Cán", "T-DEMO", "official")
    browser = console()
    await browser.sign_in(lan)
    await browser.sign_in(can)
    page = await browser.get("/console/nominations")
    assert page.has("Lê Văn Cán") and not page.has("Lê Thị Duyệt")
    async with app.db.read() as conn:
        live = (
            await conn.execute(
                select(func.count())
                .select_from(web_sessions)
                .where(web_sessions.c.kind == "console", web_sessions.c.revoked_at.is_(None))
            )
        ).scalar_one()
    assert live == 1


async def test_an_idle_console_session_leaves_the_device_list(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await console().sign_in(lan)
    clock.advance(minutes=app.settings.console_idle_minutes + 1)
    await lan.send("/thietbi")
    await lan.expect("Các trình duyệt đang đăng nhập (1)")
    assert "Trang quản trị" not in lan.seen[-1].text
    await lan.press("Xong")
    await lan.pop()


async def test_erasure_takes_the_unused_console_link_with_it(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    token = (await console_link(lan)).split("t=", 1)[1]
    await lan.send("/xoadulieu")
    await lan.expect("không thể hoàn tác")
    await lan.press("Xoá vĩnh viễn")
    await lan.expect("gõ chữ XOÁ")
    await lan.send("XOÁ")
    await lan.expect("Đã xoá dữ liệu của bạn")
    async with app.db.read() as conn:
        left = (await conn.execute(select(func.count()).select_from(console_links))).scalar_one()
    assert left == 0
    assert (await console().use_link(token)).status == 403
