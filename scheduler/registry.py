"""Which jobs the deployment runs, declared in one place."""

from __future__ import annotations

from datetime import time, timedelta

from scheduler.core import BatchedJob, DailyJob, IntervalJob
from scheduler.officials import officials_jobs
from scheduler.retention import purge
from scheduler.reviews import send_digests, send_draft_reminders, send_sla_reminders


def build_jobs(
    digest_at: time, summary_at: time = time(8, 0)
) -> list[DailyJob | IntervalJob | BatchedJob]:
    """Every scheduled job with its time; the digest time comes from DIGEST_TIME, the
    officials' weekly summary time from SUMMARY_TIME."""
    jobs: list[DailyJob | IntervalJob | BatchedJob] = [
        DailyJob("digest", at=digest_at, run=send_digests),
        IntervalJob("sla_reminders", every=timedelta(hours=1), run=send_sla_reminders),
        IntervalJob("draft_reminders", every=timedelta(hours=1), run=send_draft_reminders),
        # Retention: hourly (spreadsheets last hours), in batches, claimed once.
        BatchedJob("purge", every=timedelta(hours=1), run=purge),
    ]
    jobs += officials_jobs(summary_at)
    return jobs
