"""Names, phone numbers and message text never reach the logs (ARCHITECTURE rule 8)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from bot.logs import configure_logging
from tests.support.chat import ChatClient

CANARY_NAME = "Canarynguyen Thi Zeta"
CANARY_PHONE = "0987 654 321"
CANARY_PLACE = "Thôn Canaryplace"


async def test_a_whole_journey_logs_no_personal_data(
    chat: Callable[..., ChatClient],
    invite: Callable[..., Awaitable[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging("DEBUG")  # what `python -m bot run` does, at the chattiest level
    caplog.set_level(logging.DEBUG)
    member = chat("canary", CANARY_NAME)
    await member.send(f"/start {await invite()}")
    await member.send(CANARY_NAME)
    await member.share_phone(CANARY_PHONE)
    await member.send("1")
    await member.send("/decu")
    for answer in (
        "1",
        CANARY_NAME,
        "1970",
        CANARY_PLACE,
        "6",
        f"{CANARY_NAME} giúp đỡ người nghèo ở {CANARY_PLACE} nhiều năm.",
        "bo qua",
        CANARY_PHONE,
        "1",
        "gui",
    ):
        await member.send(answer)
    replies = await member.pop()
    assert "GS-2026-000001" in replies[-1].text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "handled inbox" in logged  # the journey is logged, just not its personal data
    for canary in (CANARY_NAME, "Canarynguyen", CANARY_PHONE, "987654321", "Canaryplace"):
        assert canary not in logged
