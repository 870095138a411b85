"""Which jobs the deployment runs, declared in one place."""

from __future__ import annotations

from datetime import time

from scheduler.core import DailyJob, IntervalJob
from scheduler.officials import officials_jobs


def build_jobs(digest_at: time, summary_at: time = time(8, 0)) -> list[DailyJob | IntervalJob]:
    """Every scheduled job with its time; the digest time comes from DIGEST_TIME, the
    officials' weekly summary time from SUMMARY_TIME."""
    del digest_at  # used by the reviewers' digest
    jobs: list[DailyJob | IntervalJob] = []
    jobs += officials_jobs(summary_at)
    return jobs
