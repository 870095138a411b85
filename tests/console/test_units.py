"""The unit page: each unit below with its nominations by status over its whole subtree, the
units that sent nothing, and each reviewer's backlog past the SLA."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from bot.app import Application
from storage import reviews
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import ConsoleClient, Page
from tests.support.review import Invite, nominate, person


def rows(page: Page) -> dict[str, list[str]]:
    """The first table's rows: the unit's name, then its cells' texts."""
    table = page.html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        cells = [" ".join(c.split()) for c in cells]
        found[cells[0].replace(" chưa gửi", "")] = cells[1:]
    return found


async def test_the_province_sees_its_communes_add_up(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "T-DEMO", "official")
    await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await person(chat, invite, "phu", "Mai Thị Phụ", "X-AN-BINH-HPN", "reviewer")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    await person(chat, invite, "tam", "Đỗ Văn Tâm", "X-AN-BINH-DTN", "member")
    old = await nominate(app, "hoa", "X-AN-BINH-HPN", "Người Một", at=clock() - timedelta(days=5))
    await nominate(app, "hoa", "X-AN-BINH-HPN", "Người Hai")
    done = await nominate(app, "tam", "X-AN-BINH-DTN", "Người Ba")
    async with app.db.write() as conn:
        item = await reviews.find_by_code(conn, done)
        assert item is not None
        await reviews.change_status(conn, item.id, ["submitted"], "approved", clock())
    browser = console()
    await browser.sign_in(official)
    page = await browser.get("/console/units")
    assert page.status == 200
    table = rows(page)
    # Waiting, needs info, approved, rejected, merged, total.
    assert table["Xã An Bình"] == ["2", "0", "1", "0", "0", "3"]
    assert all(cells[-1] == "0" for name, cells in table.items() if name != "Xã An Bình")
    assert page.has("Đơn vị chưa gửi đề cử nào")
    assert page.has("Phường Hoà Lạc")  # a commune with nothing: listed as silent
    # One level down: the commune's organisations, and the reviewer's backlog.
    commune = re.search(r'href="\?unit=(\d+)[^"]*">Xã An Bình<', page.html)
    assert commune is not None
    below = await browser.get("/console/units", unit=commune.group(1))
    table = rows(below)
    assert table["Hội Liên hiệp Phụ nữ xã An Bình"] == ["2", "0", "0", "0", "0", "2"]
    assert table["Đoàn Thanh niên xã An Bình"] == ["0", "0", "1", "0", "0", "1"]
    # The reviewer of the commune: two waiting, one past the SLA (three days); the women's
    # union's reviewer, the same two.
    assert below.has("Lê Thị Duyệt Xã An Bình người duyệt 2 1")
    assert below.has("Mai Thị Phụ Hội Liên hiệp Phụ nữ xã An Bình người duyệt 2 1")
    # Forwarded up to the commune, the older one leaves the union's backlog, not the commune's.
    async with app.db.write() as conn:
        item = await reviews.find_by_code(conn, old)
        assert item is not None and item.deciding_parent_id is not None
        await reviews.change_status(conn, item.id, ["submitted"], "forwarded", clock())
        await reviews.move_level(conn, item.id, item.deciding_parent_id, clock())
    after = await browser.get("/console/units", unit=commune.group(1))
    assert after.has("Lê Thị Duyệt Xã An Bình người duyệt 2 0")
    assert after.has("Mai Thị Phụ Hội Liên hiệp Phụ nữ xã An Bình người duyệt 1 0")
    # A period that leaves the older nomination out.
    recent = (clock() - timedelta(days=1)).astimezone(app.config.timezone).date()
    narrowed = await browser.get("/console/units", unit=commune.group(1), **{"from": recent})
    assert rows(narrowed)["Hội Liên hiệp Phụ nữ xã An Bình"][-1] == "1"
