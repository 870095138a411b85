"""What a chat's page reads on each poll: the bot's messages delivered after the last one
it shows, and what the person sent among them (their own history, for a reload or a second
browser), in one statement: the poll that finds an answer is one round trip, not two."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, cast, literal, null, or_, select, union_all
from sqlalchemy.sql.elements import BindParameter

from storage.db import Connection
from storage.rows import InboxItem, OutboxItem
from storage.schema import inbox, outbox


class OwnMessage(InboxItem):
    """What a person sent, as their own history shows it."""

    received_at: datetime


class Exchange(NamedTuple):
    """The bot's delivered messages in the order they were sent, and the person's own up
    to the last of them, oldest first."""

    delivered: list[OutboxItem]
    own: list[OwnMessage]


# A message of either side in one row shape. Both sides fill these (the outbox's column,
# then the inbox's); the bot's columns after them stay NULL on the person's rows.
_SHARED = (
    ("id", outbox.c.id, inbox.c.id),
    ("channel", outbox.c.channel, inbox.c.channel),
    ("chat", outbox.c.chat_id, inbox.c.sender_id),
    ("key", outbox.c.dedupe_key, inbox.c.external_id),
    ("payload", outbox.c.payload, inbox.c.payload),
    ("status", outbox.c.status, inbox.c.status),
    ("at", outbox.c.sent_at, inbox.c.received_at),
)
_BOT_ONLY = (
    outbox.c.identity_id,
    outbox.c.priority,
    outbox.c.batch,
    outbox.c.attempts,
    outbox.c.next_attempt_at,
    outbox.c.platform_message_id,
)
_BOT, _OWN = 0, 1


@cache
def _statement() -> Any:
    """Built once (binds channel, chat, after, limit, own_limit)."""
    channel: BindParameter[str] = bindparam("channel")
    chat: BindParameter[str] = bindparam("chat")
    after: BindParameter[str] = bindparam("after")
    delivered = (
        select(*(bot for _, bot, _ in _SHARED), *_BOT_ONLY)
        .where(
            outbox.c.channel == channel,
            outbox.c.chat_id == chat,
            outbox.c.status == "sent",
            outbox.c.platform_message_id > after,
        )
        .order_by(outbox.c.platform_message_id)
        .limit(bindparam("limit", type_=Integer()))
        .cte("delivered")
    )
    # The span of the person's messages: after the bot's message the page shows last (when
    # the channel numbered one so), up to the last one delivered now; none when none was.
    until = (
        select(delivered.c.sent_at)
        .order_by(delivered.c.platform_message_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    shown_at = (
        select(outbox.c.sent_at)
        .where(
            outbox.c.channel == channel,
            outbox.c.chat_id == chat,
            outbox.c.platform_message_id == after,
        )
        .scalar_subquery()
    )
    own = (
        select(*(person for _, _, person in _SHARED))
        .where(
            inbox.c.channel == channel,
            inbox.c.sender_id == chat,
            inbox.c.received_at <= until,
            or_(shown_at.is_(None), inbox.c.received_at > shown_at),
        )
        .order_by(inbox.c.received_at, inbox.c.id)
        .limit(bindparam("own_limit", type_=Integer()))
        .cte("own")
    )
    # Typed NULLs: the first branch's types decode both branches' values.
    bot_rows = select(
        literal(_BOT).label("side"),
        *(delivered.c[bot.key].label(name) for name, bot, _ in _SHARED),
        *(delivered.c[column.key] for column in _BOT_ONLY),
    )
    own_rows = select(
        literal(_OWN).label("side"),
        *(own.c[person.key].label(name) for name, _, person in _SHARED),
        *(cast(null(), column.type).label(column.key) for column in _BOT_ONLY),
    )
    return union_all(bot_rows, own_rows)


async def read(
    conn: Connection, channel: str, chat_id: str, after: str, limit: int = 100
) -> Exchange:
    """The messages of one chat after the bot's message the channel numbered `after`
    (zero-padded, as the channel numbers them; an unknown number starts at the beginning):
    at most `limit` of the bot's and 200 of the person's."""
    rows = await conn.execute(
        _statement(),
        {"channel": channel, "chat": chat_id, "after": after, "limit": limit, "own_limit": 200},
    )
    delivered: list[OutboxItem] = []
    own: list[OwnMessage] = []
    for row in rows:
        if row.side == _BOT:
            delivered.append(
                OutboxItem(
                    id=row.id,
                    channel=row.channel,
                    chat_id=row.chat,
                    identity_id=row.identity_id,
                    priority=row.priority,
                    payload=row.payload,
                    dedupe_key=row.key,
                    batch=row.batch,
                    status=row.status,
                    attempts=row.attempts,
                    next_attempt_at=row.next_attempt_at,
                    platform_message_id=row.platform_message_id,
                    sent_at=row.at,
                )
            )
        else:
            own.append(
                OwnMessage(
                    id=row.id,
                    channel=row.channel,
                    external_id=row.key,
                    sender_id=row.chat,
                    payload=row.payload,
                    status=row.status,
                    received_at=row.at,
                )
            )
    # A union keeps no order of its own.
    delivered.sort(key=lambda item: item.platform_message_id or "")
    own.sort(key=lambda item: (item.received_at, item.id))
    return Exchange(delivered, own)
