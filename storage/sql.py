"""Small helpers for statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Connection


def insert_ignoring_conflicts(conn: Connection, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the connection's engine."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
