"""Queueing officials' messages: one to every member of a scope, or one to one person."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from handlers.config import CoreConfig
from handlers.localtime import quiet_until
from handlers.types import Attachment, Choice, Reply
from storage import bulk, outbox
from storage.db import Connection
from storage.rows import Unit


async def fan_out(
    conn: Connection,
    config: CoreConfig,
    now: datetime,
    *,
    kind: str,
    batch: str,
    created_by: int | None,
    unit: Unit,
    text: str,
    label: str,
    options: Sequence[tuple[str, str]] = (),
    media: Sequence[Attachment] = (),
    exclude: Collection[int] = (),
    only: Collection[int] | None = None,
    report: bool = True,
    key: Callable[[int], str] | None = None,
    hold_until: datetime | None = None,
) -> bulk.BulkSend:
    """Queue one message per member in the unit's scope on the bulk lane.

    Each person gets it on their most recent reachable account; people with none are
    counted, not sent to. Options are action values ("!call.12"); the message is an aside,
    so a typed "1" right after it answers it on channels without buttons, whatever the
    person was doing. In quiet hours the rows wait until the morning, and a send that can
    still be undone waits until `hold_until`. `label` names the send in reports; `only`
    narrows the scope to some people (an event's attendees).
    """
    people = [p for p in await bulk.people_in_scope(conn, unit.path) if p not in exclude]
    if only is not None:
        people = [p for p in people if p in only]
    reachable = await bulk.reachable_identities(conn, people)
    recipients = [reachable[p] for p in people if p in reachable]
    waits = [w for w in (quiet_until(now, config), hold_until) if w is not None]
    not_before = max(waits) if waits else None
    choices = [Choice(label=label, token=value) for value, label in options]
    messages: list[outbox.NewMessage] = []
    for recipient in recipients:
        reply = Reply(text=text, choices=choices, media=list(media), aside=True)
        messages.append(
            outbox.NewMessage(
                channel=recipient.channel,
                chat_id=recipient.chat_id,
                identity_id=recipient.identity_id,
                payload=reply.model_dump(mode="json"),
                priority=outbox.PRIORITY_BULK,
                dedupe_key=key(recipient.person_id) if key else f"{batch}:{recipient.person_id}",
                batch=batch,
                not_before=not_before,
            )
        )
    # Rows whose dedupe key exists (a person reminded before) are not queued again.
    queued = await outbox.enqueue(conn, messages, now)
    return await bulk.create_bulk(
        conn,
        kind=kind,
        batch=batch,
        created_by=created_by,
        unit_id=unit.id,
        object_id=None,
        text=label,
        total=queued,
        unreachable=len(people) - len(recipients),
        report=report,
        now=now,
    )


async def target_of(conn: Connection, person_id: int) -> bulk.Recipient | None:
    """A person's most recent reachable account, or None."""
    return (await bulk.reachable_identities(conn, [person_id])).get(person_id)


async def send_to(
    conn: Connection,
    now: datetime,
    target: bulk.Recipient,
    reply: Reply,
    dedupe_key: str,
    not_before: datetime | None = None,
) -> None:
    """Queue one message to one account on the reply lane (jobs use this)."""
    await outbox.enqueue(
        conn,
        [
            outbox.NewMessage(
                channel=target.channel,
                chat_id=target.chat_id,
                identity_id=target.identity_id,
                payload=reply.model_dump(mode="json"),
                dedupe_key=dedupe_key,
                not_before=not_before,
            )
        ],
        now,
    )
