"""Many members at once, written straight to the database (for bulk-send tests)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.schema import identities, memberships, people
from storage.units import get_unit_by_code


async def seed_members(
    db: Database, unit_code: str, count: int, now: datetime, channel: str = "fake"
) -> list[str]:
    """`count` members of a unit, each with one account on `channel`; their chat ids."""
    async with db.write() as conn:
        unit = await get_unit_by_code(conn, unit_code)
        assert unit is not None
        start = (
            await conn.execute(
                people.insert()
                .values(full_name="Thành viên 0", created_at=now)
                .returning(people.c.id)
            )
        ).scalar_one()
        if count > 1:
            await conn.execute(
                people.insert(),
                [{"full_name": f"Thành viên {n}", "created_at": now} for n in range(1, count)],
            )
        ids = list(range(start, start + count))
        chats = [f"{channel}-{person_id}" for person_id in ids]
        await conn.execute(
            identities.insert(),
            [
                {
                    "channel": channel,
                    "external_id": chat,
                    "person_id": person_id,
                    "created_at": now,
                    "last_inbound_at": now,
                }
                for person_id, chat in zip(ids, chats, strict=True)
            ],
        )
        await conn.execute(
            memberships.insert(),
            [
                {"person_id": p, "unit_id": unit.id, "role": "member", "created_at": now}
                for p in ids
            ],
        )
    return chats
