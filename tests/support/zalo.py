"""Zalo test support: settings pointing at the fakes, and a clock aligned with theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from bot.settings import Settings
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.clock import FakeClock


def wall_clock() -> FakeClock:
    """A hand-moved clock starting now: the fakes stamp events with wall-clock time."""
    return FakeClock(datetime.now(UTC))


def with_zalo(
    settings: Settings, oa: FakeZaloOA | None, bot: FakeZaloBot | None, **extra: Any
) -> Settings:
    """The test settings with the Zalo channels turned on against the fakes."""
    # Pictures are fetched from the fakes' CDN only (the events' real Zalo CDN links are not
    # fetched: nothing leaves this machine).
    # These tests run on the wall clock (the fakes stamp events with it), so bulk sends must
    # not wait for the end of the quiet hours when the suite runs in the evening.
    update: dict[str, Any] = {"zalo_media_hosts": "127.0.0.1", "quiet_hours": "00:00-00:00"}
    if oa is not None:
        update |= {
            "zalo_oa_app_id": oa.app_id,
            "zalo_oa_secret_key": SecretStr(oa.app_secret),
            "zalo_oa_webhook_secret": SecretStr(oa.oa_secret_key),
            "zalo_oa_refresh_token": SecretStr(oa.refresh_token),
            "zalo_oa_api_base_url": oa.base_url,
            "zalo_oauth_base_url": oa.base_url,
        }
    if bot is not None:
        update |= {
            "zalo_bot_token": SecretStr(bot.token),
            "zalo_bot_api_base_url": bot.base_url,
            "zalo_bot_poll_seconds": 5.0,
            # Per-chat pacing is real time; the suite does not need to wait for it.
            "zalo_bot_chat_rate_per_second": None,
        }
    return settings.model_copy(update=update | extra)
