"""Calls for nominations (đợt phát động), as far as nominating needs them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from storage.db import Connection
from storage.rows import Campaign, Row
from storage.schema import campaigns, nominations, units


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


class CampaignDetail(Row):
    """A call with everything officials see and the scheduler needs."""

    id: int
    unit_id: int
    created_by: int
    title: str
    body: str
    fields: list[str]
    deadline_at: datetime
    status: str
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    reminder_days: list[int] | None
    reminders_done: list[int] | None
    photo: dict[str, Any] | None
    unit_path: str
    unit_name: str


def _detail_query() -> Select[Any]:
    return select(campaigns, units.c.path.label("unit_path"), units.c.name.label("unit_name")).join(
        units, units.c.id == campaigns.c.unit_id
    )


async def create_campaign(
    conn: Connection,
    *,
    unit_id: int,
    created_by: int,
    title: str,
    body: str,
    fields: list[str],
    deadline_at: datetime,
    reminder_days: list[int],
    photo: dict[str, Any] | None,
    now: datetime,
) -> CampaignDetail:
    """Store a call, open from now."""
    campaign_id = (
        await conn.execute(
            campaigns.insert()
            .values(
                unit_id=unit_id,
                created_by=created_by,
                title=title,
                body=body,
                fields=fields,
                deadline_at=deadline_at,
                status="open",
                created_at=now,
                opened_at=now,
                reminder_days=reminder_days,
                reminders_done=[],
                photo=photo,
            )
            .returning(campaigns.c.id)
        )
    ).scalar_one()
    detail = await get_detail(conn, campaign_id)
    assert detail is not None
    return detail


async def get_detail(conn: Connection, campaign_id: int) -> CampaignDetail | None:
    """A call with its unit."""
    row = (await conn.execute(_detail_query().where(campaigns.c.id == campaign_id))).first()
    return CampaignDetail.model_validate(row) if row else None


async def campaigns_in_scopes(
    conn: Connection, scope_paths: list[str], limit: int
) -> list[CampaignDetail]:
    """Calls of units inside these scopes, open ones first, then the newest."""
    if not scope_paths:
        return []
    condition = or_(*(units.c.path.startswith(p, autoescape=True) for p in scope_paths))
    rows = await conn.execute(
        _detail_query()
        .where(condition)
        .order_by((campaigns.c.status == "open").desc(), campaigns.c.id.desc())
        .limit(limit)
    )
    return [CampaignDetail.model_validate(r) for r in rows]


async def extend_deadline(conn: Connection, campaign_id: int, deadline_at: datetime) -> bool:
    """Move an open call's deadline; reminders not yet sent follow the new date."""
    result = await conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id, campaigns.c.status == "open")
        .values(deadline_at=deadline_at, reminders_done=[])
    )
    return result.rowcount == 1


async def close_campaign(conn: Connection, campaign_id: int, now: datetime) -> bool:
    """Close an open call; False when it was closed already (one summary per call)."""
    result = await conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id, campaigns.c.status == "open")
        .values(status="closed", closed_at=now)
    )
    return result.rowcount == 1


async def open_campaign_details(conn: Connection) -> list[CampaignDetail]:
    """Every open call (the scheduler closes and reminds them)."""
    rows = await conn.execute(
        _detail_query().where(campaigns.c.status == "open").order_by(campaigns.c.id)
    )
    return [CampaignDetail.model_validate(r) for r in rows]


async def set_reminders_done(conn: Connection, campaign_id: int, done: list[int]) -> None:
    """Record which reminders of a call went out."""
    await conn.execute(
        update(campaigns).where(campaigns.c.id == campaign_id).values(reminders_done=done)
    )


async def set_reminder_days(conn: Connection, campaign_id: int, days: list[int]) -> None:
    """Change a call's reminder days (days before the deadline); [] means none."""
    await conn.execute(
        update(campaigns).where(campaigns.c.id == campaign_id).values(reminder_days=days)
    )


async def reporters_in(conn: Connection, campaign_id: int) -> set[int]:
    """People who nominated at least once in a call."""
    rows = await conn.execute(
        select(nominations.c.reporter_id).where(nominations.c.campaign_id == campaign_id).distinct()
    )
    return {int(r[0]) for r in rows}


async def delete_campaign(conn: Connection, campaign_id: int) -> None:
    """Remove a call that never stood (its opening undone before anyone nominated in it)."""
    await conn.execute(campaigns.delete().where(campaigns.c.id == campaign_id))


async def nomination_counts(conn: Connection, campaign_ids: list[int]) -> dict[int, int]:
    """How many nominations each call received."""
    if not campaign_ids:
        return {}
    rows = await conn.execute(
        select(nominations.c.campaign_id, func.count())
        .where(nominations.c.campaign_id.in_(campaign_ids))
        .group_by(nominations.c.campaign_id)
    )
    return {int(c): int(n) for c, n in rows}
