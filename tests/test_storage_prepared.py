"""Prepared statements (storage/prepared.py) give what SQLAlchemy gives, on a real SQLite file.

Each hot statement of a step runs twice on the same data, once straight through sqlite3 and
once through SQLAlchemy, each in a transaction rolled back afterwards: the rows (values and
Python types), the counts and the tables afterwards must be equal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, StatementError

from storage import conversations, inbox, kv, outbox, people
from storage.conversations import ConversationState, Menu, save_state
from storage.db import Connection, Database
from storage.migrate import upgrade
from storage.prepared import Prepared, Rows, plan_for
from storage.schema import conversations as conversations_table
from storage.schema import identities
from storage.schema import inbox as inbox_table
from storage.schema import kv as kv_table
from storage.schema import outbox as outbox_table
from storage.sql import insert_ignoring_conflicts

NOW = datetime(2026, 11, 25, 8, 30, 15, 123456, tzinfo=UTC)


class Undo(Exception):
    """Raised to roll a transaction back once its effect has been read."""


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(url)
    database = Database(url)
    async with database.write() as conn:
        person = await people.create_person(conn, "Nguyễn Thị Lan", "0912345678", NOW)
        identity = await people.touch_identity(conn, "telegram", "42", "Lan", NOW)
        await people.link_identity(conn, identity.id, person.id)
        state = ConversationState(
            flow="nominate",
            step="name",
            data={"kind": "individual", "năm": 1968},
            history=["kind"],
            menu=Menu(seq=3, options=[("1", "Cá nhân"), ("2", "Tập thể")]),
            menu_seq=3,
        )
        await save_state(conn, identity.id, state, NOW)
        await kv.put_value(conn, "digest", {"last": "2026-11-24"}, NOW)
        await inbox.record_inbound(conn, "telegram", "u1", "42", {"text": "chào"}, NOW)
        await outbox.enqueue(
            conn,
            [outbox.NewMessage(channel="telegram", chat_id="42", identity_id=1, payload={})],
            NOW - timedelta(minutes=1),
        )
    return database


async def table_dump(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = (identities, conversations_table, kv_table, inbox_table, outbox_table)
    return {
        table.name: [tuple(r) for r in await conn.execute(select(table).order_by(*table.c))]
        for table in tables
    }


async def outcome(
    db: Database, run: Callable[[Connection], Awaitable[Rows]]
) -> tuple[list[tuple[Any, ...]], list[tuple[str, ...]], int, dict[str, list[tuple[Any, ...]]]]:
    """What a statement returned and left behind, the transaction then rolled back."""
    found: list[Any] = []
    try:
        async with db.write() as conn:
            rows = await run(conn)
            found = [
                (
                    [tuple(r) for r in rows],
                    [tuple(type(v).__name__ for v in r) for r in rows],
                    rows.rowcount,
                    await table_dump(conn),
                )
            ]
            raise Undo
    except Undo:
        pass
    return found[0]  # type: ignore[no-any-return]


async def through_sqlalchemy(conn: Connection, prepared: Prepared, values: dict[str, Any]) -> Rows:
    """The same statement run the ordinary way (SQLAlchemy's execution)."""
    result = await conn.execute(prepared.statement, values)
    rows = list(result.all()) if result.returns_rows else []
    return Rows(rows, len(rows) if result.returns_rows else int(result.rowcount))


CASES = (
    "touch identity",
    "touch unknown",
    "touch, new window",
    "identity",
    "person",
    "memberships",
    "load state",
    "save state",
    "inbox item",
    "close inbox",
    "mark inbox",
    "kv put",
    "earlier",
    "claimed insert",
    "record event",
    "record again",
)


def cases(conn: Connection) -> dict[str, tuple[Prepared, dict[str, Any]]]:
    """Each hot statement with values for it (against the data the fixture stored)."""
    later = NOW + timedelta(seconds=5)
    identity = {"on_channel": "telegram", "account": "42", "now": later, "window_floor": NOW}
    saved: dict[str, Any] = {
        "of_identity": 1,
        "flow": None,
        "step": None,
        "data": {"x": [1, "hai"]},
        "history": [],
        "menu": None,
        "menu_seq": 4,
        "updated_at": NOW,
    }
    reply = outbox.NewMessage(
        channel="telegram", chat_id="43", identity_id=1, payload={"text": "Xin chào"}
    )
    event = {
        "channel": "telegram",
        "external_id": "u2",
        "sender_id": "42",
        "payload": {"text": "Đề cử"},
        "received_at": NOW,
        "status": "pending",
    }
    insert = outbox._returning_all(insert_ignoring_conflicts(conn, outbox_table))
    record = inbox._returning_id(insert_ignoring_conflicts(conn, inbox_table))
    return {
        "touch identity": (people._TOUCH, identity),
        "touch unknown": (people._TOUCH, {**identity, "account": "nobody"}),
        "touch, new window": (people._TOUCH, {**identity, "window_floor": later}),
        "identity": (people._IDENTITY, {"identity_id": 1}),
        "person": (people._PERSON, {"person_id": 1}),
        "memberships": (people._MEMBERSHIPS, {"person_id": 1}),
        "load state": (conversations._LOAD, {"identity_id": 1}),
        "save state": (conversations._SAVE, saved),
        "inbox item": (inbox._ITEM, {"item_id": 1}),
        "close inbox": (inbox._CLOSE, {"item_id": 1, "new_status": "done", "now": NOW}),
        "mark inbox": (inbox._MARK, {"item_id": 1, "new_status": "failed", "now": NOW}),
        "kv put": (kv._PUT, {"the_key": "digest", "value": {"last": None}, "now": NOW}),
        "earlier": (outbox._CHANNELS_WITH_EARLIER, {"chat": "42", "now": NOW}),
        "claimed insert": (insert, outbox._row(reply, NOW, NOW + timedelta(seconds=30))),
        "record event": (record, event),
        "record again": (record, {**event, "external_id": "u1"}),  # a repeat: no row
    }


@pytest.mark.parametrize("name", CASES)
async def test_a_prepared_statement_gives_what_sqlalchemy_gives(db: Database, name: str) -> None:
    async with db.read() as conn:
        prepared, values = cases(conn)[name]
        assert plan_for(prepared, frozenset(values), conn.dialect) is not None  # really fast
    fast = await outcome(db, lambda conn: conn.run(prepared, values))
    ordinary = await outcome(db, lambda conn: through_sqlalchemy(conn, prepared, values))
    assert fast == ordinary


async def test_what_sqlite3_cannot_take_as_is_goes_through_sqlalchemy(db: Database) -> None:
    by_ids = Prepared(
        select(kv_table.c.key).where(kv_table.c.key.in_(bindparam("keys", expanding=True)))
    )
    async with db.read() as conn:
        assert plan_for(by_ids, frozenset({"keys"}), conn.dialect) is None
        rows = await conn.run(by_ids, {"keys": ["digest", "other"]})
    assert [tuple(r) for r in rows] == [("digest",)]


async def test_errors_are_sqlalchemy_errors_without_values(db: Database) -> None:
    duplicate = Prepared(kv_table.insert())
    with pytest.raises(IntegrityError) as raised:
        async with db.write() as conn:
            await conn.run(duplicate, {"key": "digest", "value": "secret-value", "updated_at": NOW})
    assert "secret-value" not in str(raised.value)
    async with db.write() as conn:  # the kept-open writer is still good
        await kv.put_value(conn, "after", 1, NOW)
    with pytest.raises(StatementError):  # a parameter missing is refused, not guessed
        async with db.read() as conn:
            await conn.run(people._PERSON, {})
