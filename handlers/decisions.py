"""Decisions that can be undone for a few minutes, and whose notices wait until they stand.

A decision another person will see (approve, reject, forward, merge, publish, a bulk send)
takes effect at once, so queues and counts are right at once; what it sends to others is
queued with `not_before` at the end of the undo window and carries the decision's batch.
Until then its maker may undo it, provided nobody acted on it since (a higher level deciding
a forwarded nomination, a commendation on an approved one, an answer to a call): undoing
puts every row back as it was and cancels the held messages, so nobody is ever told of a
decision that did not stand, and a notice that stands goes out exactly once (it is an
outbox row, durable across restarts).

These functions take a connection, the acting person and the time, not a chat turn: the
web console calls them the same way (issue 17).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from handlers.config import CoreConfig
from handlers.mediafiles import delete_files
from storage import (
    audit,
    bulk,
    campaigns,
    commendations,
    decisions,
    events,
    outbox,
    publications,
    reviews,
)
from storage.db import Connection
from storage.decisions import Decision


class Undone(StrEnum):
    """What became of a request to undo a decision."""

    DONE = "done"
    # The window has passed (the notices may be on their way), or it was undone already.
    TOO_LATE = "too_late"
    # Someone acted on it since (a decision at the next level, an answer, a commendation).
    ACTED_ON = "acted_on"
    # No such decision of this person.
    UNKNOWN = "unknown"


def new_batch() -> str:
    """The batch name of a decision's held messages."""
    return f"decision:{uuid.uuid4().hex[:20]}"


async def made(
    conn: Connection,
    config: CoreConfig,
    now: datetime,
    *,
    kind: str,
    actor_id: int,
    object_id: int,
    label: str,
    detail: dict[str, Any],
    batch: str,
) -> Decision:
    """Record a decision just made; its messages must be queued with `batch` and
    `not_before=decision.undo_until`."""
    return await decisions.record(
        conn,
        kind=kind,
        actor_id=actor_id,
        object_id=object_id,
        label=label,
        detail=detail,
        batch=batch,
        now=now,
        undo_until=now + config.undo_window,
    )


async def undo(
    conn: Connection, config: CoreConfig, actor_id: int, decision_id: int, now: datetime
) -> tuple[Undone, Decision | None]:
    """Undo one of the actor's decisions if it has not stood yet and nobody acted on it."""
    decision = await decisions.get(conn, decision_id)
    if decision is None or decision.actor_id != actor_id:
        return Undone.UNKNOWN, None
    if decision.undone_at is not None or decision.undo_until <= now:
        return Undone.TOO_LATE, decision
    reverse = _REVERSE.get(decision.kind)
    if reverse is None or not await reverse(conn, config, decision, now):
        return Undone.ACTED_ON, decision
    if not await decisions.mark_undone(conn, decision.id, now):
        return Undone.TOO_LATE, decision
    await outbox.cancel_batch(conn, decision.batch)
    await audit.record(
        conn,
        at=now,
        actor_id=actor_id,
        action="decision.undone",
        object_type=decision.kind,
        object_id=decision.object_id,
        detail={"decision": decision.id, "label": decision.label},
    )
    return Undone.DONE, decision


Reverse = Callable[[Connection, CoreConfig, Decision, datetime], Awaitable[bool]]


async def _review(conn: Connection, config: CoreConfig, d: Decision, now: datetime) -> bool:
    """Approve, reject, forward: back to the status and level before, if nobody acted."""
    detail = d.detail
    item = await reviews.get_item(conn, d.object_id)
    if item is None or item.status != detail["to_status"]:
        return False
    if await reviews.events_since(conn, item.id, int(detail["event_id"])):
        return False
    if d.kind == "approve" and (
        await commendations.count_for(conn, item.id)
        or await publications.publication_of(conn, item.id) is not None
    ):
        return False
    if d.kind == "forward" and await reviews.level_of(conn, item.id) != detail["to_level"]:
        return False
    if not await reviews.change_status(
        conn, item.id, [detail["to_status"]], detail["from_status"], now
    ):
        return False
    if d.kind == "forward":
        await reviews.restore_level(conn, item.id, detail["from_level"], now)
    await reviews.delete_event(conn, int(detail["event_id"]))
    return True


async def _merge(conn: Connection, config: CoreConfig, d: Decision, now: datetime) -> bool:
    """A merge: the duplicate's files and followers go back, and it waits again."""
    detail = d.detail
    item = await reviews.get_item(conn, d.object_id)
    if item is None or item.status != "merged":
        return False
    if await reviews.events_since(conn, item.id, int(detail["event_id"])):
        return False
    if not await reviews.change_status(conn, item.id, ["merged"], detail["from_status"], now):
        return False
    moves = reviews.MergeMoves.model_validate(detail["moves"])
    await reviews.undo_merge(conn, item.id, int(detail["into_id"]), moves)
    await reviews.delete_event(conn, int(detail["event_id"]))
    return True


async def _publish(conn: Connection, config: CoreConfig, d: Decision, now: datetime) -> bool:
    """A publication: off the honour page again (the channel's post was held)."""
    published = await publications.get_publication(conn, d.object_id)
    if published is None or published.status != "published":
        return False
    if d.detail.get("again"):
        await publications.withdraw(conn, published.id, now)
    else:
        await publications.delete_publication(conn, published.id)
    await delete_files(
        config.media, [n for n in (published.card, published.picture, published.thumb) if n]
    )
    return True


async def _bulk(conn: Connection, config: CoreConfig, d: Decision, now: datetime) -> bool:
    """A broadcast, a call's opening or an event's invitation: nothing was sent yet. A call
    someone nominated in, or an event someone answered, stands."""
    if d.kind == "call":
        if await campaigns.reporters_in(conn, d.object_id):
            return False
        await campaigns.delete_campaign(conn, d.object_id)
    elif d.kind == "event":
        if await events.answers(conn, d.object_id):
            return False
        await events.delete_event(conn, d.object_id)
    await bulk.delete_bulk(conn, d.batch)
    return True


_REVERSE: dict[str, Reverse] = {
    "approve": _review,
    "reject": _review,
    "forward": _review,
    "merge": _merge,
    "publish": _publish,
    "broadcast": _bulk,
    "call": _bulk,
    "event": _bulk,
}
