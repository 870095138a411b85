"""Calls and broadcasts started from the console: the chat's preview, reach and daily cap, the
same messages to members, the same reports to the official, live progress on the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from bot.app import Application
from storage.schema import campaigns
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import ConsoleClient
from tests.support.held import stands
from tests.support.review import Invite, person

HPN = "Hội Liên hiệp Phụ nữ xã An Bình"
NOTICE = "Họp chi hội lúc 8 giờ sáng Chủ nhật tại nhà văn hoá thôn."


def unit_id(page_html: str, name: str) -> str:
    """The id of a unit in a form's select, by its name."""
    found = re.search(r'<option value="(\d+)"[^>]*>(?:— )?' + re.escape(name) + "<", page_html)
    assert found, name
    return found.group(1)


async def test_a_call_opened_from_the_console(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    browser = console()
    await browser.sign_in(official)
    form = await browser.get("/console/campaigns/new")
    hpn = unit_id(form.html, HPN)
    last_day = (clock() + timedelta(days=20)).astimezone(app.config.timezone).date()
    fields: dict[str, str | list[str]] = {
        "title": "Gương sáng phụ nữ 2026",
        "body": "Mời các chị đề cử những phụ nữ tiêu biểu trong lao động và đời sống.",
        "field": ["good_deed", "labour"],
        "deadline": last_day.isoformat(),
        "unit": hpn,
    }
    preview = await browser.post("/console/campaigns/preview", fields)
    assert preview.status == 200
    assert preview.has("Gương sáng phụ nữ 2026", "Sẽ gửi tới 1 thành viên", HPN), preview.text[
        -600:
    ]
    opened = await browser.post("/console/campaigns", fields)
    assert opened.status == 303 and opened.location.startswith("/console/campaigns/")
    await stands(app, clock)  # held for the undo window, as from the chat
    await hoa.expect("Gương sáng phụ nữ 2026", "Mời các chị đề cử")
    assert "Đề cử ngay" in hoa.seen[-1].labels
    page = await browser.get(opened.location)
    assert page.has("đang mở", last_day.strftime("%d/%m/%Y"))
    # Extend, then close: the summary goes to the official's chat, as in the chat's flow.
    later = (last_day + timedelta(days=5)).isoformat()
    extended = await browser.post(opened.location + "/extend", {"deadline": later})
    assert extended.status == 303
    early = await browser.post(opened.location + "/extend", {"deadline": last_day.isoformat()})
    assert early.status == 409 and early.has("Hạn mới phải sau hạn hiện tại")
    closed = await browser.post(opened.location + "/close", {})
    assert closed.status == 303
    await official.expect("Gương sáng phụ nữ 2026")
    async with app.db.read() as conn:
        status = (await conn.execute(select(campaigns.c.status))).scalar_one()
    assert status == "closed"
    # A call of a unit outside the official's scope cannot be opened (the form is re-checked).
    elsewhere = await browser.post("/console/campaigns", {**fields, "unit": "99999"})
    assert elsewhere.status == 400


async def test_broadcasts_share_the_chats_daily_cap_and_show_progress(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    browser = console()
    await browser.sign_in(official)
    page = await browser.get("/console/broadcasts")
    assert page.has("còn gửi được 3/3")
    hpn = unit_id(page.html, HPN)
    preview = await browser.post("/console/broadcasts/preview", {"text": NOTICE, "unit": hpn})
    # The message names the sending unit (the official's commune) and the official.
    assert preview.has("Thông báo của Xã An Bình", "Lê Văn Cán", NOTICE, "Sẽ gửi tới 1 thành viên")
    sent = await browser.post("/console/broadcasts", {"text": NOTICE, "unit": hpn})
    assert sent.status == 303
    await stands(app, clock)  # held for the undo window, as from the chat
    await hoa.expect(NOTICE)
    progress = await browser.get(sent.location)
    assert progress.has("Tổng số người nhận 1")
    # One more from the chat, one more from the console: the cap of three is shared.
    await official.send("/thongbao")
    await official.expect("còn gửi được 2 thông báo")
    await official.send("Thông báo thứ hai gửi từ điện thoại.")
    await official.expect("đơn vị nào")
    await official.press(HPN)
    await official.expect("Xem trước")
    await official.press("Gửi thông báo")
    await official.expect("Đã xếp 1 tin")
    await browser.post("/console/broadcasts", {"text": "Thông báo thứ ba.", "unit": hpn})
    refused = await browser.post("/console/broadcasts", {"text": "Thông báo thứ tư.", "unit": hpn})
    assert refused.status == 409 and refused.has("đã gửi đủ 3 thông báo")
    await stands(app, clock)
    await hoa.expect("Thông báo thứ hai", "Thông báo thứ ba")
    assert "thứ tư" not in " ".join(m.text for m in hoa.seen)
    # Once every message went out, the page says so and stops refreshing itself.
    clock.advance(seconds=10)
    await app.scheduler.fire_interval("bulk_progress")
    await official.pop()
    done = await browser.get(sent.location)
    assert done.has("Đã gửi xong") and 'http-equiv="refresh"' not in done.html
