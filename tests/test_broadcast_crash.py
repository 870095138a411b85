"""Crash test: SIGKILL the bot at a random point of a 2,000-recipient broadcast, restart.

The bot runs as a child process (bench/crash_child.py) with a fake platform lane that
answers 5% 429 and 2% 5xx and has 1% blocked chats; every message the platform accepts is
written to the child's stdout, which the parent reads as the platform's own record.
Pass: every recipient ends sent, blocked or failed; every "sent" reached the platform; a
duplicate only for a row that was claimed (in flight) at the kill.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.fake_platform import FakePlatform
from bench.seed import seed_members
from bot import cli_ops
from handlers.config import CoreConfig
from handlers.officials.fanout import fan_out
from storage.db import Database
from storage.schema import outbox
from storage.units import get_unit_by_code

RECIPIENTS = 2000
ROOT = Path(__file__).resolve().parent.parent


async def _prepare(url: str) -> str:
    db = Database(url)
    try:
        await cli_ops.import_units(db, cli_ops.DEMO_UNITS)
        now = datetime.now(UTC)
        chats = await seed_members(db, "X-AN-BINH-HPN", RECIPIENTS, now, channel="tg")
        async with db.write() as conn:
            unit = await get_unit_by_code(conn, "X-AN-BINH-HPN")
            assert unit is not None
            # Quiet hours off: the test must not depend on the hour it runs at.
            config = CoreConfig(quiet_start=datetime.min.time(), quiet_end=datetime.min.time())
            sent = await fan_out(
                conn,
                config,
                now,
                kind="broadcast",
                batch="crash",
                created_by=int(chats[0].split("-")[1]),
                unit=unit,
                text="Thông báo thử",
                label="crash",
            )
        assert sent.total == RECIPIENTS
    finally:
        await db.close()
    return "crash"


async def _child(url: str, media: Path, seed: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.crash_child",
        url,
        str(media),
        "crash",
        str(seed),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def _rows(url: str) -> list[tuple[str, str, bool]]:
    db = Database(url)
    try:
        async with db.read() as conn:
            rows = await conn.execute(
                select(outbox.c.chat_id, outbox.c.status, outbox.c.claimed_until).where(
                    outbox.c.batch == "crash"
                )
            )
            return [(r.chat_id, r.status, r.claimed_until is not None) for r in rows]
    finally:
        await db.close()


@pytest.mark.parametrize("seed", [11, 23, 47])
async def test_sigkill_mid_broadcast_loses_nothing(
    tmp_path: Path, database_url: str, seed: int
) -> None:
    url = database_url
    await _prepare(url)
    kill_after = random.Random(seed).randint(100, RECIPIENTS - 200)

    first = await _child(url, tmp_path / "media", seed)
    assert first.stdout is not None
    received: list[str] = []
    while len(received) < kill_after:
        line = await asyncio.wait_for(first.stdout.readline(), 60)
        assert line, "the bot finished before the kill point"
        received.append(line.decode().strip())
    first.send_signal(signal.SIGKILL)
    received += [line.strip() for line in (await first.stdout.read()).decode().splitlines()]
    await first.wait()
    at_kill = await _rows(url)
    in_flight = {
        chat for chat, status, claimed in at_kill if claimed and status in ("queued", "retrying")
    }
    assert any(status in ("queued", "retrying") for _, status, _ in at_kill), "killed too late"

    second = await _child(url, tmp_path / "media", seed)
    out, _ = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == 0
    received += out.decode().split()

    final = await _rows(url)
    statuses = Counter(status for _, status, _ in final)
    assert len(final) == RECIPIENTS
    assert set(statuses) <= {"sent", "blocked", "failed"}, statuses
    copies = Counter(received)
    platform = FakePlatform(seed=seed, blocked_share=0.01)
    for chat, status, _ in final:
        if status == "sent":
            assert copies[chat] >= 1, f"{chat} marked sent but never reached the platform"
        if status == "blocked":
            assert platform.is_blocked(chat) and copies[chat] == 0
    duplicates = {chat: n for chat, n in copies.items() if n > 1}
    assert set(duplicates) <= in_flight
    assert sum(n - 1 for n in duplicates.values()) <= len(in_flight)
    print(
        f"seed {seed}: killed after {kill_after} accepted, {len(in_flight)} in flight, "
        f"{sum(n - 1 for n in duplicates.values())} duplicates, final {dict(statuses)}"
    )
