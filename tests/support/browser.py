"""Debian's Chromium under Playwright for the browser tests (never a downloaded browser)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, ViewportSize, async_playwright

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
DESKTOP = ViewportSize(width=1366, height=768)


@asynccontextmanager
async def chromium(profile: Path, viewport: ViewportSize = PHONE) -> AsyncIterator[BrowserContext]:
    """Debian's Chromium with a fresh profile and a screen (a phone's unless told)."""
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
            viewport=viewport,
            locale="vi-VN",
        )
        try:
            yield context
        finally:
            await context.close()
