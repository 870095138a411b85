"""Small helpers for statements that differ between SQLite and PostgreSQL.

Each engine's dialect module is imported when a statement for it is made: importing
`sqlalchemy.dialects.postgresql` costs a SQLite bot 2 MB (it loads every PostgreSQL driver's
module), and a PostgreSQL bot has no use for SQLite's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Column, String, Table

from storage.db import Connection


class Write(NamedTuple):
    """A data-changing statement (built once) and its values, which the caller's next
    statement may carry in a WITH on PostgreSQL (storage/outbox.py `enqueue_claimed`'s
    `first`): one round trip instead of two. Its binds are named apart from that one's."""

    statement: Any
    parameters: dict[str, Any]


def dialect_insert(dialect: str, table: Table) -> Any:
    """INSERT for an engine, with its ON CONFLICT clauses (both speak PostgreSQL's syntax)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def insert_ignoring_conflicts(conn: Connection, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the connection's engine."""
    return _insert_ignoring(conn.dialect.name, table)


@cache
def _insert_ignoring(dialect: str, table: Table) -> Any:
    # One statement object per table: SQLAlchemy then finds it in its compiled cache without
    # walking it again (hot paths insert this way on every event and reply).
    return dialect_insert(dialect, table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, keys: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE every other column to the inserted values.

    One atomic statement: a concurrent writer of the same key waits for the row instead of
    failing on the unique key, as update-then-insert did.
    """
    return _upsert(conn.dialect.name, table, tuple(keys))


@cache
def _upsert(dialect: str, table: Table, keys: tuple[str, ...]) -> Any:
    statement = dialect_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: statement.excluded[c.name] for c in table.c if c.name not in keys},
    )


def fit(column: Column[Any], value: str | None) -> str | None:
    """A text cut to what its column holds (PostgreSQL refuses longer; SQLite would not)."""
    if value is None or not isinstance(column.type, String) or column.type.length is None:
        return value
    return value[: column.type.length]
