"""Benchmark: simulated members join and nominate through the web chat's HTTP routes.

The real Application runs in its own process behind uvicorn on 127.0.0.1 (as `python -m bot
run` does), on a fresh SQLite file or PostgreSQL database per run; this process plays the
members with httpx over loopback. Two loads:

  (a) paced: 200 members, each answering after a think time of 1–3 s (≈100 steps/s);
  (b) saturation: 50 members answering at once, no think time (every step still durable).

A member whose nomination is sent is replaced by a new member, so the load stays constant.
`--database postgres` runs on PostgreSQL: `--database-url` names a server (its user must be
allowed to create databases), or else a throwaway cluster is started as the tests do;
`--database both` runs each load on SQLite and then on PostgreSQL, side by side, and prints
the bot's CPU per step on each and their ratio.
Run: `python -m bench.conversation [--quick] [--seconds N] [--database sqlite|postgres|both]
[--profile DIR]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.member import SCRIPT, Member, Recorder
from bench.stats import HEADER, Row, format_row, latency_ms, median_row, tail_detail
from bot import cli_ops
from bot.settings import Settings
from storage.db import Database
from storage.schema import nominations
from tests.support.databases import Databases, PostgresDatabases, SqliteDatabases
from tests.support.postgres import Cluster

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Load:
    """One load shape."""

    label: str
    members: int
    think: tuple[float, float] | None
    seconds: float


@dataclass
class Server:
    """The bot's process and where it listens."""

    process: asyncio.subprocess.Process
    base_url: str


async def prepare(folder: Path, url: str) -> str:
    """The demo units and one invite for every member, in a migrated database."""
    settings = Settings(_env_file=None, database_url=url, media_dir=folder / "media")
    db = Database(settings.database_url)
    try:
        await cli_ops.import_units(db, cli_ops.DEMO_UNITS)
        created = await cli_ops.create_invite(
            db, settings, "X-AN-BINH-HPN", "member", 1_000_000, 30, datetime.now(UTC)
        )
    finally:
        await db.close()
    return created.code


async def start_server(
    folder: Path, url: str, profile: Path | None, statements: Path | None = None
) -> Server:
    """Start `python -m bench.server` and wait for its READY line."""
    command = [sys.executable, "-m", "bench.server", "--database-url", url]
    command += ["--media", str(folder / "media")]
    if profile is not None:
        command += ["--profile", str(profile)]
    if statements is not None:
        command += ["--statements", str(statements)]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    if not line.startswith("READY "):
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise RuntimeError(f"the bot did not start: {line!r}")
    return Server(process, f"http://127.0.0.1:{int(line.split()[1])}")


async def stop_server(server: Server) -> dict[str, Any]:
    """Stop the bot gracefully and read its resource report."""
    server.process.send_signal(signal.SIGTERM)
    assert server.process.stdout is not None
    output = await asyncio.wait_for(server.process.stdout.read(), 120)
    await server.process.wait()
    if server.process.returncode != 0:
        raise RuntimeError(f"the bot exited with {server.process.returncode}")
    report: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    return report


TLS = ssl.create_default_context()


async def worker(
    n: int,
    base_url: str,
    code: str,
    load: Load,
    recorder: Recorder,
    stop: float,
    seed: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """One seat: members one after another until the stop time (`transport`: how requests
    reach the bot, when not straight to `base_url`)."""
    rng = random.Random(seed * 1_000 + n)
    if load.think is not None:
        # Spread the first answers over one think time instead of a thundering start.
        await asyncio.sleep(rng.uniform(0, load.think[1]))
    # A client per seat, like a phone of its own: one shared pool of hundreds of
    # connections costs httpcore time linear in its size on every request. One TLS context
    # for all: building one per client (certificates loaded each time, ~15 ms) blocked this
    # process for seconds at the start and showed up as the bot's latency.
    headers = {"origin": base_url}
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, verify=TLS, headers=headers, transport=transport
    ) as client:
        generation = 0
        while time.monotonic() < stop:
            client.cookies.clear()  # a new member is a new browser: a session of its own
            member = Member(client, f"b{n}-{generation}", code)
            await member.run(recorder, rng, load.think, stop)
            generation += 1


async def count_nominations(url: str) -> int:
    """Nominations stored: every sent one must be there."""
    db = Database(url)
    try:
        async with db.read() as conn:
            return int((await conn.execute(select(func.count()).select_from(nominations))).one()[0])
    finally:
        await db.close()


@dataclass(frozen=True)
class Probes:
    """Where the bot's cProfile file and its statement counts go (None: not recorded)."""

    profile: Path | None = None
    statements: Path | None = None


async def run_load(load: Load, label: str, seed: int, probes: Probes, databases: Databases) -> Row:
    """Run one load against a fresh bot and database; return its figures."""
    with tempfile.TemporaryDirectory(prefix="gs-bench-") as tmp:
        folder = Path(tmp)
        url = databases.new(folder)
        try:
            return await _run_load(load, label, seed, probes, folder, url)
        finally:
            databases.drop(url)


async def _run_load(
    load: Load, label: str, seed: int, probes: Probes, folder: Path, url: str
) -> Row:
    code = await prepare(folder, url)
    server = await start_server(folder, url, probes.profile, probes.statements)
    recorder = Recorder()
    cpu_before = time.process_time()
    try:
        began = time.monotonic()
        stop = began + load.seconds
        await asyncio.gather(
            *(
                worker(n, server.base_url, code, load, recorder, stop, seed)
                for n in range(load.members)
            )
        )
        ended = time.monotonic()
    finally:
        report = await stop_server(server)
    client_cpu = time.process_time() - cpu_before
    return await figures(label, load, url, recorder, (began, stop, ended), [report], client_cpu)


async def figures(
    label: str,
    load: Load,
    url: str,
    recorder: Recorder,
    times: tuple[float, float, float],
    reports: list[dict[str, Any]],
    client_cpu: float,
) -> Row:
    """A run's row: `times` are its start, stop and end; `reports` the bots' own (CPU summed
    over several instances, the largest peak memory)."""
    began, stop, ended = times
    stored = await count_nominations(url)
    if stored != recorder.completed_members:
        recorder.errors.append(f"{stored} nominations stored, {recorder.completed_members} sent")
    for error in recorder.errors[:5]:
        print(f"  error: {error}", file=sys.stderr)
    print(tail_detail(recorder.samples, began), flush=True)
    user = sum(float(r["cpu_user"]) for r in reports)
    kernel = sum(float(r["cpu_sys"]) for r in reports)
    # Kernel time is mostly the sockets (HTTP, and the database on PostgreSQL).
    print(f"  bots' CPU: user {user:.1f} s, kernel {kernel:.1f} s", flush=True)
    # Throughput counts the steps answered inside the window only.
    in_window = [s for s in recorder.samples if s.finished_at <= stop]
    return Row(
        label=label,
        seconds=ended - began,
        members_done=recorder.completed_members,
        steps=len(recorder.samples),
        steps_per_s=len(in_window) / load.seconds,
        commit_ms=latency_ms([s.committed for s in recorder.samples]),
        read_ms=latency_ms([s.readable for s in recorder.samples]),
        errors=len(recorder.errors),
        server_cpu_s=sum(float(r["cpu_user"]) + float(r["cpu_sys"]) for r in reports),
        server_rss_mib=max(float(r["peak_rss_kib"]) for r in reports) / 1024,
        client_cpu_s=client_cpu,
        client_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.conversation", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 s paced, 5 s saturation runs")
    parser.add_argument("--seconds", type=float, help="length of the paced load (default 60)")
    parser.add_argument(
        "--saturation-seconds", type=float, help="length of each saturation run (default 20)"
    )
    parser.add_argument("--members", type=int, default=200, help="members of the paced load")
    parser.add_argument("--concurrent", type=int, default=50, help="members of the saturation")
    parser.add_argument("--runs", type=int, default=3, help="saturation runs (median shown)")
    parser.add_argument("--only", choices=("a", "b"), help="run one load only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres", "both"),
        default="sqlite",
        help="the engine (both: each load on SQLite then PostgreSQL, with the CPU ratio)",
    )
    parser.add_argument("--database-url", help="a PostgreSQL server to use (else a throwaway)")
    parser.add_argument("--profile", type=Path, help="folder for cProfile files of the bot")
    parser.add_argument(
        "--statements", type=Path, help="folder for the bot's statement counts (SQL text)"
    )
    return parser.parse_args(argv)


@contextmanager
def engines(args: argparse.Namespace) -> Iterator[list[tuple[str, Databases]]]:
    """The engines to run on, each giving a fresh migrated database per run."""
    with tempfile.TemporaryDirectory(prefix="gs-bench-template-") as tmp:
        chosen: list[tuple[str, Databases]] = []
        if args.database in ("sqlite", "both"):
            chosen.append(("sqlite", SqliteDatabases(Path(tmp))))
        if args.database == "sqlite":
            yield chosen
            return
        cluster = None if args.database_url else Cluster.start()
        server = args.database_url or (cluster.url() if cluster else "")
        postgres = PostgresDatabases(server)
        try:
            yield [*chosen, ("postgresql", postgres)]
        finally:
            postgres.close()
            if cluster is not None:
                cluster.stop()


def statements_per_step(files: Sequence[Path], row: Row) -> str:
    """A line: statements (and BEGIN, COMMIT) the bot sent per answered step (the sum over
    the instances' count files)."""
    total = begins = commits = 0
    lines = [line for counts in files for line in counts.read_text().splitlines()]
    for line in lines:
        number, _, sql = line.partition("\t")
        if sql == "BEGIN":
            begins += int(number)
        elif sql.startswith("BEGIN "):
            continue  # SQLite's own BEGIN statement, counted as BEGIN
        elif sql == "COMMIT":
            commits += int(number)
        else:
            total += int(number)
    steps = max(1, row.steps)
    return (
        f"  statements per step {total / steps:.1f}, BEGIN {begins / steps:.1f},"
        f" COMMIT {commits / steps:.1f} (counts by SQL text: {', '.join(map(str, files))})"
    )


def cpu_ms_per_step(row: Row) -> float:
    """The bot's CPU time per answered step."""
    return 1000 * row.server_cpu_s / max(1, row.steps)


async def bench(args: argparse.Namespace) -> None:
    """Both loads, on each engine asked for, printed as one table."""
    paced = Load("a", args.members, (1.0, 3.0), args.seconds or (10.0 if args.quick else 60.0))
    saturated = Load(
        "b", args.concurrent, None, args.saturation_seconds or (5.0 if args.quick else 20.0)
    )
    for folder in (args.profile, args.statements):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    with engines(args) as chosen:
        print(f"{len(SCRIPT)} steps a member (join + nomination with one photo)")
        # Other work on the machine skews every figure: show how busy it was.
        print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(HEADER)
        cpu: dict[tuple[str, str], list[float]] = {}
        loads = [(paced, 1)] if args.only in (None, "a") else []
        loads += [(saturated, args.runs)] if args.only in (None, "b") else []
        for load, runs in loads:
            rows: dict[str, list[Row]] = {name: [] for name, _ in chosen}
            for run in range(1, runs + 1):
                # Engines side by side within each run: both meet the same machine load.
                for name, databases in chosen:
                    label = f"({load.label}) {load.members} "
                    label += "think 1-3s" if load.think else "no think"
                    label += f" {name}" + (f" #{run}" if runs > 1 else "")
                    stem = f"{load.label}{run}-{name}"
                    probes = Probes(
                        args.profile / f"{stem}.prof" if args.profile else None,
                        args.statements / f"{stem}.sql.txt" if args.statements else None,
                    )
                    row = await run_load(load, label, args.seed + run, probes, databases)
                    rows[name].append(row)
                    if probes.statements is not None:
                        print(statements_per_step([probes.statements], row), flush=True)
                    cpu.setdefault((load.label, name), []).append(cpu_ms_per_step(row))
                    print(format_row(row), flush=True)
            if runs > 1:
                for name, engine_rows in rows.items():
                    label = f"({load.label}) median of {runs} {name}"
                    print(format_row(median_row(label, engine_rows)))
        print("\nbot CPU per step, ms (median over runs):")
        for load, _ in loads:
            figures = {name: statistics.median(cpu[(load.label, name)]) for name, _ in chosen}
            line = "  ".join(f"{name} {ms:.2f}" for name, ms in figures.items())
            if len(figures) == 2:
                line += f"  ratio postgresql/sqlite {figures['postgresql'] / figures['sqlite']:.2f}"
            print(f"  ({load.label}) {line}")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    asyncio.run(bench(parse(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
