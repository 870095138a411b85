"""People, their channel identities, role memberships and consent records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import FromClause, Integer, String, bindparam, case, literal, select, update

from storage import web_sessions
from storage.db import Connection
from storage.rows import Identity, Membership, Person
from storage.schema import consents, identities, memberships, people, units
from storage.sql import dialect_insert, fit
from storage.types import UTCDateTime

RATE_WINDOW = timedelta(minutes=1)
_NOW = bindparam("now", type_=UTCDateTime())
# Built once: every step runs these, and building a statement costs more than running it.
_IDENTITY = select(identities).where(identities.c.id == bindparam("identity_id"))
_PERSON = select(people).where(people.c.id == bindparam("person_id"))
# Bind names unlike the columns: beside an UPDATE's own, SQLAlchemy would SET those.
_LINK = (
    update(identities)
    .where(identities.c.id == bindparam("link_identity"), identities.c.person_id.is_(None))
    .values(person_id=bindparam("link_person"))
)
_MEMBERSHIPS = (
    select(
        memberships.c.id,
        memberships.c.person_id,
        memberships.c.unit_id,
        memberships.c.role,
        units.c.path.label("unit_path"),
        units.c.name.label("unit_name"),
    )
    .join(units, units.c.id == memberships.c.unit_id)
    .where(memberships.c.person_id == bindparam("person_id"))
    .order_by(memberships.c.id)
)


# The columns a first message writes, in the order of _touched_values().
_TOUCHED_COLUMNS = (
    "channel",
    "external_id",
    "display_name",
    "created_at",
    "last_inbound_at",
    "rate_window_start",
    "rate_count",
)


def _touched_values() -> list[Any]:
    return [
        bindparam("on_channel", type_=String()),
        bindparam("account", type_=String()),
        bindparam("display_name", type_=String()),
        _NOW,
        _NOW,
        _NOW,
        literal(1, Integer()),
    ]


def _on_conflict_touch(statement: Any) -> Any:
    """The upsert's conflict clause: an account seen before is marked as just seen."""
    # Still inside the account's current one-minute window (a NULL start is not).
    in_window = identities.c.rate_window_start > bindparam("window_floor", type_=UTCDateTime())
    # Writing to us again means it can be reached again. SET sees the row as it was, so
    # both rate columns test the same old window start.
    return statement.on_conflict_do_update(
        index_elements=[identities.c.channel, identities.c.external_id],
        set_={
            "last_inbound_at": _NOW,
            "unreachable_at": None,
            "rate_count": case((in_window, identities.c.rate_count + 1), else_=1),
            "rate_window_start": case((in_window, identities.c.rate_window_start), else_=_NOW),
        },
    ).returning(*identities.c)


@cache
def _touch(dialect: str) -> Any:
    statement = dialect_insert(dialect, identities).values(
        dict(zip(_TOUCHED_COLUMNS, _touched_values(), strict=True))
    )
    return _on_conflict_touch(statement)


def touch_after(source: FromClause) -> Any:
    """`touch_identity`'s upsert (PostgreSQL) as INSERT … SELECT from `source`: it writes
    only when `source` has a row, so it can follow another statement in a WITH (same binds
    as touch_identity's values)."""
    rows = select(*_touched_values()).select_from(source)
    statement = dialect_insert("postgresql", identities).from_select(list(_TOUCHED_COLUMNS), rows)
    return _on_conflict_touch(statement)


def touch_values(
    channel: str, external_id: str, display_name: str | None, now: datetime
) -> dict[str, Any]:
    """The binds of touch_identity's statement."""
    return {
        "on_channel": channel,
        "account": external_id,
        # Platforms send longer names than the column holds (Zalo does): cut, never fail.
        "display_name": fit(identities.c.display_name, display_name),
        "now": now,
        "window_floor": now - RATE_WINDOW,
    }


async def touch_identity(
    conn: Connection,
    channel: str,
    external_id: str,
    display_name: str | None,
    now: datetime,
) -> Identity:
    """The identity for this account, created on first contact; marks it as just seen.

    One statement, so two first messages of a new account handled at once both find the
    same identity. Also counts the message in the account's one-minute window (`rate_count`).
    """
    values = touch_values(channel, external_id, display_name, now)
    row = (await conn.execute(_touch(conn.dialect.name), values)).one()
    return Identity.model_validate(row)


async def identities_of(conn: Connection, person_id: int) -> list[Identity]:
    """Every channel account of a person, most recently active first."""
    rows = await conn.execute(
        select(identities)
        .where(identities.c.person_id == person_id)
        .order_by(identities.c.last_inbound_at.desc())
    )
    return [Identity.model_validate(r) for r in rows]


async def mark_unreachable(conn: Connection, identity_id: int, now: datetime) -> None:
    """The platform told us this account cannot be written to (blocked, unfollowed)."""
    await conn.execute(
        update(identities).where(identities.c.id == identity_id).values(unreachable_at=now)
    )


async def get_person(conn: Connection, person_id: int) -> Person | None:
    """The person with this id."""
    row = (await conn.execute(_PERSON, {"person_id": person_id})).first()
    return Person.model_validate(row) if row else None


async def create_person(
    conn: Connection, full_name: str, phone: str | None, now: datetime
) -> Person:
    """A new person (a member who has joined)."""
    person_id = (
        await conn.execute(
            people.insert()
            .values(full_name=full_name, phone=phone, created_at=now)
            .returning(people.c.id)
        )
    ).scalar_one()
    person = await get_person(conn, person_id)
    assert person is not None
    return person


async def link_identity(conn: Connection, identity_id: int, person_id: int) -> None:
    """Attach a stranger's channel account to a person (an account already someone's stays
    theirs: every caller checked it was nobody's, in the transaction that holds its row).
    Instances that remember the account's session read it again."""
    await web_sessions.execute_changing(
        conn,
        _LINK,
        {"link_identity": identity_id, "link_person": person_id},
        web_sessions.ACCOUNT,
        identity_id,
    )


async def add_membership(
    conn: Connection, person_id: int, unit_id: int, role: str, now: datetime
) -> bool:
    """Give a person a role in a unit; False when they already had it."""
    exists = (
        await conn.execute(
            select(memberships.c.id).where(
                memberships.c.person_id == person_id,
                memberships.c.unit_id == unit_id,
                memberships.c.role == role,
            )
        )
    ).first()
    if exists:
        return False
    await conn.execute(
        memberships.insert().values(person_id=person_id, unit_id=unit_id, role=role, created_at=now)
    )
    return True


async def memberships_of(conn: Connection, person_id: int) -> list[Membership]:
    """A person's roles with their units' paths (for scope checks)."""
    rows = await conn.execute(_MEMBERSHIPS, {"person_id": person_id})
    return [Membership.model_validate(r) for r in rows]


async def record_consent(
    conn: Connection,
    person_id: int,
    purpose: str,
    version: str,
    text: str,
    now: datetime,
) -> None:
    """Keep the exact text a person agreed to, its version and the time."""
    await conn.execute(
        consents.insert().values(
            person_id=person_id, purpose=purpose, text_version=version, text=text, given_at=now
        )
    )


async def people_with_role(conn: Connection, role: str, *, consenting_only: bool) -> list[int]:
    """Ids of the people holding `role` in any unit; with `consenting_only`, not those who
    withdrew their consent (nothing that needs it, an alert included, reaches them)."""
    query = select(memberships.c.person_id).where(memberships.c.role == role)
    if consenting_only:
        query = query.join(people, people.c.id == memberships.c.person_id).where(
            people.c.consent_withdrawn_at.is_(None)
        )
    rows = await conn.execute(query.distinct().order_by(memberships.c.person_id))
    return [int(r[0]) for r in rows]


async def get_identity(conn: Connection, identity_id: int) -> Identity | None:
    """The channel account with this id."""
    row = (await conn.execute(_IDENTITY, {"identity_id": identity_id})).first()
    return Identity.model_validate(row) if row else None


async def reviewers_in_units(conn: Connection, unit_ids: list[int]) -> set[int]:
    """People holding reviewer rank or above in one of these units (a unit's ancestors:
    those who see its queue)."""
    if not unit_ids:
        return set()
    rows = await conn.execute(
        select(memberships.c.person_id)
        .where(
            memberships.c.unit_id.in_(unit_ids),
            memberships.c.role.in_(("reviewer", "official", "admin")),
        )
        .distinct()
    )
    return {int(r[0]) for r in rows}


async def names_of(conn: Connection, person_ids: Iterable[int]) -> dict[int, str]:
    """People's full names by id (for histories and lists)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    rows = await conn.execute(
        select(people.c.id, people.c.full_name).where(people.c.id.in_(wanted))
    )
    return {int(r.id): str(r.full_name) for r in rows}


async def set_name(conn: Connection, person_id: int, full_name: str) -> None:
    """Correct a member's name (the member's own right, or an official on their behalf)."""
    web_sessions.changed(conn, web_sessions.PERSON, person_id)
    await conn.execute(update(people).where(people.c.id == person_id).values(full_name=full_name))


async def set_phone(conn: Connection, person_id: int, phone: str | None) -> None:
    """Correct or remove a member's phone number."""
    await conn.execute(update(people).where(people.c.id == person_id).values(phone=phone))
