"""Closing a call: one summary with figures and a chart to the official who opened it."""

from __future__ import annotations

from datetime import datetime

from handlers.config import CoreConfig
from handlers.localtime import deadline_date, quiet_until
from handlers.messages import t
from handlers.officials.fanout import send_to, target_of
from handlers.officials.figures import charts, collect, figures_text
from handlers.types import Reply
from storage import audit, campaigns
from storage.campaigns import CampaignDetail
from storage.db import Connection
from storage.units import get_unit


async def campaign_summary(
    conn: Connection, config: CoreConfig, campaign: CampaignDetail, channel: str
) -> Reply:
    """The figures of a call's nominations, with the chart by unit."""
    unit = await get_unit(conn, campaign.unit_id)
    assert unit is not None
    figures = await collect(conn, unit, campaign_id=campaign.id)
    heading = t(
        "officials.summary.heading",
        title=campaign.title,
        unit=unit.name,
        deadline=deadline_date(campaign.deadline_at, config),
    )
    media = await charts(config, figures, heading)
    return Reply(text=figures_text(figures, heading), media=media)


async def close_with_summary(
    conn: Connection,
    config: CoreConfig,
    now: datetime,
    campaign: CampaignDetail,
    *,
    closed_by: int | None,
) -> bool:
    """Close an open call and queue its summary; False when it was closed already."""
    if not await campaigns.close_campaign(conn, campaign.id, now):
        return False
    await audit.record(
        conn,
        at=now,
        actor_id=closed_by,
        action="campaign.closed",
        object_type="campaign",
        object_id=campaign.id,
        detail={"by": "official" if closed_by else "deadline"},
    )
    target = await target_of(conn, campaign.created_by)
    if target is not None:
        reply = await campaign_summary(conn, config, campaign, target.channel)
        # An automatic close at midnight waits for the morning; a manual one goes now.
        later = quiet_until(now, config) if closed_by is None else None
        await send_to(conn, now, target, reply, f"summary:call:{campaign.id}", later)
    return True
