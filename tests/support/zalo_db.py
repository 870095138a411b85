"""Small reads of the database for Zalo tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import Application
from storage.rows import Identity
from storage.schema import identities, inbox, outbox


async def inbox_payloads(app: Application, channel: str) -> list[dict[str, Any]]:
    """The recorded events of a channel, oldest first."""
    async with app.db.read() as conn:
        rows = await conn.execute(
            select(inbox.c.payload).where(inbox.c.channel == channel).order_by(inbox.c.id)
        )
        return [dict(r[0]) for r in rows]


async def outbox_rows(app: Application, channel: str) -> list[Any]:
    """Every outbox row of a channel, oldest first."""
    async with app.db.read() as conn:
        return list(
            await conn.execute(
                select(outbox).where(outbox.c.channel == channel).order_by(outbox.c.id)
            )
        )


async def identity(app: Application, channel: str, external_id: str) -> Identity:
    """The identity of an account (it must exist)."""
    async with app.db.read() as conn:
        row = (
            await conn.execute(
                select(identities).where(
                    identities.c.channel == channel, identities.c.external_id == external_id
                )
            )
        ).one()
    return Identity.model_validate(row)
