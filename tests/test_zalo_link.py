"""One person on two chat apps: the /taikhoan sign-in code typed on Zalo links the new account."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.settings import Settings
from storage.schema import link_codes, outbox
from tests.contract.drivers import ZaloBotDriver, ZaloOADriver, new_user
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.helpers_flow import join, nominate_until_review
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import identity

CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def settings(settings: Settings, fake_oa: FakeZaloOA, fake_bot: FakeZaloBot) -> Settings:
    return with_zalo(settings, fake_oa, fake_bot)


LINK = "Liên kết ứng dụng khác / đăng nhập web"


async def link_code(chat: ChatClient) -> str:
    """Ask /taikhoan for a sign-in code and read it."""
    await chat.send("/taikhoan")
    await chat.expect("Tài khoản của")
    await chat.press(LINK)
    messages = await chat.expect("Mã đăng nhập của bạn")
    found = CODE.search(messages[-1].text)
    assert found, messages[-1].text
    return found.group(1)


async def test_a_member_moves_from_the_web_to_zalo_and_keeps_their_nominations(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    fake_oa: FakeZaloOA,
    fake_bot: FakeZaloBot,
    served: str,
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite(), "Trần Thị Hoa")
    await nominate_until_review(hoa)
    await hoa.send("1")
    await hoa.expect("GS-2026-000001")
    code = await link_code(hoa)

    zalo = ZaloOADriver(app, fake_oa, served + "/zalo/oa/webhook", new_user())
    await zalo.send(code.lower())  # typed loosely: case and dash do not matter
    await zalo.expect("Đã liên kết tài khoản này với Trần Thị Hoa", "1. Đề cử")
    await hoa.expect("Zalo (Official Account) vừa được liên kết", "/taikhoan")
    await zalo.send("/cuatoi")
    await zalo.expect("Các đề cử của bạn (1)", "GS-2026-000001 — Nguyễn Thị Lan")
    web = await hoa.session()
    oa = await identity(app, "zalo_oa", zalo.user)
    assert oa.person_id == web.person_id is not None

    # the code was used once: nobody else can reuse it
    other = ZaloBotDriver(app, fake_bot, new_user())
    await other.send(code)
    await other.expect("đã hết hạn hoặc đã được dùng")
    assert (await identity(app, "zalo_bot", other.user)).person_id is None

    # a fresh code from Zalo links the Zalo Bot account too; both older accounts are told
    await zalo.send("/taikhoan")
    await zalo.expect("Tài khoản của Trần Thị Hoa (2)")
    await zalo.send(LINK)
    texts = await zalo.expect("Mã đăng nhập của bạn")
    found = CODE.search(texts[-1])
    assert found
    await other.send(f"/start {found.group(1)}")
    await other.expect("Đã liên kết tài khoản này với Trần Thị Hoa")
    await zalo.expect("Zalo Bot vừa được liên kết")
    # The message that showed the code on Zalo was recorded as sent and its code removed.
    await app.settle()
    async with app.db.read() as conn:
        rows = (await conn.execute(select(outbox).where(outbox.c.chat_id == zalo.user))).all()
    assert rows and all(row.status == "sent" for row in rows), [r.status for r in rows]
    assert not [row for row in rows if found.group(1) in str(row.payload)]
    await hoa.expect("Zalo Bot vừa được liên kết")
    await zalo.assert_no_unread()
    await other.assert_no_unread()


async def test_link_codes_expire_are_replaced_and_stored_hashed(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    fake_oa: FakeZaloOA,
    served: str,
    clock: FakeClock,
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite(), "Trần Thị Hoa")
    first = await link_code(hoa)
    second = await link_code(hoa)  # asking again replaces the earlier code
    zalo = ZaloOADriver(app, fake_oa, served + "/zalo/oa/webhook", new_user())
    await zalo.send(first)
    await zalo.expect("Mã mời không đúng")
    clock.advance(minutes=61)
    fake_oa.advance(61 * 60)
    await zalo.send(second)
    await zalo.expect("đã hết hạn hoặc đã được dùng")
    async with app.db.read() as conn:
        stored = [r.code_hash for r in await conn.execute(select(link_codes))]
    assert len(stored) == 1 and second.replace("-", "") not in stored[0]
    assert (await identity(app, "zalo_oa", zalo.user)).person_id is None
    await zalo.assert_no_unread()
