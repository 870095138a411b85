"""The opening of a step: its event closed, its sender's account touched, their state loaded.

Every step starts with these three; on PostgreSQL they are one statement (a WITH of the
closing UPDATE and the account's upsert, then the load), three round trips fewer per step
to a server that may sit across a network. The upsert reads its row from the closing: when
no event was left (another instance took it) nothing is written. SQLite, in process, runs
the three statements one after another.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import true

from storage import inbox, people
from storage.conversations import Loaded, load_statement, load_turn, loaded_from
from storage.db import Connection
from storage.outbox import chat_waiting, latest_delivered
from storage.rows import Identity
from storage.schema import identities

# The account's columns, labelled identity_<name> in the statement's rows.
_ACCOUNT = tuple(column.key for column in identities.c)


class Opened(NamedTuple):
    """A step's event, its sender's account (just touched) and what the step knows of them."""

    item_id: int
    identity: Identity
    loaded: Loaded


@cache
def _open_statement() -> Any:
    """Built once, when first used (PostgreSQL only: SQLite has no INSERT or UPDATE inside a
    WITH, and a bot on SQLite never loads PostgreSQL's dialect)."""
    closed = inbox.CLOSE_NEXT.cte("closed")
    touched = people.touch_after(closed).cte("touched")
    account = [touched.c[name].label(f"identity_{name}") for name in _ACCOUNT]
    source = closed.join(touched, true())
    return load_statement(source, touched.c.id, touched.c.person_id).add_columns(
        closed.c.id.label("item_id"),
        *account,
        latest_delivered().label("latest_delivered"),
        chat_waiting().label("chat_waiting"),
    )


async def open_step(
    conn: Connection,
    sender: tuple[str, str],
    upto: int,
    now: datetime,
    chat: tuple[str, str],
) -> Opened | None:
    """Close the sender's (channel, account) oldest pending event up to `upto` (see
    inbox.close_next), touch their account (people.touch_identity) and load their turn with
    the last message `chat` (channel, chat id) received and whether one to it still waits;
    None when no event was left."""
    channel, sender_id = sender
    # The app's display name has no purpose here: it is not kept (None).
    if conn.dialect.name != "postgresql":
        item_id = await inbox.close_next(conn, channel, sender_id, upto, now)
        if item_id is None:
            return None
        identity = await people.touch_identity(conn, channel, sender_id, None, now)
        return Opened(item_id, identity, await load_turn(conn, identity.id, (*chat, now)))
    # No bind may be named like a column of inbox: SQLAlchemy would SET it in the UPDATE.
    values = {
        **people.touch_values(channel, sender_id, None, now),
        "sender": sender_id,
        "upto": upto,
        "chat_channel": chat[0],
        "chat": chat[1],
        "chat_due_by": now,
    }
    rows = (await conn.execute(_open_statement(), values)).all()
    if not rows:
        return None
    first = rows[0]._mapping
    identity = Identity.model_validate({name: first[f"identity_{name}"] for name in _ACCOUNT})
    return Opened(int(first["item_id"]), identity, loaded_from(rows, in_chat=True))
