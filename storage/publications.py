"""Published exemplars: the honour pages, their cards and channel posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update

from storage import consent
from storage.db import Connection
from storage.rows import Nomination, Row
from storage.schema import nominations, nominee_consents, publications, units


class Publication(Row):
    """A published (or withdrawn) story; `unit_name` is the honouring unit's, where read."""

    id: int
    nomination_id: int
    slug: str
    title: str
    subtitle: str
    story: str
    photo: str | None
    card: str | None
    status: str
    published_by: int
    published_at: datetime
    withdrawn_at: datetime | None
    picture: str | None = None
    thumb: str | None = None
    unit_id: int | None = None
    unit_name: str | None = None


def _with_unit() -> Select[Any]:
    """Publications with the name of the unit that honours (the nomination's, for stories
    published before the unit was recorded)."""
    return (
        select(publications, units.c.name.label("unit_name"))
        .join(nominations, nominations.c.id == publications.c.nomination_id)
        .join(units, units.c.id == func.coalesce(publications.c.unit_id, nominations.c.unit_id))
    )


async def publishable_in_scopes(
    conn: Connection, scope_paths: list[str], limit: int
) -> list[Nomination]:
    """Approved nominations with a consent to publicise in force (recorded as evidence), not
    published now, in these scopes."""
    if not scope_paths:
        return []
    published = select(publications.c.nomination_id).where(publications.c.status == "published")
    consented = (
        select(nominee_consents.c.id)
        .where(
            nominee_consents.c.nomination_id == nominations.c.id,
            nominee_consents.c.withdrawn_at.is_(None),
        )
        .exists()
    )
    rows = await conn.execute(
        select(nominations, units.c.path)
        .join(units, units.c.id == nominations.c.unit_id)
        .where(
            nominations.c.status == "approved",
            consented,
            nominations.c.id.not_in(published),
        )
        .order_by(nominations.c.updated_at.desc())
    )
    found = [
        Nomination.model_validate(r) for r in rows if any(r.path.startswith(p) for p in scope_paths)
    ]
    return found[:limit]


async def published_in_scopes(
    conn: Connection, scope_paths: list[str], limit: int
) -> list[Publication]:
    """Published exemplars of these scopes, newest first."""
    if not scope_paths:
        return []
    rows = await conn.execute(
        select(publications, units.c.path)
        .join(nominations, nominations.c.id == publications.c.nomination_id)
        .join(units, units.c.id == nominations.c.unit_id)
        .where(publications.c.status == "published")
        .order_by(publications.c.published_at.desc())
    )
    found = [
        Publication.model_validate(r)
        for r in rows
        if any(r.path.startswith(p) for p in scope_paths)
    ]
    return found[:limit]


async def get_publication(conn: Connection, publication_id: int) -> Publication | None:
    """A publication by id."""
    row = (
        await conn.execute(select(publications).where(publications.c.id == publication_id))
    ).first()
    return Publication.model_validate(row) if row else None


async def by_slug(conn: Connection, slug: str) -> Publication | None:
    """A publication by its page's slug, with its honouring unit's name."""
    row = (await conn.execute(_with_unit().where(publications.c.slug == slug))).first()
    return Publication.model_validate(row) if row else None


async def all_published(conn: Connection, limit: int) -> list[Publication]:
    """Every published exemplar, newest first (the index page)."""
    rows = await conn.execute(
        _with_unit()
        .where(publications.c.status == "published")
        .order_by(publications.c.published_at.desc())
        .limit(limit)
    )
    return [Publication.model_validate(r) for r in rows]


async def publish(
    conn: Connection,
    *,
    nomination_id: int,
    slug: str,
    title: str,
    subtitle: str,
    story: str,
    photo: str | None,
    card: str | None,
    picture: str | None,
    thumb: str | None,
    unit_id: int,
    published_by: int,
    now: datetime,
) -> Publication:
    """Publish (or publish again after a withdrawal) a nomination's story."""
    values = {
        "picture": picture,
        "thumb": thumb,
        "unit_id": unit_id,
        "slug": slug,
        "title": title,
        "subtitle": subtitle,
        "story": story,
        "photo": photo,
        "card": card,
        "status": "published",
        "published_by": published_by,
        "published_at": now,
        "withdrawn_at": None,
    }
    result = await conn.execute(
        update(publications).where(publications.c.nomination_id == nomination_id).values(**values)
    )
    if result.rowcount == 0:
        await conn.execute(publications.insert().values(nomination_id=nomination_id, **values))
    row = (
        await conn.execute(
            select(publications).where(publications.c.nomination_id == nomination_id)
        )
    ).one()
    return Publication.model_validate(row)


async def withdraw(conn: Connection, publication_id: int, now: datetime) -> bool:
    """Take a publication down; False when it was not published."""
    result = await conn.execute(
        update(publications)
        .where(publications.c.id == publication_id, publications.c.status == "published")
        .values(status="withdrawn", withdrawn_at=now, card=None, picture=None, thumb=None)
    )
    return result.rowcount == 1


async def withdraw_consent(
    conn: Connection, nomination_id: int, now: datetime, by: int | None = None
) -> None:
    """The nominee no longer agrees to be publicised (their consent record says when)."""
    await consent.withdraw_nominee(conn, nomination_id, by, now)


async def delete_publication(conn: Connection, publication_id: int) -> None:
    """Remove a publication that never stood (undone within its window)."""
    await conn.execute(publications.delete().where(publications.c.id == publication_id))


async def publication_of(conn: Connection, nomination_id: int) -> Publication | None:
    """A nomination's publication (published or withdrawn), if it has one."""
    row = (
        await conn.execute(
            select(publications).where(publications.c.nomination_id == nomination_id)
        )
    ).first()
    return Publication.model_validate(row) if row else None
