"""Evidence files stored by the web chat: who sent them and when (daily quota, erasure)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.db import Connection
from storage.schema import identities, web_uploads


async def record_upload(
    conn: Connection, identity_id: int, file_name: str, kind: str, size: int, now: datetime
) -> None:
    """Note a stored file against the account that sent it."""
    await conn.execute(
        web_uploads.insert().values(
            identity_id=identity_id, file_name=file_name, kind=kind, size=size, created_at=now
        )
    )


async def count_since(conn: Connection, person_id: int, since: datetime) -> int:
    """Files stored for a person (any of their web accounts) since a time."""
    query = (
        select(func.count())
        .select_from(web_uploads.join(identities, identities.c.id == web_uploads.c.identity_id))
        .where(identities.c.person_id == person_id, web_uploads.c.created_at >= since)
    )
    return int((await conn.execute(query)).scalar_one())
