"""Which jobs the deployment runs, declared in one place."""

from __future__ import annotations

from datetime import time

from scheduler.core import DailyJob, IntervalJob
from scheduler.officials import officials_jobs


def build_jobs(digest_at: time) -> list[DailyJob | IntervalJob]:
    """Every scheduled job with its time; the digest time comes from DIGEST_TIME."""
    del digest_at  # used by the reviewers' digest
    jobs: list[DailyJob | IntervalJob] = []
    jobs += officials_jobs()
    return jobs
