"""Approved nominations as a unit proposes them upward for commendation (hồ sơ khen thưởng)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, select

from storage.db import Connection
from storage.rows import Row
from storage.schema import campaigns, commendations, nominations, units
from storage.scoping import Subtrees


class Proposal(Row):
    """One approved nomination, with what the proposal table shows of it."""

    id: int
    code: str
    kind: str
    nominee_name: str
    birth_year: int | None
    place: str
    field: str
    achievement: str
    unit_id: int
    unit_name: str
    unit_path: str
    submitted_at: datetime
    updated_at: datetime
    campaign_title: str | None
    commended: bool


async def approved(
    conn: Connection,
    scope: Subtrees,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    campaign_id: int | None = None,
    ids: Sequence[int] | None = None,
    limit: int = 500,
) -> list[Proposal]:
    """Approved nominations of a scope's units, decided in a period (the
    approval moved `updated_at`), of a call, or these ones; by unit, then by name."""
    where: list[ColumnElement[bool]] = [nominations.c.status == "approved"]
    inside = scope.condition(conn, nominations.c.unit_id)
    if inside is not None:
        where.append(inside)
    if since is not None:
        where.append(nominations.c.updated_at >= since)
    if until is not None:
        where.append(nominations.c.updated_at < until)
    if campaign_id is not None:
        where.append(nominations.c.campaign_id == campaign_id)
    if ids is not None:
        where.append(nominations.c.id.in_(list(ids)))
    commended = exists().where(commendations.c.nomination_id == nominations.c.id)
    rows = await conn.execute(
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.kind,
            nominations.c.nominee_name,
            nominations.c.birth_year,
            nominations.c.place,
            nominations.c.field,
            nominations.c.achievement,
            nominations.c.unit_id,
            units.c.name.label("unit_name"),
            units.c.path.label("unit_path"),
            nominations.c.submitted_at,
            nominations.c.updated_at,
            campaigns.c.title.label("campaign_title"),
            commended.label("commended"),
        )
        .join(units, units.c.id == nominations.c.unit_id)
        .outerjoin(campaigns, campaigns.c.id == nominations.c.campaign_id)
        .where(*where)
        .order_by(units.c.path, nominations.c.nominee_key, nominations.c.id)
        .limit(limit)
    )
    return [Proposal.model_validate(r) for r in rows]
