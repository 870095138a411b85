"""Alerts to the administrators about the bot's own health (not part of any flow)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.messages import t
from handlers.roles import Role
from handlers.types import Reply
from storage import outbox, people
from storage.db import Database

Clock = Callable[[], datetime]


async def alert_admins(
    db: Database, clock: Clock, key: str, *, about_channel: str, topic: str, **params: object
) -> int:
    """Queue a catalog text to every admin on their latest reachable channel but `about_channel`.

    The channel in trouble is skipped since it may be the one that cannot send. The dedupe
    key holds the hour, so a failure repeated on every send alerts once an hour.
    """
    now = clock()
    payload = Reply(text=t(key, **params)).model_dump(mode="json")
    messages: list[outbox.NewMessage] = []
    async with db.write() as conn:
        # Nothing reaches someone who withdrew consent (issue 12).
        for person_id in await people.people_with_role(conn, Role.ADMIN, consenting_only=True):
            targets = [
                i
                for i in await people.identities_of(conn, person_id)
                if i.unreachable_at is None and i.channel != about_channel
            ]
            if not targets:
                continue
            target = targets[0]
            messages.append(
                outbox.NewMessage(
                    channel=target.channel,
                    chat_id=target.external_id,
                    identity_id=target.id,
                    payload=payload,
                    dedupe_key=f"alert:{topic}:{now:%Y%m%d%H}:{person_id}",
                )
            )
        return await outbox.enqueue(conn, messages, now)
