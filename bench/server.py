"""The bot under load: the real Application served by uvicorn, in its own process.

Run by bench.conversation as `python -m bench.server --database-url URL --media DIR`. It prints
`READY <port>` once it listens, stops on SIGTERM or SIGINT, and then prints one JSON line of
its own resource use (CPU since READY). With `--profile FILE` the whole run is recorded
with cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import resource
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import event

from bot.app import Application
from bot.settings import Settings
from bot.web.server import server_config, settle


def peak_rss_kib() -> int:
    """This process's peak resident memory since exec (VmHWM).

    ru_maxrss would not do: Linux carries it over exec, so it may be the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Statements:
    """Counts the statements the bot sends to its database, by their SQL text."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def attach(self, app: Application) -> None:
        """Listen on every engine of the app's database (PostgreSQL has two pools)."""
        for sync, transactional in app.db.engines:
            event.listen(sync, "before_cursor_execute", self._count)
            if not transactional:
                continue  # its BEGIN and COMMIT are not sent: every statement commits itself
            event.listen(sync, "begin", lambda _conn: self._bump("BEGIN"))
            event.listen(sync, "commit", lambda _conn: self._bump("COMMIT"))

    def _bump(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._bump(" ".join(statement.split())[:160])


async def serve(database_url: str, media_dir: Path, statements: Path | None = None) -> None:
    """Start the app, serve until a signal, stop, and report."""
    # Every simulated phone comes from 127.0.0.1: the per-address limits would stop them.
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=media_dir,
        web_sessions_per_hour=10**9,
        web_guest_messages_per_hour=10**9,
        uploads_per_day=10**6,
        web_max_connections=10_000,
    )
    app = Application(settings)
    counter = Statements()
    if statements is not None:
        counter.attach(app)
    await app.start()
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP
    # (as uvicorn's own host/port sockets do); without it each response waits ~40 ms (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    # Same uvicorn settings as `python -m bot run` (bot/__main__.py), plus no access log and
    # a bound on shutdown: a web chat long poll can otherwise hold it for up to 25 s.
    config = server_config(
        app.http,
        host="127.0.0.1",
        port=0,
        max_connections=settings.web_max_connections,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    await server.startup(sockets=[sock])
    settle()  # as `python -m bot run` does once started
    # CPU from here on: what serving cost, without imports and start-up.
    ready = resource.getrusage(resource.RUSAGE_SELF)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    try:
        await server.main_loop()
        await server.shutdown(sockets=[sock])
    finally:
        await app.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "peak_rss_kib": peak_rss_kib(),
        "cpu_user": usage.ru_utime - ready.ru_utime,
        "cpu_sys": usage.ru_stime - ready.ru_stime,
    }
    if statements is not None:
        ranked = sorted(counter.counts.items(), key=lambda item: -item[1])
        statements.write_text("\n".join(f"{n}\t{sql}" for sql, n in ranked) + "\n")
    print(json.dumps(report), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the server, optionally under cProfile."""
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--media", type=Path, required=True)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--statements", type=Path, help="write statement counts there")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.profile is None:
        asyncio.run(serve(args.database_url, args.media, args.statements))
        return 0
    # CPU time, not wall time: a process preempted inside a syscall is not spending CPU.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        asyncio.run(serve(args.database_url, args.media, args.statements))
    finally:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
