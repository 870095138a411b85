"""/web answers on Telegram as on every chat app: a link that signs into the console."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx

from bot.app import Application
from tests.support.telegram import TelegramUser, join

MakeUser = Callable[..., TelegramUser]
LINK = re.compile(r"(/console/signin\?t=[A-Za-z0-9_-]+)")


async def test_web_on_telegram_gives_a_link_that_signs_in(
    tg_app: Application, tg_user: MakeUser, tg_invite: Callable[..., Awaitable[str]]
) -> None:
    reviewer = tg_user(7101, "Duyệt")
    await join(reviewer, await tg_invite(unit="X-AN-BINH", role="reviewer"), "Lê Thị Duyệt")
    await reviewer.send("/web")
    replies = await reviewer.expect("trang quản trị", "một lần")
    found = LINK.search("\n".join(m.text or "" for m in replies))
    assert found is not None
    base = "http://127.0.0.1"
    transport = httpx.ASGITransport(app=tg_app.http)
    async with httpx.AsyncClient(
        transport=transport, base_url=base, headers={"origin": base}
    ) as browser:
        assert (await browser.get(found.group(1))).status_code == 200
        token = found.group(1).split("t=", 1)[1]
        signed = await browser.post("/console/signin", data={"link": token})
        assert signed.status_code == 303
        page = await browser.get("/console/nominations")
        assert page.status_code == 200 and "Lê Thị Duyệt" in page.text
    # A member on Telegram is told the console is not for them.
    member = tg_user(7102, "Hoa")
    await join(member, await tg_invite(unit="X-AN-BINH-HPN", role="member"), "Trần Thị Hoa")
    await member.send("/web")
    await member.expect("không có quyền")
