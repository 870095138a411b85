"""The queue table: its filters, its pages, its order, and only the viewer's scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import ConsoleClient, Page
from tests.support.review import Invite, nominate, person

CODE = re.compile(r">(GS-\d{4}-\d{6})<")


def codes(page: Page) -> list[str]:
    """The nomination codes a page lists, in order."""
    assert page.status == 200, page.text[:300]
    return CODE.findall(page.html)


async def test_filters_pages_order_and_scope(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await person(chat, invite, "tam", "Đỗ Văn Tâm", "X-AN-BINH-DTN", "member")
    await person(chat, invite, "lac", "Vũ Văn Lạc", "P-HOA-LAC-HPN", "member")
    ten_days = clock() - timedelta(days=10)
    old = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Thị Lan", at=ten_days)
    study = await nominate(app, "tam", "X-AN-BINH-DTN", "Phạm Văn Học", field="study")
    other = await nominate(app, "lac", "P-HOA-LAC-HPN", "Người Phường Khác")
    browser = console()
    await browser.sign_in(lan)
    # The waiting queue of the commune, longest waiting first; another commune's is not shown.
    assert codes(await browser.get("/console/nominations")) == [old, study]
    assert other not in (await browser.get("/console/nominations", status="all")).html
    assert codes(await browser.get("/console/nominations", order="newest")) == [study, old]
    # By field, by unit down the tree, by name typed without diacritics, by date.
    assert codes(await browser.get("/console/nominations", field="study")) == [study]
    page = await browser.get("/console/nominations")
    hpn = re.search(r'<option value="(\d+)"[^>]*>— Hội Liên hiệp Phụ nữ xã An Bình<', page.html)
    assert hpn is not None
    assert codes(await browser.get("/console/nominations", unit=hpn.group(1))) == [old]
    assert codes(await browser.get("/console/nominations", q="nguyen thi LAN")) == [old]
    assert codes(await browser.get("/console/nominations", q="Phạm Văn")) == [study]
    recent = (clock() - timedelta(days=2)).astimezone(app.config.timezone).date().isoformat()
    assert codes(await browser.get("/console/nominations", **{"from": recent})) == [study]
    # A unit outside the scope is ignored as a filter, never a way in.
    lac_page = await browser.get("/console/nominations", status="all", unit="99999")
    assert other not in lac_page.html
    # Pages of fifty.
    for n in range(55):
        await nominate(app, "hoa", "X-AN-BINH-HPN", f"Người Tốt {n}")
    first = await browser.get("/console/nominations")
    assert len(codes(first)) == 50 and first.has("57 đề cử — trang 1/2")
    second = await browser.get("/console/nominations", page="2")
    assert len(codes(second)) == 7 and set(codes(first)).isdisjoint(codes(second))
    beyond = await browser.get("/console/nominations", page="99")
    assert codes(beyond) == codes(second)
