"""Alembic environment: our metadata, SQLite batch mode, one migrator at a time.

Instances started together on one database migrate one at a time: the migration runs in one
transaction that first takes a lock (an advisory lock on PostgreSQL, the write lock on
SQLite), so the others wait for it and then find the schema current.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.schema import full_metadata

config = context.config
# pg_advisory_xact_lock key: "GSMIGR" in ASCII.
MIGRATION_LOCK = 0x47534D494752


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=full_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def _sqlite_immediate(engine: Any) -> None:
    # Take SQLite's write lock at BEGIN (sqlite3 would begin only at the first write, after
    # Alembic has read the version another process is about to change).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


async def _postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


def _main() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    if make_url(url).get_backend_name() != "sqlite":
        asyncio.run(_postgres(url))
        return
    # sqlite3's own timeout is the busy timeout: wait for another migrator, do not fail.
    engine = create_engine(url, connect_args={"timeout": 60})
    _sqlite_immediate(engine)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


_main()
