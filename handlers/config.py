"""The knobs of the conversation core, filled from settings by the composition root."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from handlers.ports import Documents, Media


class CoreConfig(BaseModel):
    """Limits and locale the flows need; no platform details."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    timezone: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
    max_upload_bytes: int = 20 * 1024 * 1024
    max_evidence: int = 10
    draft_ttl_days: int = 30
    # Failed invite-code tries allowed per account and hour (guessing protection).
    invite_attempts_per_hour: int = 5
    # A nomination waiting longer than this is past its SLA (digest, reminders).
    review_sla_days: int = 3
    # Where files live (evidence, charts, exports, cards); None where no files are kept.
    media: Media | None = None
    # No bulk sends between these local times (postponed to the end of the quiet hours).
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    # Free broadcasts an official may start per local day.
    broadcast_daily_cap: int = 3
    # Nominations a member may submit per local day (abuse limit; 0: no limit).
    nominations_per_day: int = 10
    # A decision others will see can be undone this long; they are told once it stands.
    undo_window: timedelta = timedelta(minutes=5)
    # Messages a chat account may send per minute before the rest go unanswered (0: no limit).
    messages_per_minute: int = 60
    # Days before a call's deadline when members who have not nominated are reminded.
    reminder_days: tuple[int, ...] = (7, 1)
    # Weekday of the officials' weekly summary (0 = Monday); -1 turns it off.
    summary_weekday: int = 0
    # Propagation: where honour pages are served from (absolute, for sharing) and the
    # public channel (channel name, chat id) that gets each published story, if any.
    public_base_url: str = "http://127.0.0.1:8080"
    public_channel: tuple[str, str] | None = None
    # Charts and spreadsheets (bot/documents.py); None where no files can be made.
    documents: Documents | None = None
    # Wrong invite or link codes allowed per hour across every account (guessing).
    code_failures_per_hour: int = 300
    # Web sessions unused this long have ended (the device list leaves them out).
    web_session_idle: timedelta = timedelta(days=60)
    # Spreadsheets, charts and data downloads are deleted this long after they were made.
    export_retention: timedelta = timedelta(hours=6)
    # Console sessions unused this long have ended (the device list leaves them out).
    console_session_idle: timedelta = timedelta(minutes=120)
    # How long a /web link into the web console stays usable; None: the console is off.
    console_link_lifetime: timedelta | None = timedelta(minutes=10)
    # Retention (README, "Personal data: retention"): what people and the bot wrote to each
    # other is stripped from the inbox and outbox after this long; evidence of rejected
    # nominations is deleted this long after the decision; scheduler claims and audit
    # entries are kept this long. Drafts and never-joined accounts: draft_ttl_days.
    message_retention: timedelta = timedelta(days=3)
    rejected_evidence_retention: timedelta = timedelta(days=90)
    job_runs_retention: timedelta = timedelta(days=90)
    audit_retention: timedelta = timedelta(days=730)
    # Rows the purge changes per transaction (each batch holds the write lock briefly).
    purge_batch: int = 200
