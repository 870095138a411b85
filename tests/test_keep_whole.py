"""Codes and phone numbers are never cut across two lines: in the web chat (spans that do not
wrap), in chat apps (no-break spaces in phone numbers) and on pictures (the card's wrapping)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import expect
from sqlalchemy import select

from bot.app import Application
from bot.cards import story_lines
from bot.channels.telegram_render import render
from bot.charts import font
from handlers.text import keep_whole, unbreakable_parts
from handlers.types import Reply
from storage.publications import publish
from storage.schema import nominations, people
from storage.units import get_unit_by_code
from tests.support.browser import chromium
from tests.support.people import MakeChat, person
from tests.support.review import nominate_as
from tests.support.server import serving
from tests.test_webchat_browser import NAME, WAIT_MS, bot_says, join_in_page, type_message


def test_what_stays_whole() -> None:
    text = (
        "Đề cử GS-2026-000123 của bạn; gọi 0905 111 222, 0905.111.222 hoặc +84 905 111 222, "
        "máy bàn 0212 3456 789. Năm 1968, ngày 31/12/2026, số 12345678901234."
    )
    assert [part for part, whole in unbreakable_parts(text) if whole] == [
        "GS-2026-000123",
        "0905 111 222",
        "0905.111.222",
        "+84 905 111 222",
        "0212 3456 789",
    ]
    assert "".join(part for part, _ in unbreakable_parts(text)) == text
    kept = keep_whole(text)
    assert "0905\u00a0111\u00a0222," in kept and "+84\u00a0905\u00a0111\u00a0222" in kept
    assert kept.replace("\u00a0", " ") == text


def test_chat_apps_get_phone_numbers_that_do_not_wrap() -> None:
    [part] = render(Reply(text="Điện thoại liên hệ: 0905 111 222"))
    assert part.text == "Điện thoại liên hệ: 0905\u00a0111\u00a0222"


def test_the_card_wraps_a_story_between_words_only() -> None:
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    face = font(28)
    story = "Xin liên hệ chị Mai qua số 0905 111 222 hoặc mã GS-2026-000123 nhé"
    for width in range(300, 900, 7):  # from about the width of the longest token
        lines = story_lines(draw, story, face, width, 50)
        joined = "\n".join(lines)
        assert "0905\u00a0111\u00a0222" in joined and "GS-2026-000123" in joined, lines


async def test_the_web_chat_keeps_codes_on_one_line(
    app: Application, invite: Callable[..., Awaitable[str]], tmp_path: Path
) -> None:
    code = await invite()
    async with serving(app.http) as base, chromium(tmp_path / "phone") as context:
        page = await context.new_page()
        await page.set_viewport_size({"width": 360, "height": 740})
        await join_in_page(page, base, code)
        async with app.db.read() as conn:
            person = (
                await conn.execute(select(people.c.id).where(people.c.full_name == NAME))
            ).scalar_one()
        # Names of different lengths put the codes after them at every position.
        for n in range(3):
            name = "Chi hội phụ nữ thôn Đông" + " và xóm Bãi" * n
            await nominate_as(app, person, "X-AN-BINH-HPN", name, kind="collective")
        await type_message(page, "/cuatoi")
        await bot_says(page, "Các đề cử của bạn (3)")
        spans = page.locator(".msg.bot .nw", has_text="GS-2026-")
        await expect(spans).to_have_count(3, timeout=WAIT_MS)
        for n in range(3):
            span = spans.nth(n)
            assert await span.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
            assert await span.evaluate("e => e.getClientRects().length") == 1


async def test_the_honour_page_keeps_codes_and_phones_on_one_line(
    app: Application, chat: MakeChat, invite: Callable[..., Awaitable[str]], tmp_path: Path
) -> None:
    await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    async with app.db.read() as conn:
        official = (
            await conn.execute(select(people.c.id).where(people.c.full_name == "Lê Văn Cán"))
        ).scalar_one()
    code = await nominate_as(app, official, "X-AN-BINH-HPN", "Nguyễn Thị Mai")
    # Paragraphs one word longer each: the code and the phone number fall at every place of
    # a line, the line's end among them, on a 360 px phone.
    story = "\n".join(
        "Liên hệ" + " chị Mai" * n + f" theo mã {code} hoặc số 0905 111 222 nhé." for n in range(12)
    )
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, "X-AN-BINH")
        assert unit is not None
        nomination = (
            await conn.execute(select(nominations.c.id).where(nominations.c.code == code))
        ).scalar_one()
        await publish(
            conn,
            nomination_id=nomination,
            slug="1-nguyen-thi-mai",
            title="Nguyễn Thị Mai",
            subtitle="Việc tốt · Hội Liên hiệp Phụ nữ xã An Bình",
            story=story,
            photo=None,
            card=None,
            picture=None,
            thumb=None,
            unit_id=unit.id,
            published_by=official,
            now=app.clock(),
        )
    async with serving(app.http) as base, chromium(tmp_path / "phone") as context:
        page = await context.new_page()
        await page.set_viewport_size({"width": 360, "height": 740})
        await page.goto(base + "/vinh-danh/1-nguyen-thi-mai", timeout=WAIT_MS)
        spans = page.locator(".story .nw")
        await expect(spans).to_have_count(24, timeout=WAIT_MS)
        assert await spans.all_text_contents() == [code, "0905 111 222"] * 12
        for n in range(24):
            span = spans.nth(n)
            assert await span.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
            assert await span.evaluate("e => e.getClientRects().length") == 1, n
