"""Members completing the nomination over the fake Bot API: our durable bot against a minimal
in-memory python-telegram-bot baseline (bench/ptb_baseline.py), side by side.

Each bot runs as its own process; the fake Bot API and the simulated members run here. Two
settings: the fake answering at once, and the fake adding 50 ms to every call. Medians of
--runs runs. Flood limits are off for both (the fake does not enforce them and the baseline
has no rate limiter), so the figures compare the pipelines, not the pacing.

    python -m bench.telegram [--members 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot import cli_ops
from storage import people
from storage.db import Database
from storage.migrate import upgrade
from storage.units import get_unit_by_code
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_types import RecordedCall
from tests.helpers_flow import ACHIEVEMENT

ROOT = Path(__file__).resolve().parents[1]
FIRST_USER = 900_000
# (what the member types, a fragment of the question that answers it)
STEPS = (
    ("/decu", "Bạn đề cử ai?"),
    ("1", "Họ và tên người được đề cử"),
    ("Nguyễn Thị Lan", "Năm sinh"),
    ("1968", "Nơi sinh sống"),
    ("Thôn 3, xã An Bình", "Lĩnh vực"),
    ("6", "Hãy kể thành tích"),
    (ACHIEVEMENT, "Gửi minh chứng"),
    ("bo qua", "Số điện thoại liên hệ"),
    ("bo qua", "công khai"),
    ("1", "Xem lại"),
    ("gui", "Đã gửi đề cử"),
)
SENDS = {"sendMessage", "sendPhoto", "sendDocument", "sendVideo"}


class WatchedFake(FakeTelegram):
    """The fake Bot API, telling the bench about every request as it completes."""

    listener: Callable[[RecordedCall, float], object] | None = None

    def _record(self, call: RecordedCall) -> None:
        super()._record(call)
        if self.listener is not None:
            self.listener(call, time.perf_counter())


@dataclass
class Result:
    """One run of one bot."""

    updates_per_second: float
    p50: float
    p95: float
    p99: float
    cpu_seconds: float
    peak_rss_mb: float


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def prepare_database(url: str, members: int) -> None:
    """Our bot's database with every member already joined (joining is not measured)."""
    await upgrade(url)
    db = Database(url)
    try:
        await cli_ops.import_units(db, cli_ops.DEMO_UNITS)
        stamp = datetime.now(UTC)
        async with db.write() as conn:
            unit = await get_unit_by_code(conn, "X-AN-BINH-HPN")
            assert unit is not None
            for n in range(members):
                person = await people.create_person(conn, f"Thành viên {n}", None, stamp)
                identity = await people.touch_identity(
                    conn, "telegram", str(FIRST_USER + n), f"M{n}", stamp
                )
                await people.link_identity(conn, identity.id, person.id)
                await people.add_membership(conn, person.id, unit.id, "member", stamp)
    finally:
        await db.close()


def launch(which: str, fake: FakeTelegram, workdir: Path) -> subprocess.Popen[bytes]:
    """Start one bot as a child process pointed at the fake."""
    env = {
        **os.environ,
        "PTB_TIMEDELTA": "true",
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
        "TELEGRAM_RATE_PER_SECOND": "0",
        "TELEGRAM_CHAT_RATE_PER_SECOND": "0",
        "TELEGRAM_POLL_TIMEOUT": "10",
        "DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}",
        "MEDIA_DIR": str(workdir / "media"),
        "WEB_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    module = ["-m", "bot", "run"] if which == "ours" else ["-m", "bench.ptb_baseline"]
    if os.environ.get("BENCH_PROFILE") == which:  # a cProfile dump of that bot, for hot spots
        module = ["-m", "cProfile", "-o", str(ROOT / f"bench-{which}.prof"), *module]
    log = (workdir / f"{which}.log").open("ab")
    return subprocess.Popen([sys.executable, *module], cwd=ROOT, env=env, stdout=log, stderr=log)


def free_port() -> int:
    """A free loopback port for the bot's HTTP server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def one_run(which: str, members: int, latency: float) -> Result:
    """Start a fresh fake and bot, let every member nominate, measure."""
    loop = asyncio.get_running_loop()
    waiting: dict[int, tuple[str, asyncio.Future[float]]] = {}

    def on_call(call: RecordedCall, at: float) -> None:
        if call.method not in SENDS or call.status != 200:
            return
        chat = int(call.params.get("chat_id", 0))
        text = str(call.params.get("text") or call.params.get("caption") or "")
        found = waiting.get(chat)
        if found is not None and found[0] in text and not found[1].done():
            found[1].set_result(at)

    fake = WatchedFake()
    with tempfile.TemporaryDirectory() as tmp, fake:
        workdir = Path(tmp)
        fake.listener = lambda call, at: loop.call_soon_threadsafe(on_call, call, at)
        for n in range(members):
            fake.add_user(FIRST_USER + n, f"M{n}")
        if which == "ours":
            await prepare_database(f"sqlite:///{workdir / 'bot.db'}", members)
        proc = launch(which, fake, workdir)
        try:
            await asyncio.to_thread(fake.wait_for, "getUpdates", 60.0)
            fake.set_latency(latency)
            cpu_before = cpu_of(proc.pid)
            latencies: list[float] = []

            async def member(n: int) -> None:
                chat = FIRST_USER + n
                for text, fragment in STEPS:
                    future: asyncio.Future[float] = loop.create_future()
                    waiting[chat] = (fragment, future)
                    sent = time.perf_counter()
                    fake.send_text(chat, text)
                    latencies.append(await asyncio.wait_for(future, 120) - sent)

            started = time.perf_counter()
            await asyncio.gather(*(member(n) for n in range(members)))
            elapsed = time.perf_counter() - started
            cpu = cpu_of(proc.pid) - cpu_before
            rss = peak_rss_mb(proc.pid)
        finally:
            # SIGINT lets a profiled bot write its dump (uvicorn re-raises SIGTERM at exit).
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    cuts = statistics.quantiles(latencies, n=100)
    return Result(
        updates_per_second=len(latencies) / elapsed,
        p50=cuts[49] * 1000,
        p95=cuts[94] * 1000,
        p99=cuts[98] * 1000,
        cpu_seconds=cpu,
        peak_rss_mb=rss,
    )


def median(results: list[Result]) -> Result:
    """The median of each figure over the runs."""
    return Result(
        *(
            statistics.median(getattr(r, name) for r in results)
            for name in Result.__dataclass_fields__
        )
    )


def show(label: str, ours: Result, base: Result) -> None:
    print(f"\n== {label} ==")
    print(f"{'':18}{'ours (durable)':>16}{'PTB baseline':>16}{'ratio':>9}")
    rows = (
        ("updates/s", "updates_per_second", "{:.1f}"),
        ("latency p50 ms", "p50", "{:.1f}"),
        ("latency p95 ms", "p95", "{:.1f}"),
        ("latency p99 ms", "p99", "{:.1f}"),
        ("CPU seconds", "cpu_seconds", "{:.2f}"),
        ("peak RSS MB", "peak_rss_mb", "{:.1f}"),
    )
    for title, name, fmt in rows:
        mine, theirs = getattr(ours, name), getattr(base, name)
        ratio = mine / theirs if theirs else float("nan")
        print(f"{title:18}{fmt.format(mine):>16}{fmt.format(theirs):>16}{ratio:>8.2f}x")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    updates = args.members * len(STEPS)
    print(f"{args.members} members x {len(STEPS)} updates = {updates} updates per run, ", end="")
    print(f"medians of {args.runs} runs")
    for label, latency in (("fake answers at once", 0.0), ("fake adds 50 ms per call", 0.05)):
        results: dict[str, list[Result]] = {"ours": [], "baseline": []}
        for _ in range(args.runs):
            for which in ("ours", "baseline"):
                results[which].append(await one_run(which, args.members, latency))
        show(label, median(results["ours"]), median(results["baseline"]))


if __name__ == "__main__":
    asyncio.run(main())
