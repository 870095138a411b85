"""Benchmark: two instances on one PostgreSQL database against one, side by side (issue 13).

Paced members (200, think time 1–3 s) join and nominate through the web chat, as in
bench/conversation.py. Each run gets a fresh database; in the first one instance serves
everybody, in the second two instances share the database and every member's requests
alternate between them (a load balancer without sticky sessions: a reply made on one
instance must reach the page polling the other through LISTEN/NOTIFY). The runs alternate
(one, two, one, two, …) so that both meet the same machine load. Printed per run and as
medians: steps/s, POST and readable latencies (p50/p95/p99/max), failed steps, the bots'
CPU per step (the sum over the instances) and its ratio two/one.

Run: `python -m bench.instances [--seconds 60] [--runs 3] [--members 200]
[--database-url URL] [--statements DIR] [--sticky]` (without a URL a throwaway PostgreSQL
cluster is started as the tests do; `--sticky`: each member stays on one instance, which
tells what alternating costs apart from what a second process costs).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.conversation import (
    TLS,
    Load,
    Server,
    cpu_ms_per_step,
    figures,
    prepare,
    start_server,
    statements_per_step,
    stop_server,
    worker,
)
from bench.member import Recorder
from bench.stats import HEADER, Row, format_row, median_row
from tests.support.databases import PostgresDatabases
from tests.support.postgres import Cluster


class Alternate(httpx.AsyncBaseTransport):
    """Sends each request to the next instance in turn (ports on 127.0.0.1)."""

    def __init__(self, ports: list[int]) -> None:
        self._ports = itertools.cycle(ports)
        # One TLS context for all seats, as bench.conversation's clients share: a context of
        # its own per seat cost ~15 ms of this process's CPU each and 160 MB for 200 seats.
        self._inner = httpx.AsyncHTTPTransport(verify=TLS)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the next instance; the Host and Origin headers stay the first one's."""
        request.url = request.url.copy_with(port=next(self._ports))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._inner.aclose()


async def run_instances(
    load: Load,
    label: str,
    seed: int,
    count: int,
    databases: PostgresDatabases,
    statements: list[Path] | None = None,
    sticky: bool = False,
) -> Row:
    """One run: `count` instances on a fresh database; its figures (`statements`: a count
    file for each instance; `sticky`: each member stays on one instance)."""
    with tempfile.TemporaryDirectory(prefix="gs-bench-inst-") as tmp:
        folder = Path(tmp)
        url = databases.new(folder)
        try:
            return await _run(load, label, seed, count, folder, url, statements, sticky)
        finally:
            databases.drop(url)


async def _run(
    load: Load,
    label: str,
    seed: int,
    count: int,
    folder: Path,
    url: str,
    statements: list[Path] | None,
    sticky: bool,
) -> Row:
    code = await prepare(folder, url)
    servers: list[Server] = []
    # One after another: the first migrates nothing (done) and stores the key's check value.
    for n in range(count):
        servers.append(await start_server(folder, url, None, statements[n] if statements else None))
    ports = [int(s.base_url.rsplit(":", 1)[1]) for s in servers]
    recorder = Recorder()
    cpu_before = time.process_time()
    reports = []
    try:
        began = time.monotonic()
        stop = began + load.seconds
        seats = []
        for n in range(load.members):
            # A transport per seat (a phone of its own), starting on instance n % count.
            order = ports[n % count :] + ports[: n % count]
            transport = Alternate(order[:1] if sticky else order) if count > 1 else None
            seats.append(
                worker(n, servers[0].base_url, code, load, recorder, stop, seed, transport)
            )
        await asyncio.gather(*seats)
        ended = time.monotonic()
    finally:
        for server in servers:
            reports.append(await stop_server(server))
    client_cpu = time.process_time() - cpu_before
    return await figures(label, load, url, recorder, (began, stop, ended), reports, client_cpu)


async def bench(args: argparse.Namespace) -> None:
    """Alternate one and two instances, `runs` times each; print rows and medians."""
    # Instances on one database must share SECRET_KEY (the second refuses another key).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    load = Load("a", args.members, (1.0, 3.0), args.seconds)
    cluster = None if args.database_url else Cluster.start()
    databases = PostgresDatabases(args.database_url or (cluster.url() if cluster else ""))
    try:
        print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(HEADER)
        rows: dict[int, list[Row]] = {1: [], 2: []}
        for run in range(1, args.runs + 1):
            for count in (1, 2):
                label = f"{count} inst. {args.members} #{run}"
                files = None
                if args.statements is not None:
                    args.statements.mkdir(parents=True, exist_ok=True)
                    files = [args.statements / f"{count}-{run}-{n}.sql.txt" for n in range(count)]
                row = await run_instances(
                    load, label, args.seed + run, count, databases, files, args.sticky
                )
                rows[count].append(row)
                if files is not None:
                    print(statements_per_step(files, row), flush=True)
                print(format_row(row), flush=True)
        medians = {c: median_row(f"median {c} inst.", r) for c, r in rows.items()}
        for row in medians.values():
            print(format_row(row))
        cpu = {c: statistics.median(cpu_ms_per_step(r) for r in rs) for c, rs in rows.items()}
        print(
            f"\nbot CPU per step, ms (median): one {cpu[1]:.2f}  two {cpu[2]:.2f}"
            f"  ratio two/one {cpu[2] / cpu[1]:.2f} (bar ≤ 1.2)"
        )
        print(
            f"readable p99, ms (median): one {medians[1].read_ms[2]:.1f}"
            f"  two {medians[2].read_ms[2]:.1f} (bar ≤ 50); failed steps:"
            f" one {sum(r.errors for r in rows[1])}  two {sum(r.errors for r in rows[2])}"
        )
    finally:
        databases.close()
        if cluster is not None:
            cluster.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.instances", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (medians shown)")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="a PostgreSQL server to use (else a throwaway)")
    parser.add_argument(
        "--statements", type=Path, help="folder for each bot's statement counts (SQL text)"
    )
    parser.add_argument(
        "--sticky",
        action="store_true",
        help="each member stays on one instance (a load balancer with sticky sessions)",
    )
    asyncio.run(bench(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
