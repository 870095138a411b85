"""Links waiting for a confirmation from an account the person already has."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from storage.db import Connection
from storage.rows import LinkRequest
from storage.schema import link_requests

PENDING = "pending"


async def create_request(
    conn: Connection, person_id: int, identity_id: int, now: datetime, expires_at: datetime
) -> int:
    """A new pending request; an earlier pending one for the same account is superseded."""
    await conn.execute(
        update(link_requests)
        .where(link_requests.c.identity_id == identity_id, link_requests.c.status == PENDING)
        .values(status="expired", decided_at=now)
    )
    return int(
        (
            await conn.execute(
                link_requests.insert()
                .values(
                    person_id=person_id,
                    identity_id=identity_id,
                    status=PENDING,
                    created_at=now,
                    expires_at=expires_at,
                )
                .returning(link_requests.c.id)
            )
        ).scalar_one()
    )


async def pending_for(conn: Connection, person_id: int, now: datetime) -> list[LinkRequest]:
    """The person's requests still waiting, oldest first."""
    rows = await conn.execute(
        select(link_requests)
        .where(
            link_requests.c.person_id == person_id,
            link_requests.c.status == PENDING,
            link_requests.c.expires_at > now,
        )
        .order_by(link_requests.c.id)
    )
    return [LinkRequest.model_validate(r) for r in rows]


async def decide(
    conn: Connection, request_id: int, status: str, decided_by: int, now: datetime
) -> bool:
    """Confirm or refuse a request still pending (one statement: a second tap loses)."""
    result = await conn.execute(
        update(link_requests)
        .where(
            link_requests.c.id == request_id,
            link_requests.c.status == PENDING,
            link_requests.c.expires_at > now,
        )
        .values(status=status, decided_at=now, decided_by=decided_by)
    )
    return int(result.rowcount) == 1
