"""Consent: a member's (to keep their data and write to them) and a nominee's (to be
publicised), each kept as the exact text agreed to, with when and how, and its withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update

from storage.db import Connection
from storage.rows import Row
from storage.schema import consents, identities, nominations, nominee_consents, people

MEMBER_DATA = "member_data"


class MemberConsent(Row):
    id: int
    purpose: str
    text_version: str
    given_at: datetime
    withdrawn_at: datetime | None


async def member_consents(conn: Connection, person_id: int) -> list[MemberConsent]:
    """A member's consents, oldest first (the history /dulieu shows)."""
    rows = await conn.execute(
        select(consents).where(consents.c.person_id == person_id).order_by(consents.c.id)
    )
    return [MemberConsent.model_validate(r) for r in rows]


async def withdraw_member(conn: Connection, person_id: int, now: datetime) -> bool:
    """Record the withdrawal: nothing needing consent reaches the person from now on.

    False when it was withdrawn already."""
    result = await conn.execute(
        update(people)
        .where(people.c.id == person_id, people.c.consent_withdrawn_at.is_(None))
        .values(consent_withdrawn_at=now)
    )
    await conn.execute(
        update(consents)
        .where(consents.c.person_id == person_id, consents.c.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    return int(result.rowcount) == 1


async def agree_again(
    conn: Connection, person_id: int, version: str, text: str, now: datetime
) -> None:
    """A member who had withdrawn agrees again: a new consent record, and they are back."""
    await conn.execute(
        consents.insert().values(
            person_id=person_id,
            purpose=MEMBER_DATA,
            text_version=version,
            text=text,
            given_at=now,
        )
    )
    await conn.execute(
        update(people).where(people.c.id == person_id).values(consent_withdrawn_at=None)
    )


async def record_refusal(conn: Connection, identity_id: int, now: datetime) -> None:
    """Someone refused consent at joining: their account remembers only that, and when."""
    await conn.execute(
        update(identities)
        .where(identities.c.id == identity_id)
        .values(consent_refused_at=now, display_name=None)
    )


# ------------------------------------------------------------------ the nominee's consent
class NewNomineeConsent(BaseModel):
    """A nominee's consent to publication as someone vouches for it."""

    text_version: str
    text: str
    # in_person | phone | paper
    method: str
    paper: dict[str, Any] | None = None
    by_guardian: bool = False
    guardian: str | None = None
    vouched_by: int


class NomineeConsent(Row):
    id: int
    nomination_id: int
    text_version: str
    text: str
    method: str
    paper: dict[str, Any] | None
    by_guardian: bool
    guardian: str | None
    vouched_by: int
    given_at: datetime
    confirmed_by: int | None
    confirmed_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_by: int | None


async def record_nominee(
    conn: Connection, nomination_id: int, new: NewNomineeConsent, now: datetime
) -> None:
    """Keep the nominee's consent (it replaces an earlier one) and mark the nomination."""
    await _withdraw_in_force(conn, nomination_id, new.vouched_by, now)
    await conn.execute(
        nominee_consents.insert().values(
            nomination_id=nomination_id, given_at=now, **new.model_dump()
        )
    )
    await conn.execute(
        update(nominations)
        .where(nominations.c.id == nomination_id)
        .values(consent_public=True, updated_at=now)
    )


async def nominee_consent(conn: Connection, nomination_id: int) -> NomineeConsent | None:
    """The nominee's consent in force, if any."""
    row = (
        await conn.execute(
            select(nominee_consents)
            .where(
                nominee_consents.c.nomination_id == nomination_id,
                nominee_consents.c.withdrawn_at.is_(None),
            )
            .order_by(nominee_consents.c.id.desc())
            .limit(1)
        )
    ).first()
    return NomineeConsent.model_validate(row) if row else None


async def nominee_consent_history(conn: Connection, nomination_id: int) -> list[NomineeConsent]:
    """Every consent recorded for a nomination, oldest first (what an official sees)."""
    rows = await conn.execute(
        select(nominee_consents)
        .where(nominee_consents.c.nomination_id == nomination_id)
        .order_by(nominee_consents.c.id)
    )
    return [NomineeConsent.model_validate(r) for r in rows]


async def confirm_nominee(
    conn: Connection, consent_id: int, official_id: int, now: datetime
) -> None:
    """An official checked the consent before publishing."""
    await conn.execute(
        update(nominee_consents)
        .where(nominee_consents.c.id == consent_id)
        .values(confirmed_by=official_id, confirmed_at=now)
    )


async def withdraw_nominee(
    conn: Connection, nomination_id: int, by: int | None, now: datetime
) -> None:
    """The nominee no longer agrees to be publicised."""
    await _withdraw_in_force(conn, nomination_id, by, now)
    await conn.execute(
        update(nominations)
        .where(nominations.c.id == nomination_id)
        .values(consent_public=False, updated_at=now)
    )


async def _withdraw_in_force(
    conn: Connection, nomination_id: int, by: int | None, now: datetime
) -> None:
    await conn.execute(
        update(nominee_consents)
        .where(
            nominee_consents.c.nomination_id == nomination_id,
            nominee_consents.c.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now, withdrawn_by=by)
    )
