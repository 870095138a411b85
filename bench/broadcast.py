"""Broadcast benchmark: python -m bench.broadcast [--recipients N] [--limit R] [--part P].

1. limited: N recipients against a fake platform that enforces Telegram's limits (30/s
   overall, 1/s per chat, answering 429 beyond them); the lane is configured at R/s. Prints
   the achieved rate as a share of R and the 429 count, and the p95 latency of replies to
   members who chat during the broadcast (they are on the same platform and lane).
2. unlimited: N recipients, no limits anywhere: the outbox's own throughput.
3. zalo: N members on Zalo OA through the real adapter against the fake Zalo OA, split
   across the window / template by user id / by phone / unreachable, beside a baseline
   where all are inside the window (bench/broadcast_zalo.py).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.broadcast_zalo import drained, zalo
from bench.fake_platform import FakePlatform, Limits
from bench.seed import seed_members
from bot import cli_ops
from bot.app import Application
from bot.channels.base import Capabilities
from bot.delivery import Lane
from bot.settings import Settings
from handlers.officials.fanout import fan_out
from handlers.types import Inbound, InboundKind
from storage.migrate import upgrade
from storage.units import get_unit_by_code

CHATTERS = 50
CHAT_EVERY = 0.5


async def _app(folder: Path, platform: FakePlatform) -> Application:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'bench.db'}",
        media_dir=folder / "media",
        # Bench at midday: quiet hours never postpone the run.
        quiet_hours="00:00-00:00",
    )
    await upgrade(settings.database_url)
    app = Application(settings)
    await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
    app.delivery.lanes[platform.name] = Lane(platform, app.db, app.clock)
    return app


async def _broadcast(app: Application, unit_code: str, official: int) -> tuple[str, int]:
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, unit_code)
        assert unit is not None
        sent = await fan_out(
            conn,
            app.config,
            datetime.now(UTC),
            kind="broadcast",
            batch=f"bench:{uuid.uuid4().hex[:8]}",
            created_by=official,
            unit=unit,
            text="Thông báo thử nghiệm của Gương Sáng.",
            label="bench",
        )
    app.delivery.kick()
    return sent.batch, sent.total


async def _chatter(
    app: Application, platform: FakePlatform, chats: list[str], out: list[float]
) -> None:
    """Members writing to the bot during the broadcast; latency to the first reply."""
    pick = random.Random(3)
    while True:
        chat = pick.choice(chats)
        sent_at = time.monotonic()
        arrived = platform.waiters[chat] = asyncio.Event()
        inbound = Inbound(
            channel=platform.name,
            external_id=uuid.uuid4().hex,
            sender_id=chat,
            chat_id=chat,
            kind=InboundKind.TEXT,
            text="/trogiup",
            received_at=datetime.now(UTC),
        )
        await app.intake.accept(inbound)
        await arrived.wait()
        out.append(platform.arrivals[chat] - sent_at)
        await asyncio.sleep(max(0.0, CHAT_EVERY - (time.monotonic() - sent_at)))


async def limited(recipients: int, limit: float) -> None:
    """Telegram's limits enforced by the fake; the lane paced at `limit`."""
    platform = FakePlatform(
        capabilities=Capabilities(
            buttons=True,
            text_limit=4096,
            rate_per_second=limit,
            chat_rate_per_second=1.0,
            edits=True,
        ),
        limits=Limits(per_second=30.0, per_chat_interval=1.0),
    )
    with tempfile.TemporaryDirectory() as folder:
        app = await _app(Path(folder), platform)
        now = datetime.now(UTC)
        chats = await seed_members(app.db, "X-AN-BINH-HPN", recipients, now, channel="tg")
        chatters = await seed_members(app.db, "P-HOA-LAC-HPN", CHATTERS, now, channel="tg")
        await app.start()
        try:
            latencies: list[float] = []
            started = time.monotonic()
            batch, total = await _broadcast(app, "X-AN-BINH-HPN", int(chats[0].split("-")[1]))
            chatter = asyncio.create_task(_chatter(app, platform, chatters, latencies))
            counts = await drained(app, batch)
            elapsed = time.monotonic() - started
            chatter.cancel()
        finally:
            await app.stop()
    # Everything the lane delivered in the period: the broadcast, the replies to the members
    # chatting meanwhile and the progress reports share the one platform limit.
    achieved = platform.accepted / elapsed
    bulk_rate = counts.get("sent", 0) / elapsed
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else float("nan")
    print(f"limited: {total} recipients in {elapsed:.1f} s")
    share = 100 * achieved / limit
    print(f"  achieved {achieved:.2f} msg/s = {share:.1f}% of the configured {limit:g}/s")
    print(
        f"  of which the broadcast {bulk_rate:.2f} msg/s, replies and progress "
        f"{achieved - bulk_rate:.2f} msg/s"
    )
    print(f"  429 answers: {platform.throttled}; final counts {counts}")
    median = statistics.median(latencies) if latencies else float("nan")
    print(
        f"  replies to members chatting meanwhile: n={len(latencies)}, "
        f"p95 = {p95 * 1000:.0f} ms, median = {median * 1000:.0f} ms"
    )


async def unlimited(recipients: int) -> None:
    """No limits anywhere: how fast the outbox itself drains."""
    platform = FakePlatform(capabilities=Capabilities(buttons=True, text_limit=None, edits=True))
    with tempfile.TemporaryDirectory() as folder:
        app = await _app(Path(folder), platform)
        chats = await seed_members(
            app.db, "X-AN-BINH-HPN", recipients, datetime.now(UTC), channel="tg"
        )
        await app.start()
        try:
            started = time.monotonic()
            batch, total = await _broadcast(app, "X-AN-BINH-HPN", int(chats[0].split("-")[1]))
            queued = time.monotonic() - started
            counts = await drained(app, batch)
            elapsed = time.monotonic() - started
        finally:
            await app.stop()
    print(f"unlimited: {total} recipients queued in {queued:.2f} s, all settled in {elapsed:.2f} s")
    print(
        f"  outbox throughput {total / elapsed:.0f} msg/s "
        f"(sending only: {total / (elapsed - queued):.0f} msg/s); counts {counts}"
    )


def main() -> None:
    """Parse the arguments and run the chosen parts."""
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=25.0, help="the lane's configured msg/s")
    parser.add_argument("--part", choices=("limited", "unlimited", "zalo", "all"), default="all")
    parser.add_argument("--zalo-rate", type=float, default=100.0, help="ZALO_OA_RATE_PER_SECOND")
    parser.add_argument("--repeats", type=int, default=3, help="zalo: runs of each set-up")
    args = parser.parse_args()
    if args.part in ("unlimited", "all"):
        asyncio.run(unlimited(args.recipients))
    if args.part in ("limited", "all"):
        asyncio.run(limited(args.recipients, args.limit))
    if args.part in ("zalo", "all"):
        asyncio.run(zalo(args.recipients, args.zalo_rate, args.repeats))


if __name__ == "__main__":
    main()
