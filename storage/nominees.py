"""Nominees as data subjects: finding them by name or phone, what is held about one,
correcting it (officials act for nominees, who are not users)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, or_, select, update

from storage.consent import NomineeConsent, nominee_consent_history
from storage.db import Connection
from storage.rows import Evidence, Nomination
from storage.schema import (
    commendations,
    evidence,
    nominations,
    people,
    publications,
    review_events,
    units,
)

# The fields an official may correct, with their column.
CORRECTABLE = {
    "nominee_name": nominations.c.nominee_name,
    "birth_year": nominations.c.birth_year,
    "place": nominations.c.place,
    "contact_phone": nominations.c.contact_phone,
    "achievement": nominations.c.achievement,
}


class Found(BaseModel):
    """A nomination whose nominee matched a search, with where it belongs."""

    nomination: Nomination
    unit_path: str
    unit_name: str


class NomineeRecord(BaseModel):
    """Everything held about the nominee of one nomination."""

    found: Found
    reporter: str
    evidence: list[Evidence]
    consents: list[NomineeConsent]
    publication_status: str | None
    publication_slug: str | None
    review_notes: int
    commendations: int


async def search(
    conn: Connection, folded: str | None, phone: str | None, limit: int
) -> list[Found]:
    """Nominations whose nominee's folded name contains `folded`, or whose contact phone is
    `phone`; newest first. The caller keeps those in its scope."""
    conditions = []
    if folded:
        conditions.append(nominations.c.nominee_key.contains(folded, autoescape=True))
    if phone:
        conditions.append(nominations.c.contact_phone == phone)
    if not conditions:
        return []
    rows = await conn.execute(
        select(nominations, units.c.path, units.c.name.label("unit_name"))
        .join(units, units.c.id == nominations.c.unit_id)
        .where(or_(*conditions), nominations.c.anonymised_at.is_(None))
        .order_by(nominations.c.id.desc())
        .limit(limit)
    )
    return [
        Found(nomination=Nomination.model_validate(r), unit_path=r.path, unit_name=r.unit_name)
        for r in rows
    ]


async def get(conn: Connection, nomination_id: int) -> Found | None:
    """One nomination with its unit."""
    row = (
        await conn.execute(
            select(nominations, units.c.path, units.c.name.label("unit_name"))
            .join(units, units.c.id == nominations.c.unit_id)
            .where(nominations.c.id == nomination_id)
        )
    ).first()
    if row is None:
        return None
    return Found(
        nomination=Nomination.model_validate(row), unit_path=row.path, unit_name=row.unit_name
    )


async def record(conn: Connection, found: Found) -> NomineeRecord:
    """Everything held about this nomination's nominee."""
    nomination_id = found.nomination.id
    reporter = (
        await conn.execute(
            select(people.c.full_name).where(people.c.id == found.nomination.reporter_id)
        )
    ).scalar_one()
    files = [
        Evidence.model_validate(r)
        for r in await conn.execute(
            select(evidence)
            .where(evidence.c.nomination_id == nomination_id)
            .order_by(evidence.c.id)
        )
    ]
    published = (
        await conn.execute(
            select(publications.c.status, publications.c.slug).where(
                publications.c.nomination_id == nomination_id
            )
        )
    ).first()
    notes = (
        await conn.execute(
            select(func.count())
            .select_from(review_events)
            .where(
                review_events.c.nomination_id == nomination_id, review_events.c.note.is_not(None)
            )
        )
    ).scalar_one()
    given = (
        await conn.execute(
            select(func.count())
            .select_from(commendations)
            .where(commendations.c.nomination_id == nomination_id)
        )
    ).scalar_one()
    return NomineeRecord(
        found=found,
        reporter=str(reporter),
        evidence=files,
        consents=await nominee_consent_history(conn, nomination_id),
        publication_status=published.status if published else None,
        publication_slug=published.slug if published else None,
        review_notes=int(notes),
        commendations=int(given),
    )


async def correct(
    conn: Connection,
    nomination_id: int,
    field: str,
    value: str | int | None,
    now: datetime,
    *,
    folded_name: str | None = None,
) -> None:
    """Correct one field of a nominee's data; a new name comes with its folded key."""
    values: dict[str, object] = {CORRECTABLE[field].name: value, "updated_at": now}
    if field == "nominee_name":
        values["nominee_key"] = folded_name or ""
    await conn.execute(
        update(nominations).where(nominations.c.id == nomination_id).values(**values)
    )
