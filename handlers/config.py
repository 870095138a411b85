"""The knobs of the conversation core, filled from settings by the composition root."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict


class CoreConfig(BaseModel):
    """Limits and locale the flows need; no platform details."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    timezone: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
    max_upload_bytes: int = 20 * 1024 * 1024
    max_evidence: int = 10
    draft_ttl_days: int = 30
    # Failed invite-code tries allowed per account and hour (guessing protection).
    invite_attempts_per_hour: int = 5
    # Web and Telegram deep links, shown where a channel has them.
    telegram_bot_username: str | None = None
    # A nomination waiting longer than this is past its SLA (digest, reminders).
    review_sla_days: int = 3
