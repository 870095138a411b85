"""Job-run claims: a scheduled firing acts only if it claims its key first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from storage.db import Connection
from storage.schema import job_runs
from storage.sql import insert_ignoring_conflicts


async def claim_run(conn: Connection, key: str, job: str, now: datetime) -> bool:
    """True for the one caller that claims this key; every other caller gets False."""
    result = await conn.execute(
        insert_ignoring_conflicts(conn, job_runs).values(key=key, job=job, claimed_at=now)
    )
    return result.rowcount == 1


async def finish_run(conn: Connection, key: str, result: dict[str, Any], now: datetime) -> None:
    """Record what a claimed run did."""
    await conn.execute(
        update(job_runs).where(job_runs.c.key == key).values(finished_at=now, result=result)
    )


async def last_run_key(conn: Connection, job: str) -> str | None:
    """The key of the most recently claimed firing of a job."""
    query = (
        select(job_runs.c.key)
        .where(job_runs.c.job == job)
        .order_by(job_runs.c.claimed_at.desc(), job_runs.c.key.desc())
        .limit(1)
    )
    key: str | None = (await conn.execute(query)).scalar_one_or_none()
    return key
