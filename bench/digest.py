"""Digest composition at provincial scale: 1,000 reviewers, 100,000 nominations, 3,000 units.

    python -m bench.digest [--runs 5] [--keep DIR]

Builds a SQLite database (migrated with Alembic, like production), then times composing every
reviewer's digest (handlers.digest.compose) and the whole scheduled job (compose, render,
enqueue 1,000 outbox rows, move the watermarks; rolled back after each run so every run does
the same work). Prints the median of the runs and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from handlers import digest
from handlers.config import CoreConfig
from scheduler.core import JobContext
from scheduler.reviews import send_digests
from storage.db import Database
from storage.migrate import upgrade
from storage.schema import (
    digest_marks,
    identities,
    memberships,
    nominations,
    people,
    review_levels,
    units,
)

UNITS = 3000
REVIEWERS = 1000
NOMINATIONS = 100_000
NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 07:30 in Hanoi
STATUSES = (
    ["submitted"] * 25
    + ["answered"] * 5
    + ["forwarded"] * 5
    + ["needs_info"] * 5
    + ["approved"] * 40
    + ["rejected"] * 15
    + ["merged"] * 5
)


def _tree() -> list[dict[str, Any]]:
    """One province, 599 communes, four organisations each: 3,000 units."""
    rows = [
        {"id": 1, "code": "T", "parent_id": None, "name": "Tỉnh", "kind": "province", "path": "/1/"}
    ]
    next_id = 2
    communes = (UNITS - 1) // 5
    for c in range(communes):
        commune = next_id
        next_id += 1
        rows.append(
            {
                "id": commune,
                "code": f"X{c}",
                "parent_id": 1,
                "name": f"Xã {c}",
                "kind": "commune",
                "path": f"/1/{commune}/",
            }
        )
        for o in range(4):
            rows.append(
                {
                    "id": next_id,
                    "code": f"X{c}-{o}",
                    "parent_id": commune,
                    "name": f"Hội {o} xã {c}",
                    "kind": "organisation",
                    "path": f"/1/{commune}/{next_id}/",
                }
            )
            next_id += 1
    return rows


async def build(db: Database) -> None:
    """Fill the database: tree, reviewers with identities and watermarks, nominations."""
    rng = random.Random(2026)
    tree = _tree()
    communes = [u for u in tree if u["kind"] == "commune"]
    organisations = [u for u in tree if u["kind"] == "organisation"]
    async with db.write() as conn:
        await conn.execute(units.insert(), tree)
        reviewer_units = (
            [1] * 10
            + [u["id"] for u in rng.sample(communes, 290)]
            + [u["id"] for u in rng.sample(organisations, 700)]
        )
        await conn.execute(
            people.insert(),
            [
                {"id": p, "full_name": f"Người {p}", "phone": None, "created_at": NOW}
                for p in range(1, REVIEWERS + 2)
            ],
        )
        await conn.execute(
            memberships.insert(),
            [
                {"person_id": p, "unit_id": u, "role": "reviewer", "created_at": NOW}
                for p, u in enumerate(reviewer_units, start=1)
            ],
        )
        await conn.execute(
            identities.insert(),
            [
                {
                    "channel": "web",
                    "external_id": f"r{p}",
                    "person_id": p,
                    "created_at": NOW,
                    "last_inbound_at": NOW,
                }
                for p in range(1, REVIEWERS + 1)
            ],
        )
        await conn.execute(
            digest_marks.insert(),
            [
                {"person_id": p, "last_digest_at": NOW - timedelta(days=1)}
                for p in range(1, REVIEWERS + 1)
            ],
        )
        reporter = REVIEWERS + 1
        # In chunks, so that the peak RSS printed reflects the digest, not the set-up.
        for start in range(1, NOMINATIONS + 1, 10_000):
            rows = []
            levels = []
            for n in range(start, min(start + 10_000, NOMINATIONS + 1)):
                unit = rng.choice(organisations)
                status = rng.choice(STATUSES)
                at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
                rows.append(_nomination(n, reporter, unit["id"], status, at))
                if status == "forwarded":
                    levels.append({"nomination_id": n, "unit_id": unit["parent_id"], "since": at})
            await conn.execute(nominations.insert(), rows)
            if levels:
                await conn.execute(review_levels.insert(), levels)


def _nomination(n: int, reporter: int, unit_id: int, status: str, at: datetime) -> dict[str, Any]:
    return {
        "id": n,
        "code": f"GS-2026-{n:06d}",
        "reporter_id": reporter,
        "unit_id": unit_id,
        "campaign_id": None,
        "kind": "individual",
        "nominee_name": f"Người được đề cử {n}",
        "nominee_key": f"nguoi duoc de cu {n}",
        "birth_year": None,
        "place": "Thôn 1",
        "field": "good_deed",
        "achievement": "Thành tích " * 5,
        "contact_phone": None,
        "consent_public": True,
        "status": status,
        "submitted_at": at,
        "updated_at": at,
    }


async def measure(db: Database, runs: int) -> tuple[list[float], list[float], int]:
    """Times of compose and of the whole job, and how many digests one run yields."""
    config = CoreConfig()
    compose_times: list[float] = []
    job_times: list[float] = []
    sent = 0
    for _ in range(runs):
        async with db.read() as conn:
            started = time.perf_counter()
            composed = await digest.compose(conn, NOW, config)
            wanted = [d for d in composed if d.worth_sending]
            lines = await digest.lines_for(conn, wanted)
            texts = [digest.render(d, lines, NOW, config) for d in wanted]
            compose_times.append(time.perf_counter() - started)
            sent = len(texts)
        # The job runs in a write transaction that is then rolled back, so every run
        # composes and queues the same digests.
        with contextlib.suppress(RolledBack):
            async with db.write() as conn:
                started = time.perf_counter()
                await send_digests(JobContext(conn=conn, now=NOW, config=config))
                job_times.append(time.perf_counter() - started)
                raise RolledBack
    return compose_times, job_times, sent


class RolledBack(Exception):
    """Raised to roll a measured job back."""


async def run(folder: Path, runs: int) -> None:
    """Build, measure, print."""
    url = f"sqlite:///{folder / 'bench.db'}"
    await upgrade(url)
    db = Database(url)
    try:
        started = time.perf_counter()
        await build(db)
        print(
            f"built {UNITS} units, {REVIEWERS} reviewers, {NOMINATIONS} nominations "
            f"in {time.perf_counter() - started:.1f} s"
        )
        compose_times, job_times, sent = await measure(db, runs)
    finally:
        await db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"digests with something in scope: {sent} of {REVIEWERS} reviewers")
    print(
        f"compose all digests: median {statistics.median(compose_times):.3f} s over {runs} runs "
        f"(min {min(compose_times):.3f}, max {max(compose_times):.3f})"
    )
    print(
        f"whole digest job (compose + enqueue + watermarks): median "
        f"{statistics.median(job_times):.3f} s (min {min(job_times):.3f}, max {max(job_times):.3f})"
    )
    print(f"peak RSS: {peak_mb:.0f} MB")


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench.digest")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="build the database here")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args.keep, args.runs))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(Path(folder), args.runs))


if __name__ == "__main__":
    main()
