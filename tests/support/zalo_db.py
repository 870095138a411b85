"""Small reads of the database for Zalo tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import Application
from handlers.types import Reply
from storage import outbox
from storage.rows import Identity
from storage.schema import identities, inbox
from storage.schema import outbox as outbox_table


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
                select(outbox_table)
                .where(outbox_table.c.channel == channel)
                .order_by(outbox_table.c.id)
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


async def queue_message(
    app: Application,
    channel: str,
    chat_id: str,
    reply: Reply,
    *,
    bulk: bool = False,
    batch: str | None = None,
) -> None:
    """Put one message in the outbox for an existing account, as a job or flow would."""
    account = await identity(app, channel, chat_id)
    async with app.db.write() as conn:
        await outbox.enqueue(
            conn,
            [
                outbox.NewMessage(
                    channel=channel,
                    chat_id=chat_id,
                    identity_id=account.id,
                    payload=reply.model_dump(mode="json"),
                    priority=outbox.PRIORITY_BULK if bulk else outbox.PRIORITY_REPLY,
                    batch=batch,
                )
            ],
            app.clock(),
        )
    app.delivery.kick()
