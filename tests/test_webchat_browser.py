"""Smoke test of the web chat page in real headless Chromium, against a real uvicorn server."""

from __future__ import annotations

import io
import random
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import (
    CDPSession,
    Page,
    expect,
)
from sqlalchemy import select

from bot.app import Application
from bot.settings import Settings
from storage.schema import web_uploads
from tests.support.browser import chromium
from tests.support.server import serving

WAIT_MS = 15_000
NAME = "Trần Thị Hoa"


async def bot_says(page: Page, fragment: str) -> None:
    """Wait until a bot bubble containing `fragment` is on screen."""
    bubble = page.locator(".msg.bot", has_text=fragment).last
    await expect(bubble).to_be_visible(timeout=WAIT_MS)


async def type_message(page: Page, text: str) -> None:
    """Type into the message box and send with Enter, as a person would."""
    box = page.locator("#text")
    await box.fill(text)
    await box.press("Enter")
    await expect(page.locator(".msg.me", has_text=text).last).to_be_visible(timeout=WAIT_MS)


async def tap(page: Page, label: str) -> None:
    """Tap the newest button with exactly this label."""
    await page.get_by_role("button", name=label, exact=True).last.click(timeout=WAIT_MS)


async def join_in_page(page: Page, base: str, code: str) -> None:
    """A new browser: the page greets the bot by itself; type the invite and join."""
    await page.goto(base + "/", timeout=WAIT_MS)
    await expect(page).to_have_title("Gương Sáng — trò chuyện")
    assert "{{" not in await page.content()
    await bot_says(page, "hãy gõ mã mời")
    # The page greeted the bot by itself: not something the person typed.
    await expect(page.locator(".msg.me")).to_have_count(0)
    await type_message(page, code)
    await bot_says(page, "Mã mời hợp lệ")
    await bot_says(page, "họ và tên")
    await type_message(page, NAME)
    await bot_says(page, "Số điện thoại của bạn")
    await expect(page.locator("#phone")).to_be_visible()
    await tap(page, "Bỏ qua")
    await bot_says(page, "Đồng ý lưu thông tin cá nhân")
    await expect(page.locator("#phone")).to_be_hidden()
    await tap(page, "Đồng ý")
    await bot_says(page, f"Chào mừng {NAME}")
    await expect(page.locator("#who")).to_have_text(NAME)


async def test_join_come_back_sign_in_elsewhere_and_sign_the_first_out(
    app: Application, invite: Callable[..., Awaitable[str]], tmp_path: Path
) -> None:
    code = await invite()
    errors: list[str] = []
    async with serving(app.http) as base:
        # The first phone joins, and the browser is closed.
        async with chromium(tmp_path / "phone-1") as context:
            page = await context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            await join_in_page(page, base, code)
            await page.screenshot(path=str(tmp_path / "joined.png"), full_page=True)
        # Opened again: the cookie brings the member back, nothing typed.
        async with chromium(tmp_path / "phone-1") as first:
            old = await first.new_page()
            old.on("pageerror", lambda error: errors.append(str(error)))
            await old.goto(base + "/", timeout=WAIT_MS)
            await expect(old.locator("#who")).to_have_text(NAME)
            await bot_says(old, f"Chào mừng {NAME}")
            await type_message(old, "/cuatoi")
            await bot_says(old, "Bạn chưa gửi đề cử nào")
            # A sign-in code for a new phone, from /taikhoan.
            await type_message(old, "/taikhoan")
            await bot_says(old, f"Tài khoản của {NAME} (1)")
            await tap(old, "Liên kết ứng dụng khác / đăng nhập web")
            await bot_says(old, "Mã đăng nhập của bạn")
            shown = await old.locator(".msg.bot", has_text="Mã đăng nhập của bạn").last.inner_text()
            sign_in = shown.split(": ", 1)[1].split("\n", 1)[0].strip()

            async with chromium(tmp_path / "phone-2") as second:
                new = await second.new_page()
                new.on("pageerror", lambda error: errors.append(str(error)))
                await new.goto(base + "/", timeout=WAIT_MS)
                await bot_says(new, "hãy gõ mã mời")
                await type_message(new, sign_in)
                await bot_says(new, f"Đã liên kết tài khoản này với {NAME}")
                await expect(new.locator("#who")).to_have_text(NAME)
                # The first phone is told at once.
                await bot_says(old, "vừa được liên kết")
                # From the new phone, sign the first one out.
                await type_message(new, "/thietbi")
                await bot_says(new, "Các trình duyệt đang đăng nhập (2)")
                await tap(new, "Đăng xuất thiết bị 2")
                await bot_says(new, "Đã đăng xuất 1 thiết bị")
                await new.screenshot(path=str(tmp_path / "devices.png"), full_page=True)
            # The first phone's page learns it is signed out at its next poll.
            await expect(old.locator(".msg.note", has_text="đã được đăng xuất")).to_be_visible(
                timeout=WAIT_MS * 2
            )
            await expect(old.locator("#who")).to_have_text("")
            assert errors == []
    await app.settle()


def noisy_photo(width: int, height: int) -> bytes:
    """A phone-sized photo that compresses badly (a few megabytes, like a real one)."""
    pixels = random.Random(7).randbytes(width * height * 3)
    picture = Image.frombytes("RGB", (width, height), pixels)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


async def line(cdp: CDPSession, bytes_per_second: int, *, offline: bool = False) -> None:
    """Throttle (or cut) the browser's network, as a phone on a slow 3G line (-1: not)."""
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": offline,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A small cap, so that a refused file is small too.
    return settings.model_copy(update={"max_upload_bytes": 2 * 1024 * 1024})


async def test_evidence_on_a_slow_line_and_messages_sent_offline(
    app: Application, invite: Callable[..., Awaitable[str]], tmp_path: Path
) -> None:
    code = await invite()
    photo = tmp_path / "anh-giay-khen.jpg"
    photo.write_bytes(noisy_photo(2400, 1800))
    too_big = tmp_path / "video.mp4"
    too_big.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2_500_000))
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Bà Lan nấu cơm cho bệnh nhân nghèo.", encoding="utf-8")
    errors: list[str] = []
    async with serving(app.http) as base, chromium(tmp_path / "phone") as context:
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        await join_in_page(page, base, code)
        await type_message(page, "/decu")
        await bot_says(page, "Bạn đề cử ai?")
        await tap(page, "Cá nhân")
        await type_message(page, "Nguyễn Thị Lan")
        await bot_says(page, "Năm sinh")
        await tap(page, "Bỏ qua")
        await type_message(page, "Thôn 3, xã An Bình")
        await tap(page, "Người tốt, việc tốt")
        await bot_says(page, "Hãy kể thành tích")
        # A long story in two paragraphs: Shift+Enter makes a new line.
        box = page.locator("#text")
        await box.fill("Bà Lan nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo.")
        await box.press("Shift+Enter")
        await box.type("Mỗi ngày bà nấu hơn năm mươi suất.")
        await box.press("Enter")
        await expect(page.locator(".msg.me").last).to_contain_text("nghèo.\nMỗi ngày")
        await bot_says(page, "Gửi minh chứng")

        # A file of a kind not taken, and one over the cap: refused here, the cap named.
        await page.locator("#file").set_input_files(str(note))
        await expect(page.locator(".msg.note").last).to_contain_text("«ghi-chu.txt» không dùng")
        await page.locator("#file").set_input_files(str(too_big))
        await expect(page.locator(".msg.note").last).to_contain_text("tối đa 2 MB")

        # On a slow line: the photo is made smaller first, its progress shows, and "Xong"
        # tapped meanwhile waits for it.
        network = await context.new_cdp_session(page)
        await network.send("Network.enable")
        await line(network, 256 * 1024)
        await page.locator("#file").set_input_files(str(photo))
        bubble = page.locator(".msg.me", has_text="anh-giay-khen.jpg")
        await expect(bubble.locator("progress")).to_be_visible(timeout=WAIT_MS)
        await expect(bubble.locator(".status")).to_contain_text("đang gửi", timeout=WAIT_MS)
        await tap(page, "Xong")
        waiting = page.locator(".msg.me", has_text="Xong").last
        await expect(waiting).to_contain_text("chờ gửi xong tệp")
        await bot_says(page, "Đã nhận 1/10 tệp")
        await bot_says(page, "Số điện thoại liên hệ")
        await line(network, -1)
        texts = await page.locator(".msg.bot").all_inner_texts()
        received = max(i for i, t in enumerate(texts) if "Đã nhận 1/10 tệp" in t)
        assert received < max(i for i, t in enumerate(texts) if "Số điện thoại liên hệ" in t)
        async with app.db.read() as conn:
            [size] = (await conn.execute(select(web_uploads.c.size))).scalars().all()
        assert size < len(photo.read_bytes()) // 2  # shrunk on the phone before it left

        # Offline: the message is marked and sent again with "Gửi lại" once back online.
        await line(network, -1, offline=True)
        await type_message(page, "0912 345 678")
        failed = page.locator(".msg.me.failed", has_text="0912 345 678")
        await expect(failed).to_contain_text("Chưa gửi được.")
        await line(network, -1)
        await failed.get_by_role("button", name="Gửi lại").click()
        await bot_says(page, "công khai")
        await expect(page.locator(".msg.me.failed")).to_have_count(0)
        await tap(page, "Đồng ý trực tiếp với tôi")
        await bot_says(page, "Minh chứng: 1 tệp")

        # Reloaded: both sides of the conversation are there.
        await page.reload()
        await bot_says(page, "Minh chứng: 1 tệp")
        mine = await page.locator(".msg.me").all_inner_texts()
        assert "Nguyễn Thị Lan" in mine and "0912 345 678" in mine
        assert "Đồng ý trực tiếp với tôi" in mine
        assert all(text != "/start" for text in mine)
        await page.screenshot(path=str(tmp_path / "slow-line.png"), full_page=True)
    assert errors == []
    await app.settle()
