"""Messages to people other than the one acting, as outbox rows (chat turns and the console)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.turn import Outgoing
from storage import bulk, outbox
from storage.db import Connection


async def notification_messages(
    conn: Connection, notes: Sequence[Outgoing], dedupe_prefix: str
) -> list[outbox.NewMessage]:
    """One outbox row per note, to the person's most recent account that can be written to
    (none when they have none, or withdrew consent); dedupe keys `<prefix>:<n>`."""
    targets = await bulk.reachable_identities(conn, sorted({n.person_id for n in notes}))
    messages = []
    for n, note in enumerate(notes):
        target = targets.get(note.person_id)
        if target is None:
            continue
        messages.append(
            outbox.NewMessage(
                channel=target.channel,
                chat_id=target.chat_id,
                identity_id=target.identity_id,
                payload=note.reply.model_dump(mode="json"),
                dedupe_key=f"{dedupe_prefix}:{n}",
                # A decision's notices wait until it stands; undoing cancels the batch.
                not_before=note.not_before,
                batch=note.batch,
            )
        )
    return messages
