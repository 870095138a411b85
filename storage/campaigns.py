"""Calls for nominations (đợt phát động), as far as nominating needs them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.db import Connection
from storage.rows import Campaign
from storage.schema import campaigns, units


async def open_campaigns_for(
    conn: Connection, unit_paths: list[str], now: datetime
) -> list[Campaign]:
    """Open calls whose scope contains one of these units (a call covers its unit's subtree)."""
    if not unit_paths:
        return []
    rows = await conn.execute(
        select(
            campaigns.c.id,
            campaigns.c.unit_id,
            campaigns.c.title,
            campaigns.c.deadline_at,
            campaigns.c.status,
            units.c.path,
        )
        .join(units, units.c.id == campaigns.c.unit_id)
        .where(campaigns.c.status == "open", campaigns.c.deadline_at > now)
        .order_by(campaigns.c.deadline_at)
    )
    return [
        Campaign.model_validate(r) for r in rows if any(p.startswith(r.path) for p in unit_paths)
    ]


async def get_campaign(conn: Connection, campaign_id: int) -> Campaign | None:
    """A call by id."""
    row = (await conn.execute(select(campaigns).where(campaigns.c.id == campaign_id))).first()
    return Campaign.model_validate(row) if row else None
