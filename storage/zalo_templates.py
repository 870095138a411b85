"""Paid Zalo template sends and the budgets they draw on (issue 15)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, delete, func, or_, select, update

from storage.db import Connection
from storage.retention import Batch
from storage.schema import (
    consents,
    identities,
    outbox,
    zalo_template_budget,
    zalo_template_phones,
    zalo_template_sends,
)
from storage.sql import fit, insert_ignoring_conflicts, upsert

# A send whose money may be spent: Zalo accepted it, or its answer was lost.
CHARGED = ("sent", "unknown")


class Caps(BaseModel):
    """A unit's limits for one period: messages, and đồng (None: no money cap)."""

    messages: int | None
    money: int | None


class Used(BaseModel):
    """What a unit used in a period."""

    used: int = 0
    spent: int = 0


# ------------------------------------------------------------------------------- budget
async def reserve(
    conn: Connection, unit_id: int, periods: Sequence[tuple[str, Caps]], price: int
) -> bool:
    """Take one message (and its price) from every period's budget, or from none.

    Each period is one conditional UPDATE, atomic on both engines, so instances sharing the
    database never overspend; a period's row is created the first time it is missing.
    """
    taken: list[str] = []
    for period, caps in periods:
        if not await _take(conn, unit_id, period, caps, price):
            await conn.execute(
                insert_ignoring_conflicts(conn, zalo_template_budget),
                {"unit_id": unit_id, "period": period, "used": 0, "spent": 0},
            )
            if not await _take(conn, unit_id, period, caps, price):
                await give_back(conn, unit_id, taken, price)
                return False
        taken.append(period)
    return True


async def _take(conn: Connection, unit_id: int, period: str, caps: Caps, price: int) -> bool:
    conditions = [
        zalo_template_budget.c.unit_id == unit_id,
        zalo_template_budget.c.period == period,
    ]
    if caps.messages is not None:
        conditions.append(zalo_template_budget.c.used < caps.messages)
    if caps.money is not None:
        conditions.append(zalo_template_budget.c.spent + price <= caps.money)
    result = await conn.execute(
        update(zalo_template_budget)
        .where(*conditions)
        .values(used=zalo_template_budget.c.used + 1, spent=zalo_template_budget.c.spent + price)
    )
    return int(result.rowcount) == 1


async def give_back(conn: Connection, unit_id: int, periods: Sequence[str], price: int) -> None:
    """Return a message not charged after all (Zalo refused it)."""
    if not periods:
        return
    await conn.execute(
        update(zalo_template_budget)
        .where(
            zalo_template_budget.c.unit_id == unit_id,
            zalo_template_budget.c.period.in_(list(periods)),
        )
        .values(
            used=zalo_template_budget.c.used - 1,
            spent=zalo_template_budget.c.spent - price,
        )
    )


async def used_in(conn: Connection, unit_id: int, periods: Sequence[str]) -> dict[str, Used]:
    """What a unit used in each period (absent periods: nothing)."""
    rows = await conn.execute(
        select(zalo_template_budget).where(
            zalo_template_budget.c.unit_id == unit_id,
            zalo_template_budget.c.period.in_(list(periods)),
        )
    )
    found = {str(r.period): Used(used=int(r.used), spent=int(r.spent)) for r in rows}
    return {p: found.get(p, Used()) for p in periods}


# -------------------------------------------------------------------------------- sends
async def begin_send(
    conn: Connection,
    *,
    outbox_id: int,
    unit_id: int,
    kind: str,
    route: str,
    tracking_id: str,
    price: int,
    now: datetime,
) -> None:
    """Record that a paid send is about to be made (replacing a refused earlier attempt)."""
    batch = (
        await conn.execute(select(outbox.c.batch).where(outbox.c.id == outbox_id))
    ).scalar_one_or_none()
    values: dict[str, object] = {
        "batch": batch,
        "unit_id": unit_id,
        "kind": kind,
        "route": route,
        "status": "sending",
        "tracking_id": tracking_id,
        "msg_id": None,
        "price": price,
        "error": None,
        "created_at": now,
        "settled_at": None,
    }
    await conn.execute(
        upsert(conn, zalo_template_sends, ["outbox_id"]),
        {"outbox_id": outbox_id, **values, "msg_id": None, "delivered_at": None, "read_at": None},
    )


async def settle_send(
    conn: Connection,
    outbox_id: int,
    status: str,
    now: datetime,
    *,
    msg_id: str | None = None,
    error: str | None = None,
) -> None:
    """Record how a send ended: sent (with Zalo's id), failed, or unknown."""
    await conn.execute(
        update(zalo_template_sends)
        .where(zalo_template_sends.c.outbox_id == outbox_id)
        .values(
            status=status,
            msg_id=msg_id,
            error=fit(zalo_template_sends.c.error, error),
            settled_at=now,
        )
    )


async def record_event(
    conn: Connection, *, msg_id: str | None, tracking_id: str | None, event: str, at: datetime
) -> bool:
    """A delivery event from Zalo: the message reached the phone, or was read.

    Found by Zalo's message id or by our tracking id (either may be missing); an answer
    lost in a crash ('unknown') is thereby known to have been sent. False: not ours.
    """
    keys = []
    if msg_id:
        keys.append(zalo_template_sends.c.msg_id == msg_id)
    if tracking_id:
        keys.append(zalo_template_sends.c.tracking_id == tracking_id)
    if not keys:
        return False
    column = (
        zalo_template_sends.c.read_at if event == "read" else zalo_template_sends.c.delivered_at
    )
    values: dict[str, object] = {column.name: func.coalesce(column, at)}
    if event == "read":  # read implies delivered
        values["delivered_at"] = func.coalesce(zalo_template_sends.c.delivered_at, at)
    where = or_(*keys)
    result = await conn.execute(update(zalo_template_sends).where(where).values(**values))
    await conn.execute(
        update(zalo_template_sends)
        .where(and_(where, zalo_template_sends.c.status == "unknown"))
        .values(status="sent", msg_id=func.coalesce(zalo_template_sends.c.msg_id, msg_id))
    )
    return int(result.rowcount) > 0


async def batch_split(conn: Connection, batch: str) -> dict[str, int]:
    """A bulk send's template side: sent, unknown, delivered and read counts."""
    rows = await conn.execute(
        select(
            zalo_template_sends.c.status,
            func.count(),
            func.count(zalo_template_sends.c.delivered_at),
            func.count(zalo_template_sends.c.read_at),
        )
        .where(zalo_template_sends.c.batch == batch)
        .group_by(zalo_template_sends.c.status)
    )
    split = {"template": 0, "unknown": 0, "delivered": 0, "read": 0}
    for status, count, delivered, read in rows:
        if status in CHARGED:
            split["template"] += int(count)
            split["unknown"] += int(count) if status == "unknown" else 0
            split["delivered"] += int(delivered)
            split["read"] += int(read)
    return split


# ------------------------------------------------------------------------- recipients
class RecipientState(BaseModel):
    """What routing one row needs, read at once: when the account last wrote, its kept
    phone, and the row's earlier template attempt (status and Zalo's id), if any."""

    last_inbound_at: datetime | None = None
    phone: str | None = None
    previous: str | None = None
    previous_msg_id: str | None = None


async def recipient(conn: Connection, channel: str, chat_id: str, outbox_id: int) -> RecipientState:
    """The routing state of one outbox row's recipient (one query)."""
    row = (
        await conn.execute(
            select(
                identities.c.last_inbound_at,
                zalo_template_phones.c.phone,
                zalo_template_sends.c.status.label("previous"),
                zalo_template_sends.c.msg_id.label("previous_msg_id"),
            )
            .select_from(identities)
            .outerjoin(
                zalo_template_phones,
                zalo_template_phones.c.identity_id == identities.c.id,
            )
            .outerjoin(zalo_template_sends, zalo_template_sends.c.outbox_id == outbox_id)
            .where(identities.c.channel == channel, identities.c.external_id == chat_id)
        )
    ).first()
    return RecipientState.model_validate(row, from_attributes=True) if row else RecipientState()


async def outside_window(conn: Connection, identity_ids: Sequence[int], since: datetime) -> int:
    """How many of these accounts last wrote before `since` (or never): they need a template."""
    found = 0
    for start in range(0, len(identity_ids), 500):
        chunk = list(identity_ids[start : start + 500])
        found += int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(identities)
                    .where(
                        identities.c.id.in_(chunk),
                        or_(
                            identities.c.last_inbound_at.is_(None),
                            identities.c.last_inbound_at < since,
                        ),
                    )
                )
            ).scalar_one()
        )
    return found


# ------------------------------------------------------------------- consented phones
PHONE_PURPOSE = "zalo_template_phone"
# A kept phone outlives the account's last message to the OA by this long (then purged).
PHONE_RETENTION = timedelta(days=365)


async def save_phone(
    conn: Connection,
    *,
    identity_id: int,
    person_id: int,
    phone: str,
    source: str,
    version: str,
    text: str,
    now: datetime,
) -> None:
    """Keep an account's verified phone for template messages, with the consent given."""
    await conn.execute(
        delete(zalo_template_phones).where(zalo_template_phones.c.identity_id == identity_id)
    )
    await conn.execute(
        zalo_template_phones.insert().values(
            identity_id=identity_id,
            phone=phone,
            source=source,
            consent_version=version,
            consented_at=now,
        )
    )
    await conn.execute(
        consents.insert().values(
            person_id=person_id,
            purpose=PHONE_PURPOSE,
            text_version=version,
            text=text,
            given_at=now,
        )
    )


async def drop_phones(
    conn: Connection, identity_ids: Sequence[int], person_id: int | None, now: datetime
) -> int:
    """Forget the phones kept for these accounts; the consent for that purpose is withdrawn."""
    result = await conn.execute(
        delete(zalo_template_phones).where(
            zalo_template_phones.c.identity_id.in_(list(identity_ids))
        )
    )
    if person_id is not None:
        await conn.execute(
            update(consents)
            .where(
                consents.c.person_id == person_id,
                consents.c.purpose == PHONE_PURPOSE,
                consents.c.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=now)
        )
    return int(result.rowcount)


async def phones_of(conn: Connection, identity_ids: Sequence[int]) -> dict[int, str]:
    """The phones kept for these accounts (for /dulieu)."""
    rows = await conn.execute(
        select(zalo_template_phones.c.identity_id, zalo_template_phones.c.phone).where(
            zalo_template_phones.c.identity_id.in_(list(identity_ids))
        )
    )
    return {int(r.identity_id): str(r.phone) for r in rows}


def _stale_phone(cutoff: datetime) -> Any:
    stale = select(identities.c.id).where(
        or_(identities.c.last_inbound_at.is_(None), identities.c.last_inbound_at < cutoff)
    )
    return zalo_template_phones.c.identity_id.in_(stale)


async def count_stale_phones(conn: Connection, cutoff: datetime) -> int:
    """Retention: kept phones of accounts that have not written since `cutoff`."""
    return int(
        (
            await conn.execute(
                select(func.count()).select_from(zalo_template_phones).where(_stale_phone(cutoff))
            )
        ).scalar_one()
    )


async def drop_stale_phones(conn: Connection, cutoff: datetime, limit: int) -> Batch:
    """Retention: those phones go (a batch of at most `limit`)."""
    ids = select(zalo_template_phones.c.identity_id).where(_stale_phone(cutoff)).limit(limit)
    result = await conn.execute(
        delete(zalo_template_phones).where(zalo_template_phones.c.identity_id.in_(ids))
    )
    return Batch(rows=int(result.rowcount))
