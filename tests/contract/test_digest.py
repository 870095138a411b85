"""The reviewers' digest on every channel: one line per nomination, opened from its number."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app import Application
from tests.contract.drivers import Driver, NumberedMenuDriver
from tests.contract.test_conversation import join_typed
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.review import nominate, person


async def test_a_digest_line_opens_its_nomination(
    driver: Driver,
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    clock: FakeClock,
) -> None:
    await join_typed(driver, await invite(unit="X-AN-BINH", role="reviewer"), "Lê Thị Duyệt")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    old = await nominate(
        app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn Cũ", at=clock() - timedelta(days=5)
    )
    new = await nominate(app, "hoa", "X-AN-BINH-HPN", "Lê Văn Mới", field="study")
    await app.scheduler.fire_daily("digest", nominal=clock())
    texts = await driver.expect(
        "Tổng hợp đề cử",
        f"1. {new} · Lê Văn Mới · Học tập · Hội Liên hiệp Phụ nữ xã An Bình",
        f"2. {old} · Nguyễn Văn Cũ · Người tốt, việc tốt",
        "chờ 5 ngày (quá hạn)",
    )
    # Each nomination is one line, never listed a second time as a menu under the text.
    assert sum(text.count(old) for text in texts) == 1
    if isinstance(driver, NumberedMenuDriver):
        assert texts[-1].endswith("(Trả lời bằng số thứ tự hoặc gõ chữ)")
        await driver.send("2")
    else:
        await driver.press("Duyệt ngay 2 · Nguyễn Văn Cũ")
    await driver.expect(f"Đề cử {old}", "Người được đề cử: Nguyễn Văn Cũ")
