"""Which jobs the deployment runs, declared in one place."""

from __future__ import annotations

from datetime import time, timedelta

from scheduler.core import DailyJob, IntervalJob
from scheduler.reviews import send_digests, send_draft_reminders, send_sla_reminders


def build_jobs(digest_at: time) -> list[DailyJob | IntervalJob]:
    """Every scheduled job with its time; the digest time comes from DIGEST_TIME."""
    return [
        DailyJob("digest", at=digest_at, run=send_digests),
        IntervalJob("sla_reminders", every=timedelta(hours=1), run=send_sla_reminders),
        IntervalJob("draft_reminders", every=timedelta(hours=1), run=send_draft_reminders),
    ]
