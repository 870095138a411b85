"""Visits and exchanges with exemplary models, and members' answers (RSVP)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select, update

from storage.db import Connection
from storage.rows import Row
from storage.schema import event_rsvps, events, people, units
from storage.sql import upsert


class Event(Row):
    id: int
    unit_id: int
    created_by: int
    title: str
    place: str
    starts_at: datetime
    capacity: int | None
    # Members who answered Tham gia (kept with the answers; capacity is checked against it).
    attending: int
    status: str
    created_at: datetime
    reminded_at: datetime | None
    unit_path: str
    unit_name: str


class Answer(Row):
    person_id: int
    full_name: str
    answer: str


def _query() -> Select[tuple[object, ...]]:
    return select(events, units.c.path.label("unit_path"), units.c.name.label("unit_name")).join(
        units, units.c.id == events.c.unit_id
    )


async def create_event(
    conn: Connection,
    *,
    unit_id: int,
    created_by: int,
    title: str,
    place: str,
    starts_at: datetime,
    capacity: int | None,
    now: datetime,
) -> Event:
    """Store an announced visit."""
    event_id = (
        await conn.execute(
            events.insert()
            .values(
                unit_id=unit_id,
                created_by=created_by,
                title=title,
                place=place,
                starts_at=starts_at,
                capacity=capacity,
                status="open",
                created_at=now,
            )
            .returning(events.c.id)
        )
    ).scalar_one()
    event = await get_event(conn, event_id)
    assert event is not None
    return event


async def get_event(conn: Connection, event_id: int) -> Event | None:
    """An event with its unit."""
    row = (await conn.execute(_query().where(events.c.id == event_id))).first()
    return Event.model_validate(row) if row else None


async def upcoming_in_scopes(
    conn: Connection, scope_paths: list[str], now: datetime, limit: int
) -> list[Event]:
    """Events not yet started in these scopes, soonest first."""
    if not scope_paths:
        return []
    condition = or_(*(units.c.path.startswith(p, autoescape=True) for p in scope_paths))
    rows = await conn.execute(
        _query()
        .where(condition, events.c.starts_at > now, events.c.status == "open")
        .order_by(events.c.starts_at)
        .limit(limit)
    )
    return [Event.model_validate(r) for r in rows]


async def set_answer(
    conn: Connection, event_id: int, person_id: int, answer: str, now: datetime
) -> bool:
    """Record or change a member's answer; False when Tham gia finds the event full.

    A seat is taken by one conditional update of the event's count, so members answering
    at the same moment never take more seats than there are (a count read first let them).
    """
    before = (
        await conn.execute(
            select(event_rsvps.c.answer).where(
                event_rsvps.c.event_id == event_id, event_rsvps.c.person_id == person_id
            )
        )
    ).scalar_one_or_none()
    seats = update(events).where(events.c.id == event_id)
    if answer == "yes" and before != "yes":
        taken = await conn.execute(
            seats.where(or_(events.c.capacity.is_(None), events.c.attending < events.c.capacity))
            .values(attending=events.c.attending + 1)
            .returning(events.c.id)
        )
        if taken.first() is None:
            return False
    elif before == "yes" and answer != "yes":
        await conn.execute(seats.values(attending=events.c.attending - 1))
    await conn.execute(
        upsert(conn, event_rsvps, ["event_id", "person_id"]),
        {"event_id": event_id, "person_id": person_id, "answer": answer, "answered_at": now},
    )
    return True


async def answers(conn: Connection, event_id: int) -> list[Answer]:
    """Every answer with the member's name, in the order they came."""
    rows = await conn.execute(
        select(event_rsvps.c.person_id, people.c.full_name, event_rsvps.c.answer)
        .join(people, people.c.id == event_rsvps.c.person_id)
        .where(event_rsvps.c.event_id == event_id)
        .order_by(event_rsvps.c.answered_at, event_rsvps.c.id)
    )
    return [Answer.model_validate(r) for r in rows]


async def due_reminders(conn: Connection, now: datetime, before: datetime) -> list[Event]:
    """Open events starting between now and `before` whose attendees were not reminded."""
    rows = await conn.execute(
        _query().where(
            events.c.status == "open",
            events.c.reminded_at.is_(None),
            events.c.starts_at > now,
            events.c.starts_at <= before,
        )
    )
    return [Event.model_validate(r) for r in rows]


async def mark_reminded(conn: Connection, event_id: int, now: datetime) -> None:
    """The day-before reminder went out."""
    await conn.execute(update(events).where(events.c.id == event_id).values(reminded_at=now))


async def delete_event(conn: Connection, event_id: int) -> None:
    """Remove an event that never stood (its announcement undone before any answer)."""
    await conn.execute(events.delete().where(events.c.id == event_id))
