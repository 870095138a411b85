"""Bulk sends: who is in a scope, the send's record, its progress, idle menus for actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, func, or_, select, update

from storage.db import Connection
from storage.rows import Row
from storage.schema import bulk_sends, conversations, identities, memberships, outbox, people, units

CHUNK = 500


class Recipient(BaseModel):
    """A person in scope and the account a bulk message goes to."""

    person_id: int
    identity_id: int
    channel: str
    chat_id: str


class BulkSend(Row):
    id: int
    kind: str
    batch: str
    created_by: int | None
    unit_id: int
    object_id: int | None
    text: str
    total: int
    unreachable: int
    report: bool
    progress_seq: int
    last_counts: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None


async def people_in_scope(conn: Connection, scope_path: str) -> list[int]:
    """Every person with a role in a unit of the scope (the unit's whole subtree)."""
    rows = await conn.execute(
        select(memberships.c.person_id)
        .join(units, units.c.id == memberships.c.unit_id)
        .where(units.c.path.startswith(scope_path, autoescape=True))
        .distinct()
        .order_by(memberships.c.person_id)
    )
    return [int(r[0]) for r in rows]


async def reachable_identities(conn: Connection, person_ids: Sequence[int]) -> dict[int, Recipient]:
    """Each person's most recently active account that can still be written to."""
    found: dict[int, Recipient] = {}
    for start in range(0, len(person_ids), CHUNK):
        chunk = list(person_ids[start : start + CHUNK])
        rows = await conn.execute(
            select(
                identities.c.id,
                identities.c.person_id,
                identities.c.channel,
                identities.c.external_id,
            )
            .join(people, people.c.id == identities.c.person_id)
            .where(
                identities.c.person_id.in_(chunk),
                identities.c.unreachable_at.is_(None),
                # Nothing reaches a member who withdrew consent (people.py: CONTACTABLE).
                people.c.consent_withdrawn_at.is_(None),
            )
            .order_by(identities.c.person_id, identities.c.last_inbound_at.desc())
        )
        for r in rows:
            if r.person_id not in found:
                found[r.person_id] = Recipient(
                    person_id=r.person_id,
                    identity_id=r.id,
                    channel=r.channel,
                    chat_id=r.external_id,
                )
    return found


async def create_bulk(
    conn: Connection,
    *,
    kind: str,
    batch: str,
    created_by: int | None,
    unit_id: int,
    object_id: int | None,
    text: str,
    total: int,
    unreachable: int,
    report: bool,
    now: datetime,
) -> BulkSend:
    """Record a bulk send (its messages are the outbox rows of `batch`)."""
    bulk_id = (
        await conn.execute(
            bulk_sends.insert()
            .values(
                kind=kind,
                batch=batch,
                created_by=created_by,
                unit_id=unit_id,
                object_id=object_id,
                text=text,
                total=total,
                unreachable=unreachable,
                report=report,
                progress_seq=0,
                created_at=now,
            )
            .returning(bulk_sends.c.id)
        )
    ).scalar_one()
    bulk = await get_bulk(conn, bulk_id)
    assert bulk is not None
    return bulk


async def get_bulk(conn: Connection, bulk_id: int) -> BulkSend | None:
    """A bulk send by id."""
    row = (await conn.execute(select(bulk_sends).where(bulk_sends.c.id == bulk_id))).first()
    return BulkSend.model_validate(row) if row else None


async def unfinished_bulks(conn: Connection) -> list[BulkSend]:
    """Bulk sends still in progress, oldest first."""
    rows = await conn.execute(
        select(bulk_sends).where(bulk_sends.c.finished_at.is_(None)).order_by(bulk_sends.c.id)
    )
    return [BulkSend.model_validate(r) for r in rows]


async def record_progress(
    conn: Connection,
    bulk_id: int,
    counts: dict[str, int],
    seq: int,
    finished_at: datetime | None,
) -> None:
    """Remember what was last reported (and when the send finished)."""
    await conn.execute(
        update(bulk_sends)
        .where(bulk_sends.c.id == bulk_id)
        .values(last_counts=counts, progress_seq=seq, finished_at=finished_at)
    )


async def latest_bulks_by(conn: Connection, person_id: int, limit: int) -> list[BulkSend]:
    """An official's latest bulk sends, newest first."""
    rows = await conn.execute(
        select(bulk_sends)
        .where(bulk_sends.c.created_by == person_id)
        .order_by(bulk_sends.c.id.desc())
        .limit(limit)
    )
    return [BulkSend.model_validate(r) for r in rows]


async def count_bulks_since(conn: Connection, person_id: int, kind: str, since: datetime) -> int:
    """How many bulk sends of a kind an official started since a time (daily caps)."""
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(bulk_sends)
                .where(
                    bulk_sends.c.created_by == person_id,
                    bulk_sends.c.kind == kind,
                    bulk_sends.c.created_at >= since,
                )
            )
        ).scalar_one()
    )


async def idle_menu_seqs(conn: Connection, identity_ids: Sequence[int]) -> dict[int, int]:
    """menu_seq of the accounts whose conversation is idle (no flow running)."""
    found: dict[int, int] = {}
    for start in range(0, len(identity_ids), CHUNK):
        chunk = list(identity_ids[start : start + CHUNK])
        rows = await conn.execute(
            select(conversations.c.identity_id, conversations.c.menu_seq).where(
                conversations.c.identity_id.in_(chunk), conversations.c.flow.is_(None)
            )
        )
        found.update({int(r.identity_id): int(r.menu_seq) for r in rows})
    return found


async def set_idle_menus(
    conn: Connection, menus: Sequence[tuple[int, int, dict[str, Any]]]
) -> None:
    """Make a bulk message's options the current menu of idle accounts, so that a typed
    number answers it on channels without buttons. Only rows still idle are touched."""
    if not menus:
        return
    statement = (
        update(conversations)
        .where(
            conversations.c.identity_id == bindparam("b_identity"),
            conversations.c.flow.is_(None),
        )
        .values(menu=bindparam("b_menu"), menu_seq=bindparam("b_seq"))
    )
    await conn.execute(
        statement,
        [{"b_identity": i, "b_seq": seq, "b_menu": menu} for i, seq, menu in menus],
    )


async def officials_with_units(conn: Connection) -> list[tuple[int, int, str]]:
    """(person, unit, unit path) of every official or admin role, for periodic summaries."""
    rows = await conn.execute(
        select(memberships.c.person_id, memberships.c.unit_id, units.c.path)
        .join(units, units.c.id == memberships.c.unit_id)
        .where(memberships.c.role.in_(("official", "admin")))
        .order_by(memberships.c.person_id, units.c.path)
    )
    return [(int(r.person_id), int(r.unit_id), str(r.path)) for r in rows]


async def delete_bulk(conn: Connection, batch: str) -> None:
    """Forget a bulk send that never went out (undone): no progress, no daily cap."""
    await conn.execute(bulk_sends.delete().where(bulk_sends.c.batch == batch))


async def bulks_of_call(conn: Connection, campaign_id: int) -> list[BulkSend]:
    """A call's own sends: its opening, then its reminders."""
    rows = await conn.execute(
        select(bulk_sends)
        .where(
            or_(
                bulk_sends.c.batch == f"call:{campaign_id}",
                bulk_sends.c.batch.startswith(f"remind:{campaign_id}:", autoescape=True),
            )
        )
        .order_by(bulk_sends.c.id)
    )
    return [BulkSend.model_validate(r) for r in rows]


async def cancel_waiting(
    conn: Connection, accounts: Sequence[tuple[str, str]], reason: str
) -> int:
    """Settle every message still waiting for these accounts (channel, chat) as unreachable:
    a member who withdrew consent gets nothing more, not even what was already queued."""
    cancelled = 0
    for channel, chat_id in accounts:
        result = await conn.execute(
            update(outbox)
            .where(
                outbox.c.channel == channel,
                outbox.c.chat_id == chat_id,
                outbox.c.status.in_(("queued", "retrying")),
            )
            .values(status="unreachable", last_error=reason, claimed_until=None)
        )
        cancelled += int(result.rowcount)
    return cancelled
