"""Messages to people other than the one acting, as outbox rows (chat turns and the console)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.turn import Outgoing
from storage import outbox, people
from storage.db import Connection


async def notification_messages(
    conn: Connection, notes: Sequence[Outgoing], dedupe_prefix: str
) -> list[outbox.NewMessage]:
    """One outbox row per note, to the person's most recent reachable account (none when
    they have no reachable account); dedupe keys `<prefix>:<n>`."""
    messages = []
    for n, note in enumerate(notes):
        reachable = [
            i for i in await people.identities_of(conn, note.person_id) if i.unreachable_at is None
        ]
        if not reachable:
            continue
        target = reachable[0]
        messages.append(
            outbox.NewMessage(
                channel=target.channel,
                chat_id=target.external_id,
                identity_id=target.id,
                payload=note.reply.model_dump(mode="json"),
                dedupe_key=f"{dedupe_prefix}:{n}",
            )
        )
    return messages
