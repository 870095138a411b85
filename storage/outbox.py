"""The outbox: every outgoing message, claimed, sent and settled durably."""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Text,
    bindparam,
    case,
    cast,
    distinct,
    func,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy.sql.selectable import ScalarSelect

from storage import notify
from storage.db import Connection
from storage.rows import OutboxItem
from storage.schema import PENDING_ROW, identities, outbox
from storage.sql import Write, dialect_insert, insert_ignoring_conflicts
from storage.types import UTCDateTime

PRIORITY_REPLY = 0
PRIORITY_BULK = 10
# A sender holds a claimed row until then; a crash lets the row be claimed again after it.
CLAIM_HOLD = timedelta(seconds=60)
# Digits of a delivery sequence (the web chat's platform ids): zero-padded text sorts as numbers.
SEQUENCE_DIGITS = 20


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
        "sent_at": None,
        "created_at": now,
    }


@cache
def _returning(statement: Any, *columns: Any) -> Any:
    return statement.returning(*columns)


async def enqueue(conn: Connection, messages: Sequence[NewMessage], now: datetime) -> int:
    """Queue messages for their channels' senders; one whose dedupe key exists already is
    skipped. Returns how many were queued; the senders hear of them at commit.

    Counted from the rows the insert returns: a driver's rowcount for many rows at once is
    not a count (asyncpg gives -1). SQLAlchemy sends them as multi-row INSERTs.
    """
    if not messages:
        return 0
    rows = [_row(m, now, None) for m in messages]
    conn.queued_chats.update(
        (m.channel, m.chat_id)
        for m in messages
        if m.priority <= PRIORITY_REPLY and (m.not_before is None or m.not_before <= now)
    )
    insert = _returning(insert_ignoring_conflicts(conn, outbox), outbox.c.channel)
    channels = (await conn.execute(insert, rows)).scalars().all()
    for channel in set(channels):
        conn.notify(notify.OUTBOX, channel)
    return len(channels)


def _padded(dialect: str, number: Any) -> Any:
    """A delivery sequence as the zero-padded text that sorts as the numbers do
    (SEQUENCE_DIGITS); NULL stays NULL."""
    if dialect == "postgresql":
        return func.lpad(cast(number, Text()), SEQUENCE_DIGITS, "0")
    # Not printf: it prints NULL as zeros.
    zeros: Any = literal_column("'" + "0" * SEQUENCE_DIGITS + "'", Text())
    return func.substr(zeros.concat(cast(number, Text())), -SEQUENCE_DIGITS)


def _chat_last(channel: Any, chat: Any) -> Any:
    """The greatest delivery sequence a chat's rows carry (0 before the first). A row of a
    channel read from the outbox carries a number only once delivered, so no condition on
    the status: the maximum is read from the top of ix_outbox_chat_number."""
    delivered = outbox.alias("delivered")
    last = (
        select(func.max(delivered.c.platform_message_id))
        .where(delivered.c.channel == channel, delivered.c.chat_id == chat)
        .scalar_subquery()
    )
    return cast(func.coalesce(last, "0"), BigInteger())


def _greatest(dialect: str, *values: Any) -> Any:
    # SQLite's max() of several arguments is its greatest().
    return func.greatest(*values) if dialect == "postgresql" else func.max(*values)


# What may be written into a statement as it is: topic names and instance marks.
_PLAIN = re.compile(r"[A-Za-z0-9_: ]*")


def _sql_string(value: str) -> Any:
    """One of our constants (a topic name, this instance's random mark, a space) written
    into a statement; anything else is refused rather than quoted here. (SQLAlchemy's
    render-at-execution literals do not reach a RETURNING of a many-row INSERT.)"""
    if not _PLAIN.fullmatch(value):
        raise ValueError(f"not a plain constant: {value!r}")
    return literal_column(f"'{value}'", String())


# A few entries: one per engine and instance mark (one per process outside the tests).
@lru_cache(maxsize=8)
def _insert_claimed(dialect: str, mark: str | None = None) -> Any:
    """(`mark`, PostgreSQL: this instance's notification mark; each inserted row then also
    tells, in the same statement (pg_notify is delivered at commit, never after a rollback),
    the pages of its chat when it was delivered, or the other instances' sender of its
    channel when it was left unclaimed: no statement of its own before COMMIT. Written into
    the statement, not bound: SQLAlchemy binds no value outside a many-row VALUES.)"""
    # A row is claimed unless its chat has an earlier row it must not overtake: one waiting
    # to retry, or a due reply nobody holds (claim_due would send it first). Decided in the
    # INSERT itself, one round trip; the chat id is not an index prefix, so the check reads
    # the index of pending rows, never the history.
    earlier = outbox.alias("earlier")
    pending = earlier.c.status.in_([literal_column("'queued'"), literal_column("'retrying'")])
    # Each bind appears once: a name used twice breaks SQLAlchemy's many-row VALUES.
    due_by = bindparam("due_by", type_=UTCDateTime())
    free_by = bindparam("free_by", type_=UTCDateTime())
    behind = (
        select(earlier.c.id)
        .where(
            pending,
            earlier.c.chat_id == bindparam("to_chat"),
            earlier.c.channel == bindparam("on_channel"),
            (earlier.c.status == "retrying")
            | (
                (earlier.c.status == "queued")
                & (earlier.c.priority <= PRIORITY_REPLY)
                & (earlier.c.next_attempt_at <= due_by)
                & (earlier.c.claimed_until.is_(None) | (earlier.c.claimed_until < free_by))
            ),
        )
        .exists()
    )
    claim = case((behind, null()), else_=bindparam("claim_until", type_=UTCDateTime()))
    # A row delivered as it is inserted (`enqueue_claimed`'s `deliver`) is numbered after
    # its chat's last one; the others get NULL (`seq_n` NULL).
    last = _chat_last(bindparam("seq_channel"), bindparam("seq_chat"))
    floor = bindparam("seq_floor", type_=BigInteger())
    number = _greatest(dialect, last, floor) + bindparam("seq_n", type_=BigInteger())
    values: dict[str, Any] = {
        "claimed_until": claim,
        "platform_message_id": _padded(dialect, number),
    }
    statement = dialect_insert(dialect, outbox).values(values).on_conflict_do_nothing()
    if mark is None:
        return statement.returning(*outbox.c)
    tell = func.pg_notify(
        _sql_string(notify.DELIVERED),
        _sql_string(mark) + outbox.c.channel + _sql_string(" ") + outbox.c.chat_id,
    )
    wake = func.pg_notify(_sql_string(notify.OUTBOX), _sql_string(mark) + outbox.c.channel)
    told = case(
        (outbox.c.status == literal_column("'sent'"), tell),
        (outbox.c.claimed_until.is_(None), wake),
    )
    return statement.returning(*outbox.c, told.label("told"))


async def enqueue_claimed(
    conn: Connection,
    messages: Sequence[NewMessage],
    now: datetime,
    hold: timedelta,
    channels: Collection[str],
    deliver: tuple[str, str] | None = None,
    first: Write | None = None,
) -> list[OutboxItem]:
    """Queue messages already claimed by the caller, who hands them to its sender after commit.

    A reply then leaves without the sender's claim transaction. Only messages of `channels`
    (those this instance sends) are claimed, and only those due now whose chat has no earlier
    message still to send (waiting to retry, or due and unclaimed): the others are queued as
    `enqueue` queues them, and the sender claims them in the chat's order. Returns the
    claimed rows; repeats of a dedupe key are skipped as in `enqueue`.

    `deliver` (channel, chat): a chat whose readers fetch from the outbox (the web chat)
    and whose messages nobody else numbers meanwhile (the caller holds the chat's account
    row and nothing of the chat waited before its transaction): its due messages are
    delivered as they are inserted, numbered after the chat's last one, and its readers told
    at commit; unless this transaction queued a reply to the chat before (`enqueue`), which
    then leaves first, with these, from the lane.

    `first`: a write of the caller's to run before (a step's state): on PostgreSQL, when
    one message is queued, in the same statement (a data-changing WITH, one round trip).
    """
    if not messages:
        if first is not None:
            await conn.execute(first.statement, first.parameters)
        return []
    if deliver in conn.queued_chats:
        deliver = None  # a message queued before these in this transaction goes first
    rows = []
    floor = time.time_ns() // 1000
    numbered = 0
    for m in messages:
        row = _row(m, now, None)
        del row["claimed_until"]
        due = m.not_before is None or m.not_before <= now
        claim_until = now + hold if due and m.channel in channels else None
        row.update(to_chat=m.chat_id, on_channel=m.channel, claim_until=claim_until)
        # Numbered rows only: another channel's platform ids are not numbers (a NULL channel
        # reads no row).
        row.update(due_by=now, free_by=now, seq_channel=None, seq_chat=None)
        row.update(seq_floor=None, seq_n=None)
        if due and deliver == (m.channel, m.chat_id):
            numbered += 1
            row.update(status="sent", sent_at=now, attempts=1, claim_until=None)
            row.update(seq_channel=m.channel, seq_chat=m.chat_id, seq_floor=floor, seq_n=numbered)
        rows.append(row)
    # A repeated dedupe key returns no row (it was queued before).
    mark = conn.wire_mark
    statement = _insert_claimed(conn.dialect.name, mark)
    if first is not None and len(rows) == 1 and conn.dialect.name == "postgresql":
        # One row: its values bind as one statement's, where a WITH's may bind beside them.
        assert first.parameters.keys().isdisjoint(rows[0])
        statement = _carrying(statement, first.statement)
        inserted = (await conn.execute(statement, {**rows[0], **first.parameters})).all()
    else:
        if first is not None:
            await conn.execute(first.statement, first.parameters)
        inserted = (await conn.execute(statement, rows)).all()
    claimed = []
    # Told to the server already when the statement has this instance's mark.
    told = mark is not None
    for new_row in inserted:
        if new_row.status == "sent":
            conn.notify(notify.DELIVERED, f"{new_row.channel} {new_row.chat_id}", told=told)
        elif new_row.claimed_until is None:
            conn.notify(notify.OUTBOX, new_row.channel, told=told)
        else:
            claimed.append(OutboxItem.model_validate(new_row))
    return sorted(claimed, key=lambda item: item.id)


# A few entries: the insert per instance mark, with the one write that goes with it.
@lru_cache(maxsize=8)
def _carrying(statement: Any, first: Any) -> Any:
    """`statement` with `first` run in a WITH before it (PostgreSQL runs a data-changing WITH
    whether or not the statement reads it)."""
    return statement.add_cte(first.cte("first_write"))


async def claim_due(
    conn: Connection, channel: str, now: datetime, limit: int, hold: timedelta
) -> list[OutboxItem]:
    """Claim the next due rows of a channel (replies first); SKIP LOCKED on PostgreSQL."""
    claimed = await conn.execute(CLAIM_DUE, claim_parameters(channel, now, limit, hold))
    # RETURNING has no order of its own.
    items = [OutboxItem.model_validate(r) for r in claimed]
    return sorted(items, key=lambda item: (item.priority, item.id))


def claim_parameters(channel: str, now: datetime, limit: int, hold: timedelta) -> dict[str, Any]:
    """The values of CLAIM_DUE's parameters."""
    return {"claim_channel": channel, "now": now, "claim_limit": limit, "until": now + hold}


def _due_rows(*, behind_held: bool = False) -> Any:
    """The ids (and priorities) of a channel's next due rows, locked (SKIP LOCKED): replies
    first. `behind_held`: also not behind an earlier row of their chat someone holds."""
    earlier = outbox.alias("earlier")
    channel = bindparam("claim_channel", type_=outbox.c.channel.type)
    now = bindparam("now", type_=UTCDateTime())
    # A chat's messages leave in order: nothing overtakes an earlier one waiting to retry.
    blocking = earlier.c.status == "retrying"
    if behind_held:
        # Delivered together, an earlier row due again goes first among them (numbered
        # first); one not due yet, or one someone holds, keeps the later rows back.
        blocking = (blocking & (earlier.c.next_attempt_at > now)) | (earlier.c.claimed_until >= now)
    waiting_before = (
        select(earlier.c.id)
        .where(
            earlier.c.channel == channel,
            earlier.c.chat_id == outbox.c.chat_id,
            blocking,
            earlier.c.id < outbox.c.id,
        )
        .exists()
    )
    return (
        select(outbox.c.id, outbox.c.priority)
        .where(
            outbox.c.channel == channel,
            PENDING_ROW,
            outbox.c.next_attempt_at <= now,
            (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until < now),
            ~waiting_before,
        )
        .order_by(outbox.c.priority, outbox.c.id)
        .limit(bindparam("claim_limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )


def _claim_statement() -> Any:
    due = _due_rows().with_only_columns(outbox.c.id)
    return (
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(claimed_until=bindparam("until", type_=UTCDateTime()))
        .returning(*outbox.c)
    )


# One statement that picks the due rows and claims them (tests look at its plan). Built
# once: building it per claim cost the sending instance more CPU than running it (a claim
# follows every reply another instance queued).
CLAIM_DUE = _claim_statement()


# Rows one delivery marks at most: the chats it tells of go in one NOTIFY payload (100 chat
# ids of at most 64 characters and a space each: 6,500 bytes, under notify.MAX_PAYLOAD).
DELIVER_AT_MOST = 100


class Delivered(NamedTuple):
    """What one delivery did: the chat of each row delivered, and how many due rows it left
    because a step was handling their chat (to try again shortly)."""

    chats: list[str]
    held: int = 0


@cache
def _looking() -> Any:
    """PostgreSQL: the due rows a delivery looks at (id, chat), locked, and whether each may
    be numbered now (`free`): its chat's account row is locked too (SKIP LOCKED), or there is
    none. A chat whose account a step holds is left to that step, which numbers its own
    replies (`enqueue_claimed`'s `deliver`) until it commits. A chat without an account row
    (an apology for a first message that failed) has no step numbering at once."""
    candidates = _due_rows(behind_held=True).add_columns(outbox.c.chat_id).cte("candidates")
    channel = bindparam("claim_channel", type_=outbox.c.channel.type)
    owners = (
        select(identities.c.external_id)
        .where(
            identities.c.channel == channel,
            identities.c.external_id.in_(select(candidates.c.chat_id)),
        )
        .with_for_update(skip_locked=True)
        .cte("owners")
    )
    unowned = ~(
        select(identities.c.id)
        .where(identities.c.channel == channel, identities.c.external_id == candidates.c.chat_id)
        .exists()
    )
    free = candidates.c.chat_id.in_(select(owners.c.external_id)) | unowned
    return select(candidates.c.id, free.label("free"))


@cache
def _deliver_statement(dialect: str) -> Any:
    """Mark rows sent, each chat's numbered after its last one in the order a page reads
    them (replies first), returning each row's id and chat: on PostgreSQL the rows `ids`
    (`_looking` locked them and their chats), on SQLite a channel's due rows. For a channel
    whose readers fetch from the outbox (the web chat) this is the delivery: no claim, no
    send, no second statement to mark."""
    if dialect == "postgresql":
        chosen = outbox.c.id.in_(bindparam("ids", expanding=True))
        locked = select(outbox.c.id, outbox.c.priority, outbox.c.chat_id).where(chosen)
    else:  # one writer at a time already
        locked = _due_rows(behind_held=True).add_columns(outbox.c.chat_id)
    rows = locked.subquery("locked")
    in_chat = func.row_number().over(
        partition_by=rows.c.chat_id, order_by=(rows.c.priority, rows.c.id)
    )
    last = _chat_last(bindparam("claim_channel", type_=outbox.c.channel.type), rows.c.chat_id)
    floor = bindparam("floor", type_=BigInteger())
    numbered = select(
        rows.c.id, (_greatest(dialect, last, floor) + in_chat).label("number")
    ).subquery("numbered")
    return (
        update(outbox)
        .where(outbox.c.id == numbered.c.id)
        .values(
            status="sent",
            sent_at=bindparam("now", type_=UTCDateTime()),
            platform_message_id=_padded(dialect, numbered.c.number),
            claimed_until=None,
            attempts=outbox.c.attempts + 1,
        )
        .returning(outbox.c.id, outbox.c.chat_id)
    )


@cache
def _deliver_waking() -> Any:
    """PostgreSQL: `_deliver_statement` as a WITH whose SELECT also tells every instance's
    pages which chats got messages (DELIVERED, sent at commit), on one row."""
    delivered = _deliver_statement("postgresql").cte("delivered")
    chats = select(
        func.string_agg(distinct(delivered.c.chat_id), literal_column("' '"))
    ).scalar_subquery()
    wake = func.pg_notify(
        bindparam("wake_topic", type_=String()), bindparam("wake_prefix", type_=String()) + chats
    )
    first = select(func.min(delivered.c.id)).scalar_subquery()
    return select(delivered.c.id, delivered.c.chat_id, case((delivered.c.id == first, wake)))


async def deliver_due(conn: Connection, channel: str, now: datetime, limit: int) -> Delivered:
    """Deliver (mark sent) up to `limit` due rows of a channel whose readers fetch from the
    outbox (at most DELIVER_AT_MOST), each chat's numbered after its last one; the chats'
    readers are told at commit.

    Rows behind an earlier row of their chat that is held (claimed and on its way) wait for
    it, and on PostgreSQL so do the rows of a chat a step is handling (it may number its
    replies meanwhile; counted in `held`): a reader must never see a later message first,
    nor a smaller number committed after a greater one it read. There the rows and their
    chats are locked first, and numbered by a second statement, whose snapshot has every
    step that numbered those chats before (one statement would number from a snapshot
    taken before a step that committed while it waited)."""
    limit = min(limit, DELIVER_AT_MOST)
    values: dict[str, Any] = {"claim_channel": channel, "now": now, "claim_limit": limit}
    held = 0
    mark = conn.wire_mark
    prefix = f"{channel} "
    dialect = conn.dialect.name
    if dialect == "postgresql":
        looked = (await conn.execute(_looking(), values)).all()
        free = [row.id for row in looked if row.free]
        held = len(looked) - len(free)
        if not free:
            return Delivered([], held)
        values["ids"] = free
    values["floor"] = time.time_ns() // 1000
    if mark is not None:
        values.update(wake_topic=notify.DELIVERED, wake_prefix=mark + prefix)
        rows = list((await conn.execute(_deliver_waking(), values)).all())
    else:
        rows = list((await conn.execute(_deliver_statement(dialect), values)).all())
    chats = [str(row.chat_id) for row in rows]
    if chats:
        # Told to the server already when the statement woke the others.
        conn.notify(notify.DELIVERED, prefix + " ".join(sorted(set(chats))), told=mark is not None)
    return Delivered(chats, held)


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
    """Several rows the platform accepted, in one statement (the lane's group commit). One
    row alone carries the notes the transaction made so far (`Connection.execute_telling`)."""
    values = [{"item_id": item, "platform_id": platform, "now": now} for item, platform in sent]
    if len(values) == 1:
        await conn.execute_telling(_MARK_SENT, values[0])
    elif values:
        await conn.execute(_MARK_SENT, values)


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


async def release(conn: Connection, channel: str, item_ids: Sequence[int]) -> None:
    """Hand claimed rows of a channel back untouched, to be claimed again in their order
    (stopping, behind a row waiting to retry, or no longer this instance's channel)."""
    if item_ids:
        await conn.execute(
            update(outbox).where(outbox.c.id.in_(list(item_ids))).values(claimed_until=None)
        )
        conn.notify(notify.OUTBOX, channel)


async def release_claims(conn: Connection, channel: str) -> None:
    """Free every claim of a channel: its previous sender is gone (crashed, or its lease
    lapsed and it stopped sending), and the new one starts from the database."""
    await conn.execute(
        update(outbox)
        .where(outbox.c.channel == channel, PENDING_ROW, outbox.c.claimed_until.is_not(None))
        .values(claimed_until=None)
    )


async def count_pending(conn: Connection) -> int:
    """Messages not yet settled, over all channels."""
    return int(
        (
            await conn.execute(select(func.count()).select_from(outbox).where(PENDING_ROW))
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


_LATEST_DELIVERED = (
    select(outbox.c.payload)
    .where(
        # Not "channel": beside an UPDATE in a WITH (storage.steps), a bind named like a
        # column of the updated table is taken as a value to SET.
        outbox.c.channel == bindparam("chat_channel"),
        outbox.c.chat_id == bindparam("chat"),
        outbox.c.status == "sent",
        outbox.c.sent_at.is_not(None),
    )
    # Sent in one group commit, replies leave before bulk messages.
    .order_by(outbox.c.sent_at.desc(), outbox.c.priority.desc(), outbox.c.id.desc())
    .limit(1)
)


def latest_delivered() -> ScalarSelect[Any]:
    """The payload of the last message a chat (binds `chat_channel`, `chat`) received, as a
    subquery of the statement that loads a turn: a reply right after it may answer it, and
    asking in a statement of its own cost a round trip per typed message."""
    return _LATEST_DELIVERED.scalar_subquery()


_CHAT_WAITING = (
    select(outbox.c.id)
    .where(
        outbox.c.channel == bindparam("chat_channel"),
        outbox.c.chat_id == bindparam("chat"),
        PENDING_ROW,
        (outbox.c.status == "retrying")
        | (
            (outbox.c.priority <= PRIORITY_REPLY)
            & (outbox.c.next_attempt_at <= bindparam("chat_due_by", type_=UTCDateTime()))
        ),
    )
    .exists()
)


def chat_waiting() -> Any:
    """Whether a chat (binds `chat_channel`, `chat`) has a message still to send that a
    reply must not overtake (waiting to retry, or a due reply), at `chat_due_by`; asked in
    the statement that loads a turn: a step delivers its replies at once only when not."""
    return _CHAT_WAITING


async def cancel_batch(conn: Connection, batch: str) -> int:
    """Cancel a batch's rows not sent yet (an undone decision's held messages)."""
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.batch == batch, PENDING_ROW)
        .values(status="cancelled", claimed_until=None)
    )
    return int(result.rowcount)
