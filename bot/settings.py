"""The one settings model, read once by the composition root."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from storage.db import normalise_url


def default_database_url() -> str:
    """SQLite file under ./data/ so that `make run` needs no configuration."""
    return f"sqlite:///{Path('data') / 'guongsang.db'}"


def _is_hhmm(value: str) -> bool:
    hour, _, minute = value.partition(":")
    return hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60


class Settings(BaseSettings):
    """Environment variables (and a `.env` file) as documented in the README."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    # PostgreSQL: connections each instance keeps open, for transactions and as many again
    # for single statements.
    database_pool_size: int = Field(default=10, ge=1, le=100)
    # Several instances on PostgreSQL: a role one instance plays (sending a channel, polling
    # a platform) passes to another this long after its holder stopped renewing it, and the
    # events a dead instance recorded are taken over after it.
    instance_lease_seconds: float = Field(default=15.0, ge=1.0, le=600.0)
    timezone: str = "Asia/Ho_Chi_Minh"
    digest_time: str = "07:30"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    media_dir: Path = Path("data") / "media"
    # Upper bound for one uploaded evidence file; Telegram's getFile limit is 20 MB.
    max_upload_bytes: int = 20 * 1024 * 1024
    log_level: str = "INFO"
    # REVIEW_SLA_DAYS: a nomination waiting longer is past its SLA (digest, reminders).
    review_sla_days: int = Field(default=3, ge=1, le=365)
    # Officials: quiet hours for bulk sends (local "HH:MM-HH:MM"), daily broadcast cap.
    quiet_hours: str = "21:00-07:00"
    broadcast_daily_cap: int = 3
    # Members: nominations one member may submit per local day (0: no limit).
    nominations_per_day: int = Field(default=10, ge=0)
    # Minutes during which a decision others will see (approve, reject, forward, merge,
    # publish, a bulk send) can be undone; those it concerns are told once it stands.
    undo_minutes: int = Field(default=5, ge=0, le=60)
    # Messages one chat account may send per minute; beyond it they are recorded, not handled.
    messages_per_minute: int = Field(default=60, ge=0)
    # Officials' weekly summary: weekday (0 = Monday … 6 = Sunday, -1 = off) and local time.
    summary_weekday: int = Field(default=0, ge=-1, le=6)
    summary_time: str = "08:00"
    # Propagation: the address people use to open honour pages (/vinh-danh), and the public
    # Telegram channel (e.g. @guongsang_tinh) that gets each published story; unset: none.
    public_base_url: str | None = None
    public_channel_chat_id: str | None = None

    # Issue 11. SECRET_KEY: the master key (at least 32 characters) from which the keys of
    # signed links, client-address digests and the encryption of platform tokens at rest are
    # derived. Unset: one is generated into SECRET_KEY_FILE (0600) on first start; set it
    # explicitly when several instances share a database. The file defaults to the SQLite
    # database's folder (data/ for PostgreSQL).
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    # WEB_CHAT=on|off: the members' web chat. Unset: on, with a warning at start when a
    # platform is configured (README: what it exposes, and how to put it behind the proxy).
    web_chat: bool | None = None
    # Web sessions end after this many days unused, and at the latest this many days after
    # signing in.
    web_session_idle_days: int = Field(default=60, ge=1, le=3650)
    web_session_max_days: int = Field(default=365, ge=1, le=3650)
    # Evidence files one person may upload through the web chat per local day.
    uploads_per_day: int = Field(default=50, ge=0)
    # Spreadsheets (/xuat), charts and personal data downloads (/dulieu) are deleted this
    # many hours after they were made.
    export_retention_hours: int = Field(default=6, ge=1, le=24 * 30)
    # Retention of personal data (README, "Personal data"): message contents in the inbox
    # and outbox, unfinished drafts (and accounts that never joined), evidence of rejected
    # nominations, scheduler claims, audit entries.
    message_retention_days: int = Field(default=3, ge=1, le=365)
    draft_retention_days: int = Field(default=30, ge=1, le=365)
    rejected_evidence_retention_days: int = Field(default=90, ge=1, le=3650)
    job_runs_retention_days: int = Field(default=90, ge=7, le=3650)
    audit_retention_days: int = Field(default=730, ge=30, le=3650)
    # Rows the purge changes per transaction.
    purge_batch_rows: int = Field(default=200, ge=10, le=100_000)
    # /healthz gives details (channels, backlog) to loopback and to this bearer token.
    health_token: SecretStr | None = None
    # Simultaneous HTTP connections uvicorn serves; beyond it answers 503.
    web_max_connections: int = Field(default=500, ge=10)
    # A request body that stops arriving for this many seconds is cut (408).
    web_body_idle_seconds: float = Field(default=20.0, gt=0, le=600)
    # Body cap of the platform webhooks (Telegram, Zalo OA, Zalo Bot), in bytes.
    max_webhook_bytes: int = Field(default=1024 * 1024, ge=64 * 1024)
    # Guessing codes: wrong invite or link codes allowed per hour in total (every account);
    # and, on the web chat, messages of not-yet-joined browsers per client address per hour
    # and new browser sessions per client address per hour.
    code_failures_per_hour: int = Field(default=300, ge=1)
    web_guest_messages_per_hour: int = Field(default=30, ge=1)
    web_sessions_per_hour: int = Field(default=20, ge=1)

    # Issue 17: the web console for reviewers, officials and admins (WEB_CONSOLE=on|off);
    # how long a /web link stays usable, and a console session's idle and absolute ends.
    web_console: bool = True
    console_link_minutes: int = Field(default=10, ge=1, le=60)
    console_idle_minutes: int = Field(default=120, ge=5, le=24 * 60)
    console_max_hours: int = Field(default=12, ge=1, le=24 * 7)
    # Where an invite poster's QR code sends members on Zalo: the Official Account's and the
    # Zalo Bot's addresses (e.g. https://zalo.me/<id>). Zalo documents no way to fill in a
    # message, so the poster says which code to type; an address containing {code} gets the
    # code put in (for a form Zalo may confirm later). Unset: that app is not offered.
    zalo_oa_link: str | None = None
    zalo_bot_link: str | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_file_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # For invite links (t.me/<name>?start=<code>); when unset the CLI asks getMe.
    telegram_bot_username: str | None = None
    # Telegram's limits: about 30 messages/s overall, 1/s per private chat (bursts of 3).
    telegram_rate_per_second: float = 25.0
    telegram_chat_rate_per_second: float = 1.0
    # Long-poll wait of getUpdates, and how long album parts are gathered before handling.
    telegram_poll_timeout: int = 25
    telegram_album_wait: float = 1.0
    # HTTP connections to the Bot API for sends (getUpdates has its own one).
    telegram_connection_pool: int = 16

    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_webhook_secret: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    # Which secret signs webhook events is disputed (channels.md A.4): "auto" uses
    # ZALO_OA_WEBHOOK_SECRET when set, else ZALO_OA_SECRET_KEY; "webhook"/"app" force one.
    zalo_oa_signing_key: Literal["auto", "webhook", "app"] = "auto"
    # Events whose `timestamp` is further than this from our clock are dropped (replays).
    # Zalo resends a failed delivery after 30 s, 5, 15, 30 and 60 min with the same body
    # (A.1), so after an outage longer than this its later retries are dropped too; raise it
    # if that matters more: duplicates are harmless (the inbox dedupes on the event id).
    zalo_oa_stale_seconds: int = 300
    # CS messages reach only people who interacted within this many days (A.6); bulk rows
    # for others are marked unreachable without calling Zalo.
    zalo_oa_proactive_window_days: int = 7
    # The app's limit is 4,000 requests a minute (A.9); stay well below.
    zalo_oa_rate_per_second: float = 30.0
    # Refresh the access token (25 h) this long before it expires.
    zalo_oa_refresh_margin_seconds: int = 3600
    # With an image URL set, questions that ask for a phone number also send the OA's
    # "request user info" form (A.5; its element needs an image); the answer comes back as
    # a user_submit_info event. Unset: people type their number.
    zalo_oa_phone_form_image_url: str | None = None
    # How long to hold sends after Zalo's -32 rate-limit error.
    zalo_oa_rate_limit_pause_seconds: float = 60.0

    # Hosts (and their subdomains) the bot fetches Zalo's picture links from, to keep clean
    # copies (bot/media_fetch.py); unconfirmed beyond zdn.vn (channels.md A.3): configurable.
    zalo_media_hosts: str = "zdn.vn,zadn.vn"

    zalo_bot_token: SecretStr | None = None
    zalo_bot_webhook_secret: SecretStr | None = None
    zalo_bot_api_base_url: str = "https://bot-api.zaloplatforms.com"
    # Webhook mode: the public URL registered with setWebhook at start (needs the secret).
    zalo_bot_webhook_url: str | None = None
    # Long-poll length of one getUpdates call (A.11: default 30 s).
    zalo_bot_poll_seconds: float = 30.0
    # Rate limits are undocumented (A.11 [U]); a cautious default.
    zalo_bot_rate_per_second: float = 20.0
    zalo_bot_chat_rate_per_second: float | None = 1.0

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_url(value)

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
    def zalo_oa_enabled(self) -> bool:
        """Zalo OA is on when its app id, app secret and a refresh token are set."""
        return bool(self.zalo_oa_app_id and self.zalo_oa_secret_key and self.zalo_oa_refresh_token)

    @property
    def zalo_oa_event_key(self) -> str | None:
        """The key webhook signatures are checked with (see zalo_oa_signing_key)."""
        webhook, app = self.zalo_oa_webhook_secret, self.zalo_oa_secret_key
        if self.zalo_oa_signing_key == "webhook":
            chosen = webhook
        elif self.zalo_oa_signing_key == "app":
            chosen = app
        else:
            chosen = webhook or app
        return chosen.get_secret_value() if chosen else None

    @property
    def zalo_oa_proactive_window(self) -> timedelta:
        """ZALO_OA_PROACTIVE_WINDOW_DAYS as a duration."""
        return timedelta(days=self.zalo_oa_proactive_window_days)

    @property
    def key_file(self) -> Path:
        """Where a generated SECRET_KEY is kept: SECRET_KEY_FILE, or beside the database."""
        if self.secret_key_file is not None:
            return self.secret_key_file
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(str(url.database)).parent / "secret.key"
        return Path("data") / "secret.key"

    @property
    def public_url(self) -> str:
        """PUBLIC_BASE_URL without its trailing slash, or the local address."""
        return (self.public_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @property
    def platform_configured(self) -> bool:
        """Whether any chat platform besides the web chat is turned on."""
        return bool(self.telegram_bot_token or self.zalo_oa_enabled or self.zalo_bot_token)

    @property
    def web_chat_on(self) -> bool:
        """WEB_CHAT, defaulting to on."""
        return True if self.web_chat is None else self.web_chat

    @property
    def digest_at(self) -> time:
        """DIGEST_TIME as a time of day."""
        hour, minute = self.digest_time.split(":")
        return time(int(hour), int(minute))
