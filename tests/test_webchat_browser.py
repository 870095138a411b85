"""Smoke test of the web chat page in real headless Chromium, against a real uvicorn server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, ViewportSize, async_playwright, expect

from bot.app import Application
from tests.support.server import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = ViewportSize(width=390, height=800)
WAIT_MS = 15_000
NAME = "Trần Thị Hoa"
UID = "tran-thi-hoa"  # the page's slug of NAME


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[BrowserContext]:
    """Debian's Chromium (never a downloaded one) with a fresh profile and a phone's screen."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's package "
            "(apt-get install -y chromium), as .ci/run does"
        )
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            locale="vi-VN",
        )
        try:
            yield context
        finally:
            await context.close()


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


async def test_new_person_joins_and_asks_for_own_nominations(
    app: Application, invite: Callable[..., Awaitable[str]], tmp_path: Path
) -> None:
    code = await invite()
    async with serving(app.http) as base:
        async with chromium(tmp_path / "profile") as context:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(base + "/", timeout=WAIT_MS)
            await expect(page).to_have_title("Gương Sáng — trò chuyện thử")
            # Every placeholder was filled from the catalog.
            assert "{{" not in await page.content()

            await page.locator("#newname").fill(NAME)
            await page.locator("#enter").click()
            await expect(page.locator("#who")).to_have_text(NAME)
            # A new person: the page says /start by itself.
            await expect(page.locator(".msg.me").first).to_have_text("/start")
            await bot_says(page, "hãy gõ mã mời")

            await type_message(page, code)
            await bot_says(page, "Mã mời hợp lệ")
            await bot_says(page, "họ và tên")
            await type_message(page, NAME)
            await bot_says(page, "Số điện thoại của bạn")
            await expect(page.locator("#phone")).to_be_visible()
            await page.screenshot(path=str(tmp_path / "phone-step.png"), full_page=True)
            await tap(page, "Bỏ qua")
            await bot_says(page, "Đồng ý lưu thông tin cá nhân")
            await expect(page.locator("#phone")).to_be_hidden()
            await tap(page, "Đồng ý")
            await bot_says(page, f"Chào mừng {NAME}")

            await type_message(page, "/cuatoi")
            await bot_says(page, "Bạn chưa gửi đề cử nào")
            await page.screenshot(path=str(tmp_path / "joined.png"), full_page=True)
            assert errors == []
        # The page's last long poll is still waiting on the server; a message for the same
        # person wakes it, so the server stops at once (see the report on webchat.get_messages).
        async with httpx.AsyncClient(base_url=base) as client:
            woken = await client.post(f"/api/chat/{UID}/send", json={"text": "/trogiup"})
            assert woken.status_code == 200
    await app.settle()
