"""Criteria sets edited in the console: what the chat's /tieuchi and scoring then use."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.console import ConsoleClient
from tests.support.review import Invite, person


async def test_an_admin_replaces_a_set_and_the_chat_uses_it(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    admin = await person(chat, invite, "quan", "Hà Thị Quản", "X-AN-BINH", "admin")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    browser = console()
    await browser.sign_in(admin)
    page = await browser.get("/console/criteria", field="good_deed")
    unit = re.search(r'name="unit" value="(\d+)"', page.html)
    assert unit is not None and page.has("Sửa bộ tiêu chí riêng")
    base = {"unit": unit.group(1), "field": "good_deed"}
    wrong = await browser.post(
        "/console/criteria", {**base, "name0": "Lan toả", "weight0": "0", "max0": "10"}
    )
    assert wrong.status == 400 and wrong.has("phải là số lớn hơn 0")
    twice = await browser.post(
        "/console/criteria",
        {
            **base,
            "name0": "Lan toả",
            "weight0": "1",
            "max0": "10",
            "name1": "Lan toả",
            "weight1": "1",
            "max1": "5",
        },
    )
    assert twice.status == 400 and twice.has("bị lặp lại")
    saved = await browser.post(
        "/console/criteria",
        {
            **base,
            "name0": "Việc làm nhân văn",
            "weight0": "2",
            "max0": "10",
            "name1": "Minh chứng rõ ràng",
            "weight1": "1,5",
            "max1": "5",
        },
    )
    assert saved.status == 303
    await lan.send("/tieuchi")
    await lan.expect("Việc làm nhân văn: tối đa 10 điểm, trọng số 2", "Minh chứng rõ ràng")
    # A reviewer sees the sets but has no form to change them.
    reviewer = console()
    await reviewer.sign_in(lan)
    view = await reviewer.get("/console/criteria", field="good_deed")
    assert view.has("Việc làm nhân văn") and not view.has("Sửa bộ tiêu chí riêng")
