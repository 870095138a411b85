"""The one settings model, read once by the composition root."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """SQLite file under ./data/ so that `make run` needs no configuration."""
    return f"sqlite+aiosqlite:///{Path('data') / 'guongsang.db'}"


def _is_hhmm(value: str) -> bool:
    hour, _, minute = value.partition(":")
    return hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60


class Settings(BaseSettings):
    """Environment variables (and a `.env` file) as documented in the README."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    timezone: str = "Asia/Ho_Chi_Minh"
    digest_time: str = "07:30"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    media_dir: Path = Path("data") / "media"
    # Upper bound for one uploaded evidence file; Telegram's getFile limit is 20 MB.
    max_upload_bytes: int = 20 * 1024 * 1024
    log_level: str = "INFO"
    # Officials: quiet hours for bulk sends (local "HH:MM-HH:MM"), daily broadcast cap.
    quiet_hours: str = "21:00-07:00"
    broadcast_daily_cap: int = 3
    # Officials' weekly summary: weekday (0 = Monday … 6 = Sunday, -1 = off) and local time.
    summary_weekday: int = Field(default=0, ge=-1, le=6)
    summary_time: str = "08:00"
    # Propagation: the address people use to open honour pages (/vinh-danh), and the public
    # Telegram channel (e.g. @guongsang_tinh) that gets each published story; unset: none.
    public_base_url: str | None = None
    public_channel_chat_id: str | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_file_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_webhook_secret: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"

    zalo_bot_token: SecretStr | None = None
    zalo_bot_webhook_secret: SecretStr | None = None
    zalo_bot_api_base_url: str = "https://bot-api.zaloplatforms.com"

    @field_validator("digest_time")
    @classmethod
    def _check_time(cls, value: str) -> str:
        hour, _, minute = value.partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError("DIGEST_TIME must be HH:MM")
        return value

    @field_validator("summary_time")
    @classmethod
    def _check_summary_time(cls, value: str) -> str:
        if not _is_hhmm(value):
            raise ValueError("SUMMARY_TIME must be HH:MM")
        return value

    @property
    def summary_at(self) -> time:
        """SUMMARY_TIME as a time of day."""
        hour, minute = self.summary_time.split(":")
        return time(int(hour), int(minute))

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet(cls, value: str) -> str:
        parts = [p.strip() for p in value.split("-")]
        if len(parts) != 2 or not all(_is_hhmm(p) for p in parts):
            raise ValueError("QUIET_HOURS must be HH:MM-HH:MM")
        return value

    @property
    def quiet_window(self) -> tuple[time, time]:
        """QUIET_HOURS as (start, end) local times."""
        start, end = (part.strip().split(":") for part in self.quiet_hours.split("-"))
        return time(int(start[0]), int(start[1])), time(int(end[0]), int(end[1]))

    @property
    def digest_at(self) -> time:
        """DIGEST_TIME as a time of day."""
        hour, minute = self.digest_time.split(":")
        return time(int(hour), int(minute))
