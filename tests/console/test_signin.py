"""Signing in to the console with /web, its session, and signing out."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.console import ConsoleClient
from tests.support.review import Invite, nominate, person


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
