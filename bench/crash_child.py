"""The bot process of the crash test: python -m bench.crash_child DATABASE_URL MEDIA BATCH.

Runs the real Application with a fake platform lane (5% 429, 2% 5xx, 1% blocked chats)
that writes every accepted message's chat id to stdout, and exits once the batch is
settled. The parent kills it with SIGKILL at a random point and starts it again.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from bench.fake_platform import FakePlatform
from bot.app import Application
from bot.delivery import Lane
from bot.settings import Settings
from storage import outbox

# Short waits so that a test run takes seconds; the shape of the schedule is the real one.
BACKOFF = (timedelta(seconds=0.2), timedelta(seconds=0.4), timedelta(seconds=0.8))
HOLD = timedelta(seconds=2)


async def run(url: str, media: Path, batch: str, seed: int) -> None:
    """Start the bot with the fake lane; stop when nothing of the batch is pending."""
    settings = Settings(
        _env_file=None, database_url=url, media_dir=media, quiet_hours="00:00-00:00"
    )
    app = Application(settings)
    platform = FakePlatform(
        rate_limited=0.05,
        server_errors=0.02,
        blocked_share=0.01,
        retry_after=0.05,
        log_path=Path("/dev/stdout"),
        seed=seed,
    )
    app.delivery.lanes[platform.name] = Lane(
        platform, app.db, app.clock, backoff=BACKOFF, hold=HOLD
    )
    await app.start()
    try:
        await until_settled(app, batch)
    finally:
        await app.stop()
        await platform.stop()


async def until_settled(app: Application, batch: str) -> None:
    """Return once nothing of the batch is queued or waiting for a retry."""
    while True:
        async with app.db.read() as conn:
            counts = await outbox.counts_by_status(conn, batch)
        if not counts.get("queued") and not counts.get("retrying"):
            return
        app.delivery.kick()
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])))
