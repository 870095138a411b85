"""Read-only queries for officials' figures and exports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from storage.db import Connection
from storage.rows import Row
from storage.schema import campaigns, nominations, nominee_consents, people, units


class NominationLine(Row):
    """A nomination with its unit, call and reporter, as reports show it."""

    id: int
    code: str
    kind: str
    nominee_name: str
    birth_year: int | None
    place: str
    field: str
    achievement: str
    contact_phone: str | None
    consent_public: bool
    status: str
    submitted_at: datetime
    updated_at: datetime
    unit_id: int
    unit_path: str
    unit_name: str
    campaign_title: str | None
    reporter_name: str
    # The nominee's consent to publication in force: how it was obtained, and the guardian.
    consent_method: str | None = None
    consent_guardian: str | None = None


async def nominations_in_scope(
    conn: Connection,
    scope_path: str,
    *,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[NominationLine]:
    """Nominations of the units in a scope, optionally of one call or submitted in a period."""
    query = (
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.kind,
            nominations.c.nominee_name,
            nominations.c.birth_year,
            nominations.c.place,
            nominations.c.field,
            nominations.c.achievement,
            nominations.c.contact_phone,
            nominations.c.consent_public,
            nominations.c.status,
            nominations.c.submitted_at,
            nominations.c.updated_at,
            nominations.c.unit_id,
            units.c.path.label("unit_path"),
            units.c.name.label("unit_name"),
            campaigns.c.title.label("campaign_title"),
            people.c.full_name.label("reporter_name"),
            nominee_consents.c.method.label("consent_method"),
            nominee_consents.c.guardian.label("consent_guardian"),
        )
        .join(units, units.c.id == nominations.c.unit_id)
        .join(people, people.c.id == nominations.c.reporter_id)
        .outerjoin(campaigns, campaigns.c.id == nominations.c.campaign_id)
        .outerjoin(
            nominee_consents,
            (nominee_consents.c.nomination_id == nominations.c.id)
            & nominee_consents.c.withdrawn_at.is_(None),
        )
        .where(units.c.path.startswith(scope_path, autoescape=True))
        .order_by(nominations.c.id)
    )
    if campaign_id is not None:
        query = query.where(nominations.c.campaign_id == campaign_id)
    if since is not None:
        query = query.where(nominations.c.submitted_at >= since)
    if until is not None:
        query = query.where(nominations.c.submitted_at < until)
    return [NominationLine.model_validate(r) for r in await conn.execute(query)]


class Tally(Row):
    """How many nominations of one unit are in one status and one field."""

    unit_id: int
    unit_path: str
    unit_name: str
    status: str
    field: str
    count: int


def _scope_filters(
    scope_path: str,
    campaign_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    where = [units.c.path.startswith(scope_path, autoescape=True)]
    if campaign_id is not None:
        where.append(nominations.c.campaign_id == campaign_id)
    if since is not None:
        where.append(nominations.c.submitted_at >= since)
    if until is not None:
        where.append(nominations.c.submitted_at < until)
    return where


async def tally_in_scope(
    conn: Connection,
    scope_path: str,
    *,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Tally]:
    """A scope's nominations counted by unit, status and field (figures without the rows)."""
    rows = await conn.execute(
        select(
            nominations.c.unit_id,
            units.c.path.label("unit_path"),
            units.c.name.label("unit_name"),
            nominations.c.status,
            nominations.c.field,
            func.count().label("count"),
        )
        .join(units, units.c.id == nominations.c.unit_id)
        .where(*_scope_filters(scope_path, campaign_id, since, until))
        .group_by(
            nominations.c.unit_id,
            units.c.path,
            units.c.name,
            nominations.c.status,
            nominations.c.field,
        )
    )
    return [Tally.model_validate(r) for r in rows]


async def submitted_times(
    conn: Connection,
    scope_path: str,
    *,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[datetime]:
    """When each of a scope's nominations was submitted (figures over time)."""
    rows = await conn.execute(
        select(nominations.c.submitted_at)
        .join(units, units.c.id == nominations.c.unit_id)
        .where(*_scope_filters(scope_path, campaign_id, since, until))
    )
    return [r[0] for r in rows]
