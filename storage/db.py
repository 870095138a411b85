"""The database handle: engine setup, write/read transactions, start-up checks, backup."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any, TypeVarTuple, overload

from sqlalchemy import Connection as SyncConnection
from sqlalchemy import CursorResult, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.selectable import TypedReturnsRows

from storage.prepared import Plan, Prepared, Rows, plan_for

log = logging.getLogger(__name__)
_Ts = TypeVarTuple("_Ts")


BUSY_TIMEOUT_MS = 10_000
# SQLite versions before this can corrupt a WAL database when two connections write or
# checkpoint at once (reliability.md A5.7); we warn rather than refuse, because Python's
# bundled SQLite is older on most distributions today.
SAFE_SQLITE_VERSION = (3, 51, 3)


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file (0700) and the file itself (0600), so a fresh
    checkout just works and nobody else on the machine can read the data. SQLite gives its
    -wal and -shm files the database file's permissions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = path.parent.stat()
        # Tighten our own folder (an older version made data/ 0755); never a shared one
        # such as /tmp (sticky) or one another user owns.
        if folder.st_uid == os.getuid() and not folder.st_mode & stat.S_ISVTX:
            os.chmod(path.parent, 0o700)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)


class DatabaseMisconfigured(RuntimeError):
    """The database does not have the settings the bot relies on."""


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let us issue BEGIN ourselves, so writes can take the lock up front (BEGIN IMMEDIATE).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # NORMAL in WAL cannot corrupt; a power loss may roll back the last commits (README).
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content is zeroed, so erased personal data does not stay
    # readable in free pages (README: what it costs, and what scrub() adds for the WAL).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _backup_file(source: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)) as src,
        closing(sqlite3.connect(str(target))) as dst,
    ):
        src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()
    if check is None or check[0] != "ok":
        target.unlink(missing_ok=True)
        raise OSError(f"backup failed its integrity check: {check}")


class Connection:
    """The transaction handle every storage function takes.

    On SQLite the statements run inline on the event loop through the standard sqlite3
    module: a statement takes tens of microseconds there, while a hop to aiosqlite's thread
    and back costs about 0.4 ms (measured: 54 us against 409 us for a one-row select), and a
    step runs a dozen of them. Writes are short and serialised by the process's write lock,
    so the loop is never held for long; the only wait is busy_timeout when another process
    (a CLI command) holds the lock. On PostgreSQL the statements go through asyncpg.
    """

    def __init__(
        self,
        *,
        sync: SyncConnection | None = None,
        async_: AsyncConnection | None = None,
        plans: dict[tuple[Prepared, frozenset[str]], Plan | None] | None = None,
    ) -> None:
        self._sync = sync
        self._async = async_
        self._plans = plans if plans is not None else {}
        self._raw: Any = None  # the sqlite3 connection, once a prepared statement needs it
        # Outbox rows queued unclaimed in this transaction: after commit the committer wakes
        # the sender only when there are some (rows it claimed itself it hands over).
        self.queued_outbox = 0

    @property
    def dialect(self) -> Dialect:
        """The SQL dialect (statements that differ between engines look at its name)."""
        if self._sync is not None:
            return self._sync.dialect
        assert self._async is not None
        return self._async.dialect

    @overload
    async def execute(
        self, statement: TypedReturnsRows[*_Ts], parameters: Any = None
    ) -> CursorResult[*_Ts]: ...

    @overload
    async def execute(
        self, statement: Executable, parameters: Any = None
    ) -> CursorResult[*tuple[Any, ...]]: ...

    async def execute(
        self, statement: Executable, parameters: Any = None
    ) -> CursorResult[*tuple[Any, ...]]:
        """Run one statement in the transaction."""
        if self._sync is not None:
            return self._sync.execute(statement, parameters)
        assert self._async is not None
        return await self._async.execute(statement, parameters)

    async def run(self, prepared: Prepared, parameters: Mapping[str, Any]) -> Rows:
        """Run a prepared statement: straight through sqlite3 where it can be.

        `rowcount` is the number of rows a statement changed, or returned when it returns rows.
        """
        if self._sync is not None:
            key = (prepared, frozenset(parameters))
            try:
                plan = self._plans[key]
            except KeyError:
                plan = self._plans[key] = plan_for(prepared, key[1], self._sync.dialect)
            if plan is not None:
                return self._run_plan(plan, parameters)
        result = await self.execute(prepared.statement, parameters)
        if not result.returns_rows:
            return Rows([], int(result.rowcount))
        rows = list(result.all())
        return Rows(rows, len(rows))

    def _run_plan(self, plan: Plan, parameters: Mapping[str, Any]) -> Rows:
        if self._raw is None:
            assert self._sync is not None
            self._raw = self._sync.connection.dbapi_connection
        try:
            cursor = self._raw.execute(plan.sql, plan.parameters(parameters))
            if plan.row is None:
                return Rows([], int(cursor.rowcount))
            rows = plan.rows(cursor.fetchall())
        except sqlite3.Error as error:
            # As SQLAlchemy would raise it (IntegrityError and so on), values hidden.
            raise DBAPIError.instance(
                plan.sql, None, error, sqlite3.Error, hide_parameters=True
            ) from error
        return Rows(rows, len(rows))


class Database:
    """The engine; `write()` and `read()` give transactions."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        ensure_sqlite_folder(url)
        self._write_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        # SQLite: the connection writes go through, kept open (it is only used under the
        # write lock, so one is enough, and a pool checkout per step cost a tenth of a step).
        self._writer: SyncConnection | None = None
        # Prepared statements compiled for sqlite3, per set of parameter names.
        self._plans: dict[tuple[Prepared, frozenset[str]], Plan | None] = {}
        # hide_parameters: an error message must not carry names or numbers into the logs.
        self.engine: AsyncEngine | None = None
        self.sync_engine: Engine | None = None
        if self.is_sqlite:
            self.sync_engine = create_engine(
                parsed.set(drivername="sqlite"),
                pool_size=pool_size,
                max_overflow=5,
                hide_parameters=True,
            )
            event.listen(self.sync_engine, "connect", _sqlite_connect)
            event.listen(self.sync_engine, "begin", _sqlite_begin)
        else:
            self.engine = create_async_engine(
                url, pool_size=pool_size, max_overflow=5, hide_parameters=True
            )

    def _write_lock(self) -> asyncio.Lock:
        # One per event loop: the CLI runs several loops over one Database.
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            self._write_locks = {loop: asyncio.Lock()}
            lock = self._write_locks[loop]
            self._close_writer()  # a new loop (the CLI's next command) starts afresh
        return lock

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at BEGIN.

        On SQLite, writers of this process also queue on an asyncio lock first, so they are
        served in arrival order and SQLite's busy handler (sleeps of up to 100 ms, no order)
        only ever meets other processes.
        """
        if self.sync_engine is None:
            assert self.engine is not None
            async with self.engine.connect() as conn, conn.begin():
                yield Connection(async_=conn)
            return
        async with self._write_lock():
            if self._writer is None or self._writer.invalidated or self._writer.closed:
                self._close_writer()
                connection = self.sync_engine.connect()
                self._writer = connection.execution_options(sqlite_begin="IMMEDIATE")
            writer = self._writer
            try:
                with writer.begin():
                    yield Connection(sync=writer, plans=self._plans)
            except BaseException:
                # The transaction is rolled back; a connection left in doubt is not reused.
                if writer.in_transaction():
                    self._close_writer()
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """A read-only transaction (WAL: readers never wait for the writer)."""
        if self.sync_engine is None:
            assert self.engine is not None
            async with self.engine.connect() as conn, conn.begin():
                yield Connection(async_=conn)
            return
        with self.sync_engine.connect() as sync, sync.begin():
            yield Connection(sync=sync, plans=self._plans)

    async def check(self) -> dict[str, Any]:
        """Verify the settings the bot relies on; raise if one is missing."""
        if not self.is_sqlite:
            async with self.read() as conn:
                await conn.execute(text("SELECT 1"))
            return {"engine": "postgresql"}
        async with self.read() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
            busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
        found = {"journal_mode": journal, "foreign_keys": fks, "busy_timeout": busy}
        if str(journal).lower() != "wal" or int(fks) != 1 or int(busy) < 5000:
            raise DatabaseMisconfigured(f"SQLite settings not as required: {found}")
        version = tuple(int(p) for p in sqlite3.sqlite_version.split("."))
        if version < SAFE_SQLITE_VERSION:
            log.warning(
                "SQLite %s is older than 3.51.3 (WAL-reset bug); upgrade when possible",
                sqlite3.sqlite_version,
            )
        return {**found, "sqlite_version": sqlite3.sqlite_version}

    async def scrub(self) -> None:
        """After an erasure: leave no copy of deleted rows in the files of the database.

        SQLite (with secure_delete, set on every connection) has zeroed the deleted content in
        the pages it wrote to the WAL, but the WAL still holds the earlier images of those
        pages until it is checkpointed and truncated. On PostgreSQL dead rows stay in their
        pages until VACUUM reuses the space (README: what VACUUM does and does not promise).
        """
        if self.sync_engine is None:
            return
        # Under the process's write lock and outside any transaction: TRUNCATE waits for
        # readers of older snapshots (busy_timeout), copies every frame into the file and
        # empties the WAL.
        async with self._write_lock():
            with self.sync_engine.connect() as sync:
                raw = sync.connection.dbapi_connection
                assert raw is not None
                busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("the WAL could not be truncated after an erasure (a reader held it)")

    async def vacuum(self) -> None:
        """Rewrite the SQLite file (VACUUM): no free page keeps anything deleted before
        secure_delete was on. It holds the write lock for as long as it takes."""
        if self.sync_engine is None:
            return
        async with self._write_lock():
            with self.sync_engine.connect() as sync:
                raw = sync.connection.dbapi_connection
                assert raw is not None
                raw.execute("VACUUM")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def backup(self, target: Path) -> None:
        """Online backup with SQLite's backup API (never a copy of a live file)."""
        if not self.is_sqlite:
            raise DatabaseMisconfigured("use pg_dump for PostgreSQL backups")
        source = make_url(self.url).database
        target = target.resolve()
        if target.exists():
            raise FileExistsError(str(target))
        await asyncio.to_thread(_backup_file, str(source), target)

    async def close(self) -> None:
        """Close every pooled connection."""
        self._close_writer()
        if self.sync_engine is not None:
            self.sync_engine.dispose()
        if self.engine is not None:
            await self.engine.dispose()
