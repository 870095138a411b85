"""The outbox: every outgoing message, claimed, sent and settled durably."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, func, select, update

from storage.db import Connection
from storage.prepared import Prepared
from storage.rows import OutboxItem
from storage.schema import outbox
from storage.sql import insert_ignoring_conflicts

PRIORITY_REPLY = 0
PRIORITY_BULK = 10
PENDING = ("queued", "retrying")
# A sender holds a claimed row until then; a crash lets the row be claimed again after it.
CLAIM_HOLD = timedelta(seconds=60)


class NewMessage(BaseModel):
    """One message to queue."""

    channel: str
    chat_id: str
    identity_id: int | None
    payload: dict[str, Any]
    priority: int = PRIORITY_REPLY
    dedupe_key: str | None = None
    batch: str | None = None
    # Not before this time (bulk sends postponed past quiet hours); None: now.
    not_before: datetime | None = None


def _row(message: NewMessage, now: datetime, claimed_until: datetime | None) -> dict[str, Any]:
    return {
        **message.model_dump(exclude={"not_before"}),
        "replace_key": message.payload.get("replace_key"),
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": message.not_before or now,
        "claimed_until": claimed_until,
        "created_at": now,
    }


async def enqueue(conn: Connection, messages: Sequence[NewMessage], now: datetime) -> int:
    """Queue messages; one whose dedupe key exists already is skipped. Returns how many."""
    if not messages:
        return 0
    rows = [_row(m, now, None) for m in messages]
    result = await conn.execute(insert_ignoring_conflicts(conn, outbox), rows)
    conn.queued_outbox += int(result.rowcount)
    return int(result.rowcount)


# The channels on which a chat has a row a new reply must not overtake: one waiting to retry,
# or a due reply nobody holds (claim_due would send it first). The chat id is not an index
# prefix, so SQLite reads ix_outbox_due by status: pending rows only, never the history.
_CHANNELS_WITH_EARLIER = Prepared(
    select(outbox.c.channel)
    .where(
        outbox.c.chat_id == bindparam("chat"),
        (outbox.c.status == "retrying")
        | (
            (outbox.c.status == "queued")
            & (outbox.c.priority <= PRIORITY_REPLY)
            & (outbox.c.next_attempt_at <= bindparam("now"))
            & (outbox.c.claimed_until.is_(None) | (outbox.c.claimed_until < bindparam("now")))
        ),
    )
    .distinct()
)


@cache
def _returning_all(statement: Any) -> Prepared:
    return Prepared(statement.returning(*outbox.c))


async def enqueue_claimed(
    conn: Connection, messages: Sequence[NewMessage], now: datetime, hold: timedelta
) -> list[OutboxItem]:
    """Queue messages already claimed by the caller, who hands them to the sender after commit.

    A reply then leaves without the sender's claim transaction. Messages due later, and
    those to a chat with an earlier message not yet sent (waiting to retry, or due and
    unclaimed, such as one queued earlier in this transaction), are queued unclaimed
    instead: the sender's claim keeps a chat's order, and `conn.queued_outbox` counts them.
    Returns the claimed rows; repeats of a dedupe key are skipped as in `enqueue`.
    """
    if not messages:
        return []
    behind: set[tuple[str, str]] = set()
    for chat in sorted({m.chat_id for m in messages}):  # a step writes to one chat, mostly
        found = await conn.run(_CHANNELS_WITH_EARLIER, {"chat": chat, "now": now})
        behind.update((str(channel), chat) for (channel,) in found)
    claimed: list[NewMessage] = []
    later: list[NewMessage] = []
    for m in messages:
        direct = (m.not_before is None or m.not_before <= now) and (
            m.channel,
            m.chat_id,
        ) not in behind
        (claimed if direct else later).append(m)
    await enqueue(conn, later, now)
    if not claimed:
        return []
    # One statement per row: a row or two per step, and a many-row RETURNING insert costs more.
    insert = _returning_all(insert_ignoring_conflicts(conn, outbox))
    items = []
    for m in claimed:
        row = (await conn.run(insert, _row(m, now, now + hold))).first()
        if row is not None:  # None: the dedupe key was queued before
            items.append(OutboxItem.model_validate(row))
    return items


async def claim_due(
    conn: Connection, channel: str, now: datetime, limit: int, hold: timedelta
) -> list[OutboxItem]:
    """Claim the next due rows of a channel (replies first); SKIP LOCKED on PostgreSQL."""
    earlier = outbox.alias("earlier")
    # A chat's messages leave in order: nothing overtakes an earlier one waiting to retry.
    waiting_before = (
        select(earlier.c.id)
        .where(
            earlier.c.channel == channel,
            earlier.c.chat_id == outbox.c.chat_id,
            earlier.c.status == "retrying",
            earlier.c.id < outbox.c.id,
        )
        .exists()
    )
    due = (
        select(outbox.c.id)
        .where(
            outbox.c.channel == channel,
            outbox.c.status.in_(PENDING),
            outbox.c.next_attempt_at <= now,
            (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until < now),
            ~waiting_before,
        )
        .order_by(outbox.c.priority, outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [r[0] for r in await conn.execute(due)]
    if not ids:
        return []
    await conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(claimed_until=now + hold))
    rows = await conn.execute(
        select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.priority, outbox.c.id)
    )
    return [OutboxItem.model_validate(r) for r in rows]


_MARK_SENT = (
    update(outbox)
    .where(outbox.c.id == bindparam("item_id"))
    .values(
        status="sent",
        sent_at=bindparam("now"),
        platform_message_id=bindparam("platform_id"),
        claimed_until=None,
        attempts=outbox.c.attempts + 1,
    )
)


async def mark_sent_many(
    conn: Connection, sent: Sequence[tuple[int, str | None]], now: datetime
) -> None:
    """Several rows the platform accepted, in one statement (the lane's group commit)."""
    if not sent:
        return
    await conn.execute(
        _MARK_SENT,
        [
            {"item_id": item_id, "platform_id": platform_id, "now": now}
            for item_id, platform_id in sent
        ],
    )


async def mark_retry(
    conn: Connection, item_id: int, error: str, at: datetime, *, count_attempt: bool = True
) -> None:
    """A temporary failure: try again at `at`."""
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == item_id)
        .values(
            status="retrying",
            next_attempt_at=at,
            last_error=error[:300],
            claimed_until=None,
            attempts=outbox.c.attempts + (1 if count_attempt else 0),
        )
    )


async def mark_final(conn: Connection, item_id: int, status: str, error: str) -> None:
    """Give up on a message: failed, blocked or unreachable."""
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == item_id)
        .values(
            status=status,
            last_error=error[:300],
            claimed_until=None,
            attempts=outbox.c.attempts + 1,
        )
    )


async def last_platform_id(
    conn: Connection, channel: str, chat_id: str, replace_key: str
) -> str | None:
    """The platform id of the latest sent message with this replace key (to edit it)."""
    value: str | None = (
        await conn.execute(
            select(outbox.c.platform_message_id)
            .where(
                outbox.c.channel == channel,
                outbox.c.chat_id == chat_id,
                outbox.c.replace_key == replace_key,
                outbox.c.status == "sent",
                outbox.c.platform_message_id.is_not(None),
            )
            .order_by(outbox.c.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return value


async def release(conn: Connection, item_ids: Sequence[int]) -> None:
    """Hand claimed rows back untouched (shutdown, or held back behind a failed one)."""
    if item_ids:
        await conn.execute(
            update(outbox).where(outbox.c.id.in_(list(item_ids))).values(claimed_until=None)
        )


async def release_all_claims(conn: Connection) -> int:
    """Free every claim (SQLite runs one process, so claims left at start are a crash's)."""
    result = await conn.execute(
        update(outbox).where(outbox.c.claimed_until.is_not(None)).values(claimed_until=None)
    )
    return int(result.rowcount)


async def count_pending(conn: Connection) -> int:
    """Messages not yet settled, over all channels."""
    return int(
        (
            await conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.status.in_(PENDING))
            )
        ).scalar_one()
    )


async def counts_by_status(conn: Connection, batch: str) -> dict[str, int]:
    """A broadcast's progress: how many of its messages are in each status."""
    rows = await conn.execute(
        select(outbox.c.status, func.count())
        .where(outbox.c.batch == batch)
        .group_by(outbox.c.status)
    )
    return {str(status): int(n) for status, n in rows}


async def delivered_after(
    conn: Connection, channel: str, chat_id: str, after: str, limit: int = 100
) -> list[OutboxItem]:
    """Messages delivered to one chat after a delivery sequence (the channel's platform id,
    zero-padded): in the order they were sent, which priorities make differ from the ids."""
    rows = await conn.execute(
        select(outbox)
        .where(
            outbox.c.channel == channel,
            outbox.c.chat_id == chat_id,
            outbox.c.status == "sent",
            outbox.c.platform_message_id > after,
        )
        .order_by(outbox.c.platform_message_id)
        .limit(limit)
    )
    return [OutboxItem.model_validate(r) for r in rows]
