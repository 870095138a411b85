"""APScheduler 3 in the deployment's time zone; every firing claims its key before acting.

Jobs are small async functions that take a JobContext and return counts. They enqueue into
the outbox and never call a channel. A firing's key (``digest:2026-11-25``) is claimed in
``job_runs`` in the same transaction as the job's effects, so a restart, a catch-up after
downtime or a second instance never runs it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers.config import CoreConfig
from storage.db import Connection, Database
from storage.jobs import claim_run, finish_run, last_run_key

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class JobContext:
    """What a job gets: the transaction its effects go in, its nominal time, the config."""

    conn: Connection
    now: datetime
    config: CoreConfig


JobFn = Callable[[JobContext], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class BatchContext:
    """What a batched job gets: the database, to take one short write transaction per
    batch (replies wait for at most one batch), its nominal time and the config. With
    `dry_run` it only counts what it would do."""

    db: Database
    now: datetime
    config: CoreConfig
    dry_run: bool = False


BatchFn = Callable[[BatchContext], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class DailyJob:
    """Runs once a day at a local wall-clock time."""

    name: str
    at: time
    run: JobFn


@dataclass(frozen=True)
class IntervalJob:
    """Runs every `every`; each slot of the clock is one firing."""

    name: str
    every: timedelta
    run: JobFn


@dataclass(frozen=True)
class BatchedJob:
    """Runs every `every` in batches of its own transactions: the slot's key is claimed
    first (once across instances), the batches follow, the claim is finished last. A job
    cut short is simply done again by the next slot, so its work must be idempotent."""

    name: str
    every: timedelta
    run: BatchFn


def daily_key(job: DailyJob, nominal: datetime, config: CoreConfig) -> str:
    """The claim key of one day's firing: the local date."""
    return f"{job.name}:{nominal.astimezone(config.timezone).date().isoformat()}"


def nominal_daily(job: DailyJob, now: datetime, config: CoreConfig) -> datetime:
    """The latest firing time of a daily job at or before `now` (aware, UTC-comparable)."""
    local_now = now.astimezone(config.timezone)
    today = datetime.combine(local_now.date(), job.at, tzinfo=config.timezone)
    return today if today <= local_now else today - timedelta(days=1)


class Scheduler:
    """Owns APScheduler; fires jobs through claims; catches up once on start."""

    def __init__(
        self,
        db: Database,
        config: CoreConfig,
        clock: Clock,
        jobs: Sequence[DailyJob | IntervalJob | BatchedJob],
        grace: timedelta = timedelta(hours=6),
    ) -> None:
        self._db = db
        self._config = config
        self._clock = clock
        self.jobs = {job.name: job for job in jobs}
        self.grace = grace
        self._aps: AsyncIOScheduler | None = None

    async def start(self) -> None:
        """Register every job with stable ids, then run what was missed within the grace."""
        aps = AsyncIOScheduler(
            timezone=self._config.timezone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(self.grace.total_seconds()),
            },
        )
        for job in self.jobs.values():
            if isinstance(job, DailyJob):
                trigger: Any = CronTrigger(
                    hour=job.at.hour, minute=job.at.minute, timezone=self._config.timezone
                )
                aps.add_job(
                    self.fire_daily, trigger, args=[job.name], id=job.name, replace_existing=True
                )
            else:
                trigger = IntervalTrigger(
                    seconds=job.every.total_seconds(), timezone=self._config.timezone
                )
                aps.add_job(
                    self.fire_interval, trigger, args=[job.name], id=job.name, replace_existing=True
                )
        aps.start()
        self._aps = aps
        await self.catch_up()

    async def stop(self) -> None:
        """Stop firing; a job in progress finishes its transaction."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def catch_up(self) -> dict[str, int]:
        """After downtime: run each daily job's latest missed firing once if it is within
        the grace window; record older misses as missed, so they are reported, not lost."""
        now = self._clock()
        summary = {"ran": 0, "missed": 0}
        for job in self.jobs.values():
            if not isinstance(job, DailyJob):
                continue
            nominal = nominal_daily(job, now, self._config)
            recent = now - nominal <= self.grace
            # Misses first: they are counted back to the last claimed day, which must not
            # yet be the firing about to run.
            summary["missed"] += await self._record_missed(job, nominal, now)
            if recent and await self.fire_daily(job.name, nominal=nominal) is not None:
                summary["ran"] += 1
        return summary

    async def _record_missed(self, job: DailyJob, latest: datetime, now: datetime) -> int:
        """Mark days since the last recorded run (at most 30 back) that never ran."""
        async with self._db.write() as conn:
            last = await last_run_key(conn, job.name)
            if last is None:
                return 0
            missed = 0
            day = latest if now - latest > self.grace else latest - timedelta(days=1)
            for _ in range(30):
                key = daily_key(job, day, self._config)
                if key <= last:
                    break
                if await claim_run(conn, key, job.name, now):
                    await finish_run(conn, key, {"missed": 1}, now)
                    log.warning(
                        "job %s missed its firing %s (outside the grace window)", job.name, key
                    )
                    missed += 1
                day -= timedelta(days=1)
        return missed

    async def fire_daily(self, name: str, nominal: datetime | None = None) -> dict[str, int] | None:
        """One daily firing; None when its key was claimed before."""
        job = self.jobs[name]
        assert isinstance(job, DailyJob)
        when = nominal or nominal_daily(job, self._clock(), self._config)
        return await self._run(job.name, daily_key(job, when, self._config), job.run, when)

    async def fire_interval(self, name: str) -> dict[str, int] | None:
        """One interval firing, keyed by its slot of the clock."""
        job = self.jobs[name]
        assert isinstance(job, IntervalJob | BatchedJob)
        now = self._clock()
        step = job.every.total_seconds()
        slot = datetime.fromtimestamp(now.timestamp() // step * step, tz=now.tzinfo)
        key = f"{job.name}:{slot.isoformat()}"
        if isinstance(job, BatchedJob):
            return await self._run_batched(job, key, now)
        return await self._run(job.name, key, job.run, now)

    async def _run_batched(
        self, job: BatchedJob, key: str, nominal: datetime
    ) -> dict[str, int] | None:
        async with self._db.write() as conn:
            if not await claim_run(conn, key, job.name, self._clock()):
                return None
        try:
            result = await job.run(BatchContext(db=self._db, now=nominal, config=self._config))
        except Exception:
            # Its batches so far are committed; the next slot does the rest.
            log.exception("job %s (%s) failed part way", job.name, key)
            return None
        async with self._db.write() as conn:
            await finish_run(conn, key, result, self._clock())
        _report(job.name, key, result)
        return result

    async def _run(
        self, name: str, key: str, fn: JobFn, nominal: datetime
    ) -> dict[str, int] | None:
        try:
            async with self._db.write() as conn:
                if not await claim_run(conn, key, name, self._clock()):
                    return None
                result = await fn(JobContext(conn=conn, now=nominal, config=self._config))
                await finish_run(conn, key, result, self._clock())
        except Exception:
            log.exception("job %s (%s) failed; its claim was rolled back", name, key)
            return None
        # What it queued, the senders heard of at commit (storage/notify.py).
        _report(name, key, result)
        return result


def _report(name: str, key: str, result: dict[str, int]) -> None:
    """A run that did something is logged; an idle one (a 10-second job finding nothing to
    do) only at debug level, so that the operator's log is not a clock."""
    level = logging.INFO if any(result.values()) else logging.DEBUG
    log.log(level, "job %s (%s): %s", name, key, result)
