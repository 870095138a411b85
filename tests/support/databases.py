"""Fresh databases for every test, on the engine of the suite's leg (SQLite or PostgreSQL).

Migrating takes longer than most tests, so each leg migrates once into a template and gives
each test a copy: a file copy on SQLite (under 1 ms), `CREATE DATABASE … TEMPLATE` on
PostgreSQL (create and drop together 50–300 ms on the throwaway cluster, depending on how busy
the disk is: the template's files are copied).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncpg
from sqlalchemy import Connection as SyncConnection
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.migrate import upgrade_sync

T = TypeVar("T")


def _migrate(url: str) -> None:
    # In a thread of its own: Alembic runs an event loop for PostgreSQL, and the caller may
    # be inside one (a benchmark).
    with ThreadPoolExecutor(1) as worker:
        worker.submit(upgrade_sync, url).result()


class Databases(Protocol):
    """Where a test gets its database."""

    engine: str

    def new(self, folder: Path, *, migrated: bool = True) -> str:
        """The URL of a new database, at the current schema or empty."""
        ...

    def drop(self, url: str) -> None:
        """Remove a database made by `new`."""
        ...

    def close(self) -> None:
        """Remove the template and every connection."""
        ...


class SqliteDatabases:
    """SQLite files, copied from a migrated template file."""

    engine = "sqlite"

    def __init__(self, folder: Path) -> None:
        self._template = folder / "template.db"
        _migrate(f"sqlite:///{self._template}")
        self._names = itertools.count()

    def new(self, folder: Path, *, migrated: bool = True) -> str:
        n = next(self._names)
        path = folder / ("bot.db" if not (folder / "bot.db").exists() else f"bot-{n}.db")
        if migrated:
            shutil.copyfile(self._template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        """Nothing to do: the file lives in the test's temporary folder."""

    def close(self) -> None:
        """Nothing to do: pytest removes its temporary folders."""


class PostgresDatabases:
    """Databases on one PostgreSQL server, created from a migrated template database."""

    engine = "postgresql"

    def __init__(self, server_url: str) -> None:
        self._server = make_url(server_url)
        # A thread with its own loop runs the admin connection: fixtures stay synchronous and
        # the tests' own event loops never see it.
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        dsn = self._server.set(drivername="postgresql").render_as_string(hide_password=False)
        self._admin: asyncpg.Connection = self._call(asyncpg.connect(dsn))
        version = int(self._call(self._admin.fetchval("SHOW server_version_num")))
        # FILE_COPY (PostgreSQL 15+) copies a small template faster than WAL-logging it.
        self._strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        # Unique per run: TEST_DATABASE_URL may name a server other runs use too.
        self._prefix = f"gs_{os.getpid()}_{secrets.token_hex(3)}"
        self._names = itertools.count()
        self._template = f"{self._prefix}_template"
        self._sql(f'CREATE DATABASE "{self._template}"')
        _migrate(self.url(self._template))

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _sql(self, statement: str) -> None:
        self._call(self._admin.execute(statement))

    def url(self, database: str) -> str:
        """The URL of a database on this server."""
        return self._server.set(database=database).render_as_string(hide_password=False)

    def new(self, folder: Path, *, migrated: bool = True) -> str:
        name = f"{self._prefix}_{next(self._names)}"
        template = self._template if migrated else "template0"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}')
        return self.url(name)

    def drop(self, url: str) -> None:
        # FORCE: a test that failed may have left connections open.
        self._sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def drop_connections(self, url: str) -> int:
        """End every connection to one database, as a server restart would; how many."""
        return self._call(self._drop_connections(str(make_url(url).database)))

    async def _drop_connections(self, database: str) -> int:
        # With a timeout, pg_terminate_backend returns once the backend has ended (up to 5 s).
        ended = await self._admin.fetchval(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = $1",
            database,
        )
        return int(ended)

    def close(self) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self._call(self._admin.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def run_sync(url: str, work: Callable[[SyncConnection], T]) -> T:
    """Run `work` with a synchronous SQLAlchemy connection to the database (either engine)."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return work(conn)
        finally:
            engine.dispose()
    async_engine = create_async_engine(url)
    try:
        async with async_engine.connect() as async_conn:
            return await async_conn.run_sync(work)
    finally:
        await async_engine.dispose()
