"""The weekly summary: each official gets the last seven days of their scope, with a chart."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from handlers.config import CoreConfig
from handlers.localtime import local_date, start_of_local_day
from handlers.messages import t
from handlers.officials.fanout import send_to, target_of
from handlers.officials.figures import charts, collect, figures_text
from handlers.roles import outermost
from handlers.types import Reply
from storage import bulk
from storage.db import Connection
from storage.units import get_unit

PERIOD = timedelta(days=7)


async def weekly_summaries(conn: Connection, config: CoreConfig, now: datetime) -> dict[str, int]:
    """On the configured weekday, queue each official's summary of the last 7 days."""
    local = now.astimezone(config.timezone)
    if config.summary_weekday < 0 or local.weekday() != config.summary_weekday:
        return {"sent": 0}
    until = start_of_local_day(now, config)
    since = until - PERIOD
    held: dict[int, dict[str, int]] = defaultdict(dict)
    for person_id, unit_id, path in await bulk.officials_with_units(conn):
        held[person_id].setdefault(path, unit_id)
    sent = 0
    for person_id, units in held.items():
        target = await target_of(conn, person_id)
        if target is None:
            continue
        # A role inside a scope the person already covers adds nothing.
        for unit_id in (units[path] for path in outermost(units)):
            unit = await get_unit(conn, unit_id)
            assert unit is not None
            figures = await collect(conn, unit, since=since, until=until)
            heading = t(
                "officials.weekly.heading",
                unit=unit.name,
                first=local_date(since, config),
                last=local_date(until - timedelta(seconds=1), config),
            )
            media = await charts(config, figures, heading)
            reply = Reply(text=figures_text(figures, heading), media=media)
            key = f"weekly:{local.date().isoformat()}:{person_id}:{unit_id}"
            await send_to(conn, now, target, reply, key)
            sent += 1
    return {"sent": sent}
