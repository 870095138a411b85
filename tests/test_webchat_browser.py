"""Smoke test of the web chat page in real headless Chromium, against a real uvicorn server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import Page, expect

from bot.app import Application
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
    await expect(page.locator(".msg.me").first).to_have_text("/start")
    await bot_says(page, "hãy gõ mã mời")
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
