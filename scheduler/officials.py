"""Officials' jobs: the calls' clock and the progress reports of bulk sends."""

from __future__ import annotations

from datetime import time, timedelta

from handlers.flows.event import remind_attendees
from handlers.officials.periodic import weekly_summaries
from handlers.officials.progress import report_progress
from handlers.officials.reminders import campaign_tick
from scheduler.core import DailyJob, IntervalJob, JobContext

CAMPAIGN_TICK = timedelta(minutes=1)
PROGRESS_EVERY = timedelta(seconds=10)


async def run_campaign_tick(ctx: JobContext) -> dict[str, int]:
    """Close due calls, queue due reminders."""
    return await campaign_tick(ctx.conn, ctx.config, ctx.now)


async def run_event_tick(ctx: JobContext) -> dict[str, int]:
    """Remind attendees the day before an event."""
    return {"reminded": await remind_attendees(ctx.conn, ctx.config, ctx.now)}


async def run_bulk_progress(ctx: JobContext) -> dict[str, int]:
    """Edit the officials' progress messages; send final reports."""
    return await report_progress(ctx.conn, ctx.config, ctx.now)


async def run_weekly_summary(ctx: JobContext) -> dict[str, int]:
    """Officials' weekly figures (acts on the configured weekday only)."""
    return await weekly_summaries(ctx.conn, ctx.config, ctx.now)


def officials_jobs(summary_at: time) -> list[DailyJob | IntervalJob]:
    """The officials' jobs, for the registry."""
    return [
        DailyJob("weekly_summary", summary_at, run_weekly_summary),
        IntervalJob("campaign_tick", CAMPAIGN_TICK, run_campaign_tick),
        IntervalJob("event_tick", CAMPAIGN_TICK, run_event_tick),
        IntervalJob("bulk_progress", PROGRESS_EVERY, run_bulk_progress),
    ]
