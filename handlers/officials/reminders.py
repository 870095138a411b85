"""The calls' clock: close calls at their deadline, remind members who have not nominated."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from handlers import templates
from handlers.config import CoreConfig
from handlers.localtime import deadline_date, in_quiet_hours
from handlers.messages import t
from handlers.officials.fanout import fan_out
from handlers.officials.summary import close_with_summary
from storage import campaigns
from storage.campaigns import CampaignDetail
from storage.db import Connection
from storage.units import get_unit


async def campaign_tick(conn: Connection, config: CoreConfig, now: datetime) -> dict[str, int]:
    """Close calls past their deadline (with a summary); queue due reminders outside quiet
    hours (a reminder due at night goes out with the first tick of the morning)."""
    stats = {"closed": 0, "reminders": 0}
    quiet = in_quiet_hours(now, config)
    for campaign in await campaigns.open_campaign_details(conn):
        if campaign.deadline_at <= now:
            closed = await close_with_summary(conn, config, now, campaign, closed_by=None)
            stats["closed"] += int(closed)
        elif not quiet:
            stats["reminders"] += await remind(conn, config, now, campaign)
    return stats


async def remind(
    conn: Connection, config: CoreConfig, now: datetime, campaign: CampaignDetail
) -> int:
    """Send the call's due reminder to members in scope who have not nominated in it.

    When several are due at once (downtime), only the nearest to the deadline goes out; a
    reminder whose moment came before the call opened is dropped (the call itself is news).
    """
    chosen = campaign.reminder_days
    days = sorted(set(config.reminder_days if chosen is None else chosen), reverse=True)
    done = set(campaign.reminders_done or [])
    due = [d for d in days if d not in done and now >= campaign.deadline_at - timedelta(days=d)]
    if not due:
        return 0
    await campaigns.set_reminders_done(conn, campaign.id, sorted(done | set(due)))
    nearest = min(due)
    opened = campaign.opened_at or campaign.created_at
    if campaign.deadline_at - timedelta(days=nearest) < opened:
        return 0
    unit = await get_unit(conn, campaign.unit_id)
    assert unit is not None
    text = t(
        "officials.reminder",
        title=campaign.title,
        # The days really left (a reminder added late says so honestly).
        days=max(1, math.ceil((campaign.deadline_at - now) / timedelta(days=1))),
        deadline=deadline_date(campaign.deadline_at, config),
        button=t("officials.campaign.button"),
    )
    stamp = int(campaign.deadline_at.timestamp())
    sent = await fan_out(
        conn,
        config,
        now,
        kind="reminder",
        batch=f"remind:{campaign.id}:{nearest}d:{stamp}",
        created_by=campaign.created_by,
        unit=unit,
        text=text,
        label=campaign.title,
        options=[(f"!call.{campaign.id}", t("officials.campaign.button"))],
        exclude=await campaigns.reporters_in(conn, campaign.id),
        report=False,
        key=lambda person_id: f"remind:{campaign.id}:{nearest}d:{person_id}",
        template=templates.fill(
            "deadline_reminder",
            unit.id,
            title=campaign.title,
            unit=unit.name,
            deadline=deadline_date(campaign.deadline_at, config),
            days_left=max(1, math.ceil((campaign.deadline_at - now) / timedelta(days=1))),
        ),
    )
    return sent.total
