"""Benchmark: the retention purge of a year of a province's data, while replies keep coming.

A fresh database (SQLite file or PostgreSQL) is filled with a year of traffic: 1,000,000
inbox and 1,000,000 outbox rows spread over 365 days, 100,000 nominations with a piece of
evidence each (a tenth rejected), 20,000 members, two years of audit entries and the
scheduler's claims. Then the first purge runs (everything past its retention at once: the
worst case, a deployment upgrading to this version) while a "reply" task performs the write a
conversation step does (touch the account, queue a reply) every 10 ms. Printed: the purge's
time and rows, its longest and median transaction (each batch is one), and the replies'
latency during the purge beside the same replies without it (median and ratio); the "> 50ms"
columns count the batches, and the replies, past the issue's 50 ms bar.

On SQLite it also prints the purge with `secure_delete` off (what zeroing deleted content
costs), the time of one member's erasure (a conversation step's transaction), and what a
VACUUM of the year's file would take (why erasures do not vacuum).

Run: `python -m bench.purge [--quick] [--database sqlite|postgres|both] [--database-url URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import make_url

from bench.conversation import engines
from bench.stats import percentile
from bot import cli_ops
from bot.media import FolderMedia
from bot.web.server import settle
from handlers.config import CoreConfig
from scheduler.core import BatchContext
from scheduler.retention import purge
from storage import erasure, outbox
from storage.db import Connection, Database
from storage.retention import Batch
from storage.schema import (
    audit_log,
    evidence,
    identities,
    inbox,
    job_runs,
    memberships,
    nominations,
    people,
)
from storage.schema import outbox as outbox_table
from storage.units import get_unit_by_code

NOW = datetime(2027, 11, 25, 2, 0, tzinfo=UTC)
CHUNK = 5_000
# The bar: no reply held up longer than this by the purge (counted, not asserted).
BAR_MS = 50.0
PROBE_EVERY = 0.010
TEXT = "Bà Lan nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện."


@dataclass(frozen=True)
class Sizes:
    """How much a year holds."""

    members: int
    messages: int
    nominations: int
    audits: int


FULL = Sizes(members=20_000, messages=1_000_000, nominations=100_000, audits=300_000)
QUICK = Sizes(members=2_000, messages=100_000, nominations=10_000, audits=30_000)


# Set in the reply probe's task: its transactions are not the purge's.
PROBING: ContextVar[bool] = ContextVar("probing", default=False)


class GcClock:
    """Time spent in Python's garbage collector (a pause of the event loop that is neither
    a query nor the write lock)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._began = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        """gc.callbacks entry."""
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.spent += time.perf_counter() - self._began


GC = GcClock()


@dataclass(frozen=True)
class Hold:
    """One write transaction of the purge: how long the lock was held in all, how much of it
    the commit took (on SQLite a commit that fills the WAL copies it back itself), and how
    much the garbage collector."""

    seconds: float
    commit: float
    gc: float


class TimedDatabase(Database):
    """The application's database, noting how long each of the purge's write transactions
    is held (from getting the write lock, or the connection, to the end of the commit), and
    which rule's batch it was."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.holds: list[Hold] = []
        self.rules: list[str] = []
        self.timing = False

    @asynccontextmanager
    async def write(self, *, single: bool = False) -> AsyncIterator[Connection]:
        """As Database.write, timed, the commit included."""
        started = body_done = gc_before = 0.0
        try:
            async with super().write(single=single) as conn:
                started, gc_before = time.perf_counter(), GC.spent
                try:
                    yield conn
                finally:
                    body_done = time.perf_counter()
        finally:
            if started and self.timing and not PROBING.get():
                ended = time.perf_counter()
                self.holds.append(Hold(ended - started, ended - body_done, GC.spent - gc_before))

    def tag(self, rule: str, _batch: Batch) -> None:
        """Name the batches timed since the last one tagged (the purge's on_batch)."""
        self.rules += [rule] * (len(self.holds) - len(self.rules))


def secure_delete_off(db: Database) -> None:
    """SQLite connections without secure_delete (the comparison run)."""
    assert db.sync_engine is not None

    def off(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA secure_delete=OFF")

    event.listen(db.sync_engine, "connect", off)


async def seed(db: Database, sizes: Sizes) -> None:
    """A year of a province: members, their messages, nominations, audit, claims."""
    start = NOW - timedelta(days=365)
    await cli_ops.import_units(db, cli_ops.DEMO_UNITS)
    async with db.read() as conn:
        found = await get_unit_by_code(conn, "X-AN-BINH-HPN")
    assert found is not None
    unit = found.id
    people_rows = [
        {"id": n + 1, "full_name": f"Thành viên {n}", "phone": None, "created_at": start}
        for n in range(sizes.members)
    ]
    await _insert(db, people, people_rows)
    await _insert(
        db,
        identities,
        [
            {
                "id": n + 1,
                "channel": "zalo_oa",
                "external_id": f"{10**18 + n}",
                "person_id": n + 1,
                "created_at": start,
                "last_inbound_at": NOW,
                "rate_count": 0,
            }
            for n in range(sizes.members)
        ],
    )
    await _insert(
        db,
        memberships,
        [
            {"person_id": n + 1, "unit_id": unit, "role": "member", "created_at": start}
            for n in range(sizes.members)
        ],
    )
    step = timedelta(days=365) / sizes.messages
    for table in (inbox, outbox_table):
        for offset in range(0, sizes.messages, CHUNK):
            numbers = range(offset, min(offset + CHUNK, sizes.messages))
            await _insert(db, table, [_message(table, n, start + step * n, sizes) for n in numbers])
    nstep = timedelta(days=365) / sizes.nominations
    for offset in range(0, sizes.nominations, CHUNK):
        numbers = range(offset, min(offset + CHUNK, sizes.nominations))
        await _insert(
            db, nominations, [_nomination(n, start + nstep * n, sizes, unit) for n in numbers]
        )
        await _insert(
            db,
            evidence,
            [
                {
                    "nomination_id": n + 1,
                    "kind": "photo",
                    "channel": "zalo_oa",
                    "file_ref": f"https://f1.photo.talk.zdn.vn/{n}.jpg",
                    "added_at": start + nstep * n,
                    "added_by": n % sizes.members + 1,
                    "fetched_at": start + nstep * n,
                }
                for n in numbers
            ],
        )
    astep = timedelta(days=1095) / sizes.audits  # three years: the oldest third goes
    for offset in range(0, sizes.audits, CHUNK):
        await _insert(
            db,
            audit_log,
            [
                {
                    "at": NOW - timedelta(days=1095) + astep * n,
                    "actor_id": n % sizes.members + 1,
                    "action": "nomination.submitted",
                    "object_type": "nomination",
                    "object_id": n % sizes.nominations + 1,
                    "detail": {"code": f"GS-2027-{n:06d}"},
                }
                for n in range(offset, min(offset + CHUNK, sizes.audits))
            ],
        )
    hours = 24 * 365
    await _insert(
        db,
        job_runs,
        [
            {
                "key": f"sla_reminders:{(start + timedelta(hours=h)).isoformat()}",
                "job": "sla_reminders",
                "claimed_at": start + timedelta(hours=h),
                "finished_at": start + timedelta(hours=h),
                "result": {"queued": 0},
            }
            for h in range(hours)
        ],
    )


def _message(table: Any, n: int, at: datetime, sizes: Sizes) -> dict[str, Any]:
    member = n % sizes.members
    chat = f"{10**18 + member}"
    if table is inbox:
        payload = {
            "channel": "zalo_oa",
            "external_id": f"m{n}",
            "sender_id": chat,
            "chat_id": chat,
            "kind": "text",
            "text": TEXT,
            "received_at": at.isoformat(),
        }
        return {
            "channel": "zalo_oa",
            "external_id": f"m{n}",
            "sender_id": chat,
            "payload": payload,
            "received_at": at,
            "status": "done",
            "handled_at": at,
        }
    return {
        "channel": "zalo_oa",
        "chat_id": chat,
        "identity_id": member + 1,
        "priority": 0,
        "payload": {"text": TEXT, "choices": []},
        "dedupe_key": f"reply:{n}:0",
        "status": "sent",
        "attempts": 1,
        "next_attempt_at": at,
        "created_at": at,
        "sent_at": at,
    }


def _nomination(n: int, at: datetime, sizes: Sizes, unit: int) -> dict[str, Any]:
    return {
        "id": n + 1,
        "code": f"GS-2027-{n + 1:06d}",
        "reporter_id": n % sizes.members + 1,
        "unit_id": unit,
        "kind": "individual",
        "nominee_name": f"Người được đề cử {n}",
        "nominee_key": f"nguoi duoc de cu {n}",
        "place": "Thôn 3, xã An Bình",
        "field": "good_deed",
        "achievement": TEXT,
        "consent_public": False,
        "status": "rejected" if n % 10 == 0 else "approved",
        "submitted_at": at,
        "updated_at": at,
    }


async def _insert(db: Database, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for offset in range(0, len(rows), CHUNK):
        async with db.write() as conn:
            await conn.execute(table.insert(), list(rows[offset : offset + CHUNK]))


@dataclass
class Figures:
    """What one purge run measured."""

    label: str
    seconds: float
    rows: int
    batches: int
    hold_max_ms: float
    hold_median_ms: float
    holds_over: int
    by_rule: list[tuple[str, Hold]] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    erase_ms: float | None = None
    vacuum_s: float | None = None
    file_mb: float | None = None


async def reply_like(db: Database, n: int) -> None:
    """What a conversation step writes: touch the account, queue a reply."""
    async with db.write() as conn:
        await conn.execute(
            update(identities).where(identities.c.id == n % 1000 + 1).values(last_inbound_at=NOW)
        )
        await outbox.enqueue(
            conn,
            [
                outbox.NewMessage(
                    channel="zalo_oa",
                    chat_id=f"{10**18 + n % 1000}",
                    identity_id=n % 1000 + 1,
                    payload={"text": "Bạn muốn làm gì tiếp?"},
                    dedupe_key=f"probe:{time.time_ns()}:{n}",
                )
            ],
            NOW,
        )


async def probe(db: Database, stop: asyncio.Event) -> list[float]:
    """A reply due every PROBE_EVERY until told to stop; how late each one committed,
    counted from when it was due: waiting for the write lock and for an event loop held by
    a SQLite statement both show."""
    PROBING.set(True)
    loop = asyncio.get_running_loop()
    found = []
    n = 0
    due = loop.time()
    while not stop.is_set():
        await reply_like(db, n)
        found.append(loop.time() - due)
        n += 1
        due += PROBE_EVERY
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        else:
            due = loop.time()  # late: the next one is due now, not in the past
    return found


async def measure(label: str, url: str, sizes: Sizes, *, secure: bool, extras: bool) -> Figures:
    """Seed a year, then purge it once while replies are probed."""
    db = TimedDatabase(url)
    if not secure:
        secure_delete_off(db)
    folder = Path(tempfile.mkdtemp(prefix="gs-bench-purge-"))
    config = CoreConfig(media=FolderMedia(folder / "media"))
    try:
        started = time.perf_counter()
        await seed(db, sizes)
        print(f"  {label}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
        stop = asyncio.Event()
        baseline_task = asyncio.create_task(probe(db, stop))
        await asyncio.sleep(2.0)
        stop.set()
        baseline = await baseline_task
        stop = asyncio.Event()
        replies = asyncio.create_task(probe(db, stop))
        db.timing = True
        gc.callbacks.append(GC)
        started = time.perf_counter()
        result = await purge(BatchContext(db=db, now=NOW, config=config), on_batch=db.tag)
        seconds = time.perf_counter() - started
        # Others' work on a shared machine shows as long holds too: say how busy it was.
        print(
            f"  {label}: purged in {seconds:.0f} s, load average "
            + " ".join(f"{v:.2f}" for v in os.getloadavg()),
            flush=True,
        )
        db.timing = False
        gc.callbacks.remove(GC)
        stop.set()
        during = await replies
        holds = [h.seconds for h in db.holds]
        figures = Figures(
            label=label,
            seconds=seconds,
            rows=sum(result.values()),
            batches=len(holds),
            hold_max_ms=max(holds) * 1000,
            hold_median_ms=statistics.median(holds) * 1000,
            holds_over=sum(1 for h in holds if h * 1000 > BAR_MS),
            by_rule=list(zip(db.rules, db.holds, strict=False)),
            reply_ms=[d * 1000 for d in during],
            baseline_ms=[d * 1000 for d in baseline],
        )
        if extras:
            figures.erase_ms = await erase_one(db)
            if db.is_sqlite:
                path = Path(str(make_url(url).database))
                figures.file_mb = path.stat().st_size / 2**20
                started = time.perf_counter()
                await db.vacuum()
                figures.vacuum_s = time.perf_counter() - started
        return figures
    finally:
        await db.close()
        shutil.rmtree(folder, ignore_errors=True)


async def erase_one(db: Database) -> float:
    """One member's erasure (after the purge), as the step's transaction would hold it."""
    started = time.perf_counter()
    async with db.write() as conn:
        await erasure.erase_member(
            conn, 17, NOW, placeholder="(người đề cử đã xoá dữ liệu)", needles=["Thành viên 16"]
        )
    return (time.perf_counter() - started) * 1000


def report(rows: Sequence[Figures]) -> None:
    """The table of figures."""
    print()
    print(
        f"{'run':<28} {'purge s':>8} {'rows':>9} {'batches':>8} {'hold max':>9} "
        f"{'hold p50':>9} {'>50ms':>6} {'reply p50':>10} {'p99':>7} {'max':>7} {'>50ms':>6} "
        f"{'base p50':>9} {'ratio':>6}"
    )
    for f in rows:
        p50 = statistics.median(f.reply_ms) if f.reply_ms else float("nan")
        late = sum(1 for r in f.reply_ms if r > BAR_MS)
        base = statistics.median(f.baseline_ms) if f.baseline_ms else float("nan")
        print(
            f"{f.label:<28} {f.seconds:>8.1f} {f.rows:>9} {f.batches:>8} "
            f"{f.hold_max_ms:>7.1f}ms {f.hold_median_ms:>7.1f}ms {f.holds_over:>6} {p50:>8.2f}ms "
            f"{percentile(f.reply_ms, 99):>5.1f}ms {max(f.reply_ms or [0]):>5.1f}ms "
            f"{late:>6} {base:>7.2f}ms {p50 / base if base else float('nan'):>6.2f}"
        )
    for f in rows:
        rules(f)
    for f in rows:
        if f.erase_ms is not None:
            print(f"{f.label}: one member's erasure after the purge {f.erase_ms:.1f} ms")
        if f.vacuum_s is not None:
            print(
                f"{f.label}: VACUUM of the year's file ({f.file_mb or 0:.0f} MiB) "
                f"{f.vacuum_s:.1f} s (write lock held)"
            )


def rules(f: Figures) -> None:
    """Per rule: its batches, median and longest hold, how many past the bar, and its
    slowest batches (by their number within the rule: the first one of a rule, or a late
    one of a query that grows, tell different causes), each with what its commit and the
    garbage collector took of it."""
    print(f"\n{f.label}: batches by rule (slowest: #batch in rule total/commit/gc ms)")
    print(f"  {'rule':<28} {'batches':>8} {'hold p50':>9} {'hold max':>9} {'>50ms':>6}  slowest")
    order: dict[str, list[tuple[int, Hold]]] = {}
    for rule, hold in f.by_rule:
        order.setdefault(rule, []).append((len(order.get(rule, [])) + 1, hold))
    for rule, batches in order.items():
        holds = [h.seconds * 1000 for _, h in batches]
        slowest = sorted(batches, key=lambda b: -b[1].seconds)[:3]
        print(
            f"  {rule:<28} {len(batches):>8} {statistics.median(holds):>7.1f}ms "
            f"{max(holds):>7.1f}ms {sum(1 for h in holds if h > BAR_MS):>6}  "
            + ", ".join(
                f"#{n} {h.seconds * 1000:.1f}/{h.commit * 1000:.1f}/{h.gc * 1000:.1f}"
                for n, h in slowest
            )
        )


async def bench(args: argparse.Namespace) -> None:
    """Every run, then the table."""
    sizes = QUICK if args.quick else FULL
    print(
        f"a year: {sizes.messages:,} inbox and outbox rows each, {sizes.nominations:,} "
        f"nominations, {sizes.members:,} members, {sizes.audits:,} audit entries"
    )
    rows: list[Figures] = []
    settle()  # as the served bot does once started
    with engines(args) as chosen:
        for name, databases in chosen:
            folder = Path(tempfile.mkdtemp(prefix="gs-bench-db-"))
            try:
                runs = (
                    [("secure_delete on", True)]
                    if name != "sqlite"
                    else [
                        ("secure_delete on", True),
                        ("secure_delete off", False),
                    ]
                )
                for what, secure in runs:
                    url = databases.new(folder)
                    label = f"{name}" + (f" ({what})" if name == "sqlite" else "")
                    rows.append(await measure(label, url, sizes, secure=secure, extras=secure))
                    databases.drop(url)
                    for leftover in folder.glob("*"):
                        leftover.unlink()
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    report(rows)


def main(argv: list[str] | None = None) -> int:
    """Parse and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.purge", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of a year's rows")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--database-url", help="a PostgreSQL server to use (else a throwaway)")
    asyncio.run(bench(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
