"""The bot process of the Zalo template crash test: python -m bench.zalo_crash_child BATCH.

Runs the real Application (settings from the environment, as `bot run` reads them) with
claims held 2 s instead of 60 (the shape of the schedule is the real one), says it is
running as `bot run` does, and exits once the batch is settled.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from bench.crash_child import until_settled
from bot.app import Application
from bot.delivery import Lane
from bot.settings import Settings

HOLD = timedelta(seconds=2)


async def run(batch: str) -> None:
    """Start the bot; stop when nothing of the batch is pending."""
    app = Application(Settings())
    assert app.zalo_oa is not None
    app.delivery.lanes[app.zalo_oa.name] = Lane(app.zalo_oa, app.db, app.clock, hold=HOLD)
    await app.start()
    print("Gương Sáng is running (crash child)", flush=True)
    try:
        await until_settled(app, batch)
    finally:
        await app.stop()


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1]))
