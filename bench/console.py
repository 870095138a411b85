"""The web console at provincial scale: the queue page with filters and the unit page.

    python -m bench.console [--database sqlite|postgres|both] [--requests N] [--keep DIR]

The digest benchmark's data (bench/digest.py: 3,000 units, 1,000 reviewers, 100,000
nominations), given fields and calls of their own, on SQLite and on PostgreSQL (a throwaway
cluster, as the test suite starts, or TEST_DATABASE_URL). Signed-in console browsers of a
province, a commune and an organisation reviewer open the pages through the whole ASGI app
(Guard, host check, session, authorisation, queries, template), one request at a time as a
person at a desk would. Beside them, the same app's cheapest answers as the baseline: the
sign-in landing page (no database) and a signed-in redirect (the session check alone).
Prints p50 / p95 / max per page and engine, and p95 against the bar (150 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text, update

from bench import digest
from bench.stats import percentile
from bot.app import Application
from bot.settings import Settings
from bot.web.server import settle
from handlers.flows.nominate import FIELDS
from storage.db import Database
from storage.migrate import upgrade
from storage.schema import campaigns, nominations
from tests.support.console import console_session
from tests.support.postgres import Cluster

BAR_MS = 150.0
CALLS = 6
ORIGIN = "http://127.0.0.1"


async def enrich(db: Database) -> None:
    """Fields spread over all seven, and six calls holding a fifth of the nominations."""
    async with db.write() as conn:
        for n, field in enumerate(FIELDS):
            await conn.execute(
                update(nominations).where(nominations.c.id % len(FIELDS) == n).values(field=field)
            )
        await conn.execute(
            campaigns.insert(),
            [
                {
                    "id": c,
                    "unit_id": 1,
                    "created_by": 1,
                    "title": f"Đợt phát động {c}",
                    "body": "Mời đề cử",
                    "fields": list(FIELDS),
                    "deadline_at": digest.NOW + timedelta(days=30),
                    "status": "open",
                    "created_at": digest.NOW - timedelta(days=60),
                    "opened_at": digest.NOW - timedelta(days=60),
                }
                for c in range(1, CALLS + 1)
            ],
        )
        for c in range(1, CALLS + 1):
            await conn.execute(
                update(nominations).where(nominations.c.id % (5 * CALLS) == c).values(campaign_id=c)
            )
        if not db.is_sqlite:
            # The generator wrote ids itself: move the sequences past them. VACUUM ANALYZE,
            # as autovacuum would after a load this size (statistics, and the visibility map
            # index-only scans need). SQLite keeps no statistics unless asked, and the bot
            # never asks: its plans must not depend on them.
            for table in ("units", "people", "nominations", "campaigns", "memberships"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if not db.is_sqlite:
        assert db.engine is not None
        async with db.engine.connect() as raw:
            await (await raw.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text("VACUUM ANALYZE")
            )


def pages(commune: int, organisation: int) -> dict[str, list[str]]:
    """Each measured page with the variants it is opened with (round robin)."""
    queue = "/console/nominations"
    first, last = (digest.NOW - timedelta(days=14)).date(), digest.NOW.date()
    return {
        "queue: waiting (default)": [queue, f"{queue}?page=2", f"{queue}?page=20"],
        "queue: with filters": [
            f"{queue}?status=approved&field=study",
            f"{queue}?status=all&unit={commune}",
            f"{queue}?status=all&campaign=3&order=newest",
            f"{queue}?status=all&from={first.isoformat()}&to={last.isoformat()}",
            f"{queue}?status=all&q=nguoi+duoc+de+cu+4567",
            f"{queue}?q=Người+được+đề+cử+4567",
            f"{queue}?status=submitted&unit={organisation}&field=good_deed",
            f"{queue}?status=all&page=50",
        ],
        "unit page": [
            "/console/units",
            f"/console/units?unit={commune}",
            "/console/units?campaign=2",
        ],
        "baseline: sign-in page (no db)": ["/console/signin"],
        "baseline: session check only": ["/console"],
    }


async def measure(app: Application, tokens: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """Seconds per request, by page and reviewer, in a shuffled but repeatable order."""
    async with app.db.read() as conn:
        first_commune = text("SELECT min(id) FROM units WHERE kind = 'commune'")
        commune = int((await conn.execute(first_commune)).scalar_one())
        organisation = int(
            (
                await conn.execute(text(f"SELECT min(id) FROM units WHERE parent_id = {commune}"))
            ).scalar_one()
        )
    timings: dict[str, list[float]] = {}
    transport = httpx.ASGITransport(app=app.http)
    rng = random.Random(17)
    for who, token in tokens.items():
        async with httpx.AsyncClient(
            transport=transport, base_url=ORIGIN, headers={"origin": ORIGIN}
        ) as client:
            client.cookies.set(app.console_sessions.cookie, token)
            plan = [
                (name, url)
                for name, urls in pages(commune, organisation).items()
                for url in urls * max(1, rounds // len(urls))
            ]
            rng.shuffle(plan)
            for name, url in plan:
                started = time.perf_counter()
                response = await client.get(url)
                elapsed = time.perf_counter() - started
                assert response.status_code in (200, 303), (url, response.status_code)
                timings.setdefault(f"{name} — {who}", []).append(elapsed)
                timings.setdefault(f"  {url} — {who}", []).append(elapsed)
    return timings


@contextlib.contextmanager
def sqlite_url(keep: Path | None) -> Iterator[str]:
    """A SQLite file for the run."""
    with tempfile.TemporaryDirectory(prefix="gs-console-") as folder:
        where = keep or Path(folder)
        yield f"sqlite+aiosqlite:///{where / 'console.db'}"


@contextlib.asynccontextmanager
async def postgres_url() -> AsyncIterator[str]:
    """A fresh database on TEST_DATABASE_URL's server, or in a throwaway cluster."""
    given = os.environ.get("TEST_DATABASE_URL")
    cluster = None if given else Cluster.start()
    server = given or (cluster.url() if cluster else "")
    name = f"gs_console_{secrets.token_hex(4)}"
    admin = Database(server)
    try:
        async with admin.engine.connect() as conn:  # type: ignore[union-attr]
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text(f'CREATE DATABASE "{name}"')
            )
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        async with admin.engine.connect() as conn:  # type: ignore[union-attr]
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        await admin.close()
        if cluster is not None:
            cluster.stop()


async def run_engine(url: str, media: Path, rounds: int) -> dict[str, list[float]]:
    """Build the data on one engine and measure the pages there."""
    await upgrade(url)
    db = Database(url)
    try:
        started = time.perf_counter()
        await digest.build(db)
        await enrich(db)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    finally:
        await db.close()
    settings = Settings(_env_file=None, database_url=url, media_dir=media)
    app = Application(settings, clock=lambda: digest.NOW)
    try:
        async with app.db.read() as conn:
            commune_reviewer = int(
                (
                    await conn.execute(
                        text(
                            "SELECT min(m.person_id) FROM memberships m JOIN units u "
                            "ON u.id = m.unit_id WHERE u.kind = 'commune'"
                        )
                    )
                ).scalar_one()
            )
        tokens = {
            "province reviewer": await console_session(app, 1),
            "commune reviewer": await console_session(app, commune_reviewer),
        }
        await measure(app, tokens, 3)  # warm caches and compiled statements
        settle()  # as the served bot does once started
        return await measure(app, tokens, rounds)
    finally:
        await app.db.close()


def report(engine: str, timings: dict[str, list[float]], detail: bool) -> None:
    """One table per engine: p50, p95, max in ms and p95 against the bar (and, with
    `detail`, each address's figures under its page)."""
    print(
        f"\n{engine}: {'page — reviewer':<62}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'p95/bar':>9}"
    )
    for name in sorted(timings, key=lambda n: (n.split(" — ")[-1], n.strip())):
        if name.startswith(" ") and not detail:
            continue
        values = timings[name]
        p50, p95 = statistics.median(values) * 1000, percentile(values, 95) * 1000
        print(
            f"{'':<{len(engine) + 2}}{name:<62}{len(values):>5}{p50:>9.1f}{p95:>9.1f}"
            f"{max(values) * 1000:>9.1f}{p95 / BAR_MS:>9.2f}"
        )


async def main(database: str, rounds: int, keep: Path | None, detail: bool) -> None:
    """Each engine asked for, one after the other."""
    engines = ["sqlite", "postgres"] if database == "both" else [database]
    with tempfile.TemporaryDirectory(prefix="gs-console-media-") as media:
        results: dict[str, dict[str, list[float]]] = {}
        for engine in engines:
            print(f"{engine}: building {digest.NOMINATIONS} nominations in {digest.UNITS} units")
            if engine == "sqlite":
                with sqlite_url(keep) as url:
                    results[engine] = await run_engine(url, Path(media), rounds)
            else:
                async with postgres_url() as url:
                    results[engine] = await run_engine(url, Path(media), rounds)
        for engine, timings in results.items():
            report(engine, timings, detail)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=60, help="requests per page and reviewer")
    parser.add_argument("--keep", type=Path, default=None, help="build the SQLite file here")
    parser.add_argument("--detail", action="store_true", help="figures of each address too")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.database, arguments.requests, arguments.keep, arguments.detail))
