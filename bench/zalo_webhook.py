"""Benchmark: a burst of signed Zalo OA webhook events against the real application.

Zalo wants every webhook answered within 2 s (channels.md A.1). This starts the fake Zalo OA,
the real Application on a fresh SQLite file, serves its HTTP app with uvicorn on 127.0.0.1,
fires a burst of signed `user_send_text` events at once and prints the answer times
(p50/p95/max). The bot handles and answers every event meanwhile (the runner and the outbox
compete for the same database), as it would in production.

    python -m bench.zalo_webhook [--events 200] [--users 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from storage.migrate import upgrade
from tests.fakes.zalo_oa import FakeZaloOA, zalo_signature
from tests.support.serve import serve
from tests.support.zalo import with_zalo


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def burst(
    fake: FakeZaloOA, client: httpx.AsyncClient, url: str, events: int, users: int, rnd: int
) -> list[float]:
    """POST `events` signed events at once; the answer time of each (all must be 200)."""
    bodies = []
    for n in range(events):
        event = fake.user_send_text(str((1 << 60) + rnd * users + n % users), f"tin {n}")
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        mac = zalo_signature(fake.app_id, body, event["timestamp"], fake.oa_secret_key)
        bodies.append((body, {"X-ZEvent-Signature": f"mac={mac}"}))

    async def post(body: bytes, headers: dict[str, str]) -> float:
        started = time.perf_counter()
        response = await client.post(url, content=body, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"answered {response.status_code}")
        return elapsed

    return list(await asyncio.gather(*(post(b, h) for b, h in bodies)))


async def main(events: int, users: int, rounds: int) -> None:
    """Run the rounds and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeZaloOA() as fake:
            base = Settings(
                _env_file=None,
                database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
                media_dir=Path(tmp) / "media",
            )
            settings = with_zalo(base, fake, None)
            await upgrade(settings.database_url)
            app = Application(settings)
            await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
            await app.start()
            try:
                async with serve(app.http) as served:
                    limits = httpx.Limits(max_connections=None, max_keepalive_connections=events)
                    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
                        for rnd in range(rounds):
                            times = await burst(
                                fake, client, served + "/zalo/oa/webhook", events, users, rnd
                            )
                            print(
                                f"round {rnd + 1}: {events} events from {users} people: "
                                f"p50 {statistics.median(times) * 1000:.0f} ms, "
                                f"p95 {percentile(times, 0.95) * 1000:.0f} ms, "
                                f"max {max(times) * 1000:.0f} ms "
                                f"({sum(t > 2 for t in times)} over 2 s)"
                            )
                            await app.settle()
                    assert app.zalo_oa is not None
                    print(f"webhook outcomes: {dict(app.zalo_oa.metrics)}")
                    print(f"replies sent by the fake OA: {len(fake.sent_messages())}")
            finally:
                await app.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.users, args.rounds))
