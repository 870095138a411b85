"""The database handle: engine setup, write/read transactions, start-up checks, backup."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVarTuple, overload

from sqlalchemy import Connection as SyncConnection
from sqlalchemy import (
    CursorResult,
    Engine,
    RootTransaction,
    Select,
    String,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.selectable import TypedReturnsRows

from storage.backup import pg_dump, sqlite_backup
from storage.held import WAIT_SECONDS, Held
from storage.notify import Hub, Listener, Note, ServerListener

if TYPE_CHECKING:  # imported when PostgreSQL is used: SQLite runs need none of its 7 MB
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)
_Ts = TypeVarTuple("_Ts")


BUSY_TIMEOUT_MS = 10_000
# pg_advisory_lock key every running instance holds shared: "GSINST" in ASCII.
INSTANCE_LOCK = 0x4753494E5354
# SQLite versions before this can corrupt a WAL database when two connections write or
# checkpoint at once (reliability.md A5.7); we warn rather than refuse, because Python's
# bundled SQLite is older on most distributions today.
SAFE_SQLITE_VERSION = (3, 51, 3)


class DatabaseMisconfigured(RuntimeError):
    """The database does not have the settings the bot relies on."""


def normalise_url(url: str) -> str:
    """The URL as the bot runs it: `sqlite:///file` (sqlite3) or `postgresql+asyncpg://…`.

    `sqlite+aiosqlite://` (the default before aiosqlite was dropped) and a bare
    `postgresql://` or `postgres://` are accepted, so existing `.env` files keep working.
    """
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite", "sqlite+aiosqlite"):
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(
        f"unsupported DATABASE_URL driver {parsed.drivername!r}: "
        "use sqlite:///path or postgresql+asyncpg://user:password@host/database"
    )


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
    # Straight to the driver: through exec_driver_sql a BEGIN cost as much of SQLAlchemy's
    # execution machinery as a query, and every step begins one.
    try:
        conn.connection.dbapi_connection.execute(f"BEGIN {mode}")
    except sqlite3.ProgrammingError:
        # A closed connection: once more through SQLAlchemy, which recognises a connection
        # that is gone (the caller reconnects, `_begin_once_again`). Other errors (a lock
        # still held after busy_timeout) are raised as they are, not waited for twice.
        conn.exec_driver_sql(f"BEGIN {mode}")


def _begin_once_again(
    begin: Callable[[], tuple[SyncConnection, RootTransaction]],
) -> tuple[SyncConnection, RootTransaction]:
    """BEGIN, on a new connection once more when the pooled one turns out to be gone."""
    try:
        return begin()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("a pooled database connection was gone; reconnected")
        return begin()


def _passive_checkpoint(database: str) -> None:
    with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()


@lru_cache(maxsize=8)
def _notify_statement(count: int) -> Select[Any]:
    """SELECT pg_notify(…) for `count` notifications (binds topicN, payloadN). Built once per
    count (almost always one): building it per commit cost about as much as sending it."""
    return select(
        *(
            func.pg_notify(
                bindparam(f"topic{n}", type_=String()), bindparam(f"payload{n}", type_=String())
            )
            for n in range(count)
        )
    )


def _note_values(notes: list[Note], hub: Hub) -> dict[str, str]:
    """The parameters of `_notify_statement(len(notes))`."""
    values: dict[str, str] = {}
    for n, (topic, payload) in enumerate(notes):
        values[f"topic{n}"], values[f"payload{n}"] = topic, hub.on_wire(payload)
    return values


@lru_cache(maxsize=8)
def _telling(statement: UpdateBase, count: int) -> Select[Any]:
    """`statement` as a data-modifying WITH of the SELECT pg_notify(…) of `count` notes (the
    statements passed are module constants: one entry each)."""
    return _notify_statement(count).add_cte(statement.cte("changed"))


class Connection:
    """The transaction handle every storage function takes: `execute` runs one statement.

    On SQLite the statements run inline on the event loop through the standard sqlite3
    module: a statement takes tens of microseconds there, while a hop to a driver thread
    and back costs about 0.4 ms (measured: 54 us against 409 us for a one-row select), and a
    step runs a dozen of them. Writes are short and serialised by the process's write lock,
    so the loop is never held for long; the only wait is busy_timeout when another process
    (a CLI command) holds the lock.

    On PostgreSQL the statements go through asyncpg, on a connection kept checked out between
    transactions (storage/held.py: a checkout and check-in through SQLAlchemy's asyncio layer
    cost a third of a one-row read's CPU), each in a greenlet kept for such calls rather than
    a new one per statement (storage/greenlets.py: another third). The transaction opens
    with its first statement; when the server dropped the connection meanwhile (a restart,
    a failover, an idle timeout), that statement is run again once on a new connection:
    nothing had been done in the transaction yet, so nothing is lost or doubled, and no ping
    is paid per use. Every statement is a round trip, about 0.05 ms of the bot's CPU
    (SQLAlchemy, asyncpg, the event loop) against 0.02 ms for a SQLite statement, so
    transactions that need no BEGIN and COMMIT (`single`, and reads) go without them.
    """

    def __init__(
        self,
        *,
        sync: SyncConnection | None = None,
        held: Held | None = None,
        single: bool = False,
        hub: Hub | None = None,
    ) -> None:
        self._sync = sync
        self._held = held
        self._single = single
        self._hub = hub  # PostgreSQL: the notes go to the server under this instance's mark
        self._spent = False
        self._async: AsyncConnection | None = None
        self._notes: dict[Note, None] = {}  # an ordered set
        self._told: set[Note] = set()  # the notes that went to the server with a statement
        # Chats this transaction queued a message to that a reply must not overtake (a due
        # reply-priority one): storage/outbox.py delivers no reply to them as it inserts it.
        self.queued_chats: set[tuple[str, str]] = set()

    def notify(self, topic: str, payload: str, *, told: bool = False) -> None:
        """Tell every instance's listeners of `topic` once this transaction commits.

        PostgreSQL's NOTIFY (storage/notify.py); on SQLite the process's own listeners.
        Nothing is told when the transaction rolls back; a repeat is told once. `told`: a
        statement of this transaction sent the NOTIFY already (with `wire_mark`); only this
        process's listeners are left to tell.
        """
        self._notes[(topic, payload)] = None
        if told:
            self._told.add((topic, payload))

    @property
    def wire_mark(self) -> str | None:
        """PostgreSQL: what starts a payload this instance sends to the others (a statement
        that runs pg_notify itself puts it first); None where nothing goes to a server."""
        return self._hub.on_wire("") if self._hub is not None else None

    @property
    def notes(self) -> list[Note]:
        """What this transaction will tell at commit."""
        return list(self._notes)

    @property
    def dialect(self) -> Dialect:
        """The SQL dialect (statements that differ between engines look at its name)."""
        if self._sync is not None:
            return self._sync.dialect
        assert self._held is not None
        return self._held.engine.dialect

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
        if self._single:
            if self._spent:
                raise RuntimeError("a single-statement transaction ran a second statement")
            self._spent = True
        if self._sync is not None:
            return self._sync.execute(statement, parameters)
        if self._async is not None:
            return await self._run(self._async, statement, parameters)
        return await self._open(statement, parameters)

    async def _run(
        self, conn: AsyncConnection, statement: Executable, parameters: Any
    ) -> CursorResult[*tuple[Any, ...]]:
        # What AsyncConnection.execute does, in a kept greenlet (storage/greenlets.py); the
        # driver reads every row before returning, so the result is usable outside it.
        assert self._held is not None and conn.sync_connection is not None
        return await self._held.calls.run(conn.sync_connection.execute, statement, parameters)

    async def execute_telling(self, statement: UpdateBase, parameters: dict[str, Any]) -> None:
        """Run one data-changing statement; the notes made so far go with it where they can.

        On PostgreSQL, in a single-statement transaction, the statement runs as a
        data-modifying WITH of the SELECT pg_notify(…) its commit would send next: one round
        trip instead of two (a lane marks every reply sent this way). Its result is not
        returned. Elsewhere it is `execute`, and the notes are told at commit as always.
        """
        if self._hub is None or not self._single or not self._notes:
            await self.execute(statement, parameters)
            return
        notes = [note for note in self._notes if note not in self._told]
        if not notes:
            await self.execute(statement, parameters)
            return
        values = _note_values(notes, self._hub)
        await self.execute(_telling(statement, len(notes)), {**parameters, **values})
        self._told.update(notes)

    async def _open(
        self, statement: Executable, parameters: Any
    ) -> CursorResult[*tuple[Any, ...]]:
        assert self._held is not None
        for attempt in (1, 2):
            conn = await self._held.take()
            try:
                # The transaction begins with the statement (autobegin: one call less).
                result = await self._run(conn, statement, parameters)
            except DBAPIError as error:
                await self._held.drop(conn, gone=error.connection_invalidated)
                if attempt == 2 or not error.connection_invalidated:
                    raise
                log.warning("a pooled database connection was gone; reconnected")
                continue
            except BaseException:
                await self._held.drop(conn)
                raise
            self._async = conn
            return result
        raise AssertionError("unreachable")

    async def _end(self, *, commit: bool, hub: Hub | None = None) -> None:
        """Commit (sending the notifications first: NOTIFY is delivered at commit) and keep
        the connection for the next transaction, or give it back to the pool to roll back."""
        untold = [note for note in self._notes if note not in self._told]
        try:
            if commit and untold and hub is not None:
                statement = _notify_statement(len(untold))
                values = _note_values(untold, hub)
                if self._async is None:
                    await self._open(statement, values)
                else:
                    await self._run(self._async, statement, values)
            if commit and self._async is not None and self._held is not None:
                if not self._held.autocommit:
                    sync = self._async.sync_connection
                    assert sync is not None  # it ran the transaction's statements
                    await self._held.calls.run(sync.commit)
                self._held.give(self._async)
                self._async = None
        finally:
            # Rolled back, or a statement above failed: the pool's check-in rolls back.
            conn, self._async = self._async, None
            if conn is not None and self._held is not None:
                await self._held.drop(conn)


class Database:
    """The engine; `write()` and `read()` give transactions."""

    def __init__(
        self, url: str, *, pool_size: int = 10, pool_wait: float = WAIT_SECONDS
    ) -> None:
        self.url = url = normalise_url(url)
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # This process among the instances sharing the database (leases, notifications).
        # PostgreSQL: other instances are heard once `start_listening` has connected.
        self.hub = Hub(secrets.token_hex(6), hearing=self.is_sqlite)
        self._listener: ServerListener | None = None
        ensure_sqlite_folder(url)
        self._write_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        # SQLite: the connection writes go through, kept open (it is only used under the
        # write lock, so one is enough, and a pool checkout per step cost a tenth of a step).
        self._writer: SyncConnection | None = None
        # hide_parameters: an error message must not carry names or numbers into the logs.
        self.engine: AsyncEngine | None = None
        # PostgreSQL without BEGIN/COMMIT: one statement is atomic by itself.
        self._autocommit: AsyncEngine | None = None
        # Their connections, kept checked out between transactions (storage/held.py).
        self._held: Held | None = None
        self._held_autocommit: Held | None = None
        self.sync_engine: Engine | None = None
        self._instance: AsyncConnection | None = None
        if self.is_sqlite:
            self.sync_engine = create_engine(
                parsed, pool_size=pool_size, max_overflow=5, hide_parameters=True
            )
            event.listen(self.sync_engine, "connect", _sqlite_connect)
            event.listen(self.sync_engine, "begin", _sqlite_begin)
        else:
            from sqlalchemy.ext.asyncio import create_async_engine

            options: dict[str, Any] = {
                # All kept open, none beyond: a connection opened for a burst and closed after
                # it (the overflow) costs the bot milliseconds of CPU (authentication, codecs,
                # every statement prepared anew); under load there were ten a second.
                "pool_size": pool_size,
                "max_overflow": 0,
                "hide_parameters": True,
                # asyncpg prepares every statement once per connection and keeps it: a step's
                # statements and the flows' fit (its default of 100 made them compete).
                "connect_args": {"prepared_statement_cache_size": 500},
            }
            self.engine = create_async_engine(parsed, **options)
            # A pool of its own: switching a pooled connection to autocommit and back on
            # every use cost more CPU than the statement.
            self._autocommit = create_async_engine(
                parsed, isolation_level="AUTOCOMMIT", **options
            )
            # A transaction waits up to `pool_wait` seconds for a connection, then fails.
            self._held = Held(self.engine, pool_size, autocommit=False, wait=pool_wait)
            self._held_autocommit = Held(
                self._autocommit, pool_size, autocommit=True, wait=pool_wait
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

    @property
    def instance(self) -> str:
        """This process's id among the instances (random per start)."""
        return self.hub.instance

    @property
    def engines(self) -> list[tuple[Engine, bool]]:
        """Each engine's synchronous core, and whether its transactions BEGIN and COMMIT
        (PostgreSQL's second pool commits each statement by itself): what the benches and
        tests that count statements listen to."""
        if self.sync_engine is not None:
            return [(self.sync_engine, True)]
        assert self.engine is not None and self._autocommit is not None
        return [(self.engine.sync_engine, True), (self._autocommit.sync_engine, False)]

    def listen(self, topic: str, listener: Listener) -> None:
        """Hear `topic`'s notifications, from this process and (PostgreSQL) every other.

        Register before `start_listening`."""
        self.hub.listen(topic, listener)

    async def start_listening(self) -> None:
        """PostgreSQL: open the connection that LISTENs for other instances' notifications."""
        if self.engine is None or self._listener is not None:
            return
        _, params = self.engine.dialect.create_connect_args(self.engine.url)
        self._listener = ServerListener(self.hub, params)
        await self._listener.start()

    @asynccontextmanager
    async def _postgres(
        self, held: Held | None, *, single: bool = False
    ) -> AsyncIterator[Connection]:
        assert held is not None
        conn = Connection(held=held, single=single, hub=self.hub)
        try:
            yield conn
        except BaseException:
            await conn._end(commit=False)
            raise
        if single:
            # Its statement committed as it ran: this process's listeners (a web chat page
            # waiting for its reply) go first, the NOTIFY round trip for the others after.
            self.hub.deliver(conn.notes)
            await conn._end(commit=True, hub=self.hub)
            return
        await conn._end(commit=True, hub=self.hub)
        self.hub.deliver(conn.notes)

    @asynccontextmanager
    async def write(self, *, single: bool = False) -> AsyncIterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at BEGIN.

        On SQLite, writers of this process also queue on an asyncio lock first, so they are
        served in arrival order and SQLite's busy handler (sleeps of up to 100 ms, no order)
        only ever meets other processes. `single`: the transaction is one statement (a
        second one raises), run on PostgreSQL without BEGIN and COMMIT.
        """
        if self.sync_engine is None:
            async with self._postgres(
                self._held_autocommit if single else self._held, single=single
            ) as conn:
                yield conn
            return
        async with self._write_lock():
            writer, transaction = _begin_once_again(self._begin_writer)
            conn = Connection(sync=writer, single=single)
            try:
                with transaction:
                    yield conn
            except BaseException:
                # The transaction is rolled back; a connection left in doubt is not reused.
                if writer.in_transaction():
                    self._close_writer()
                raise
        self.hub.deliver(conn.notes)

    def _begin_writer(self) -> tuple[SyncConnection, RootTransaction]:
        assert self.sync_engine is not None
        if self._writer is None or self._writer.invalidated or self._writer.closed:
            self._close_writer()
            connection = self.sync_engine.connect()
            self._writer = connection.execution_options(sqlite_begin="IMMEDIATE")
        return self._writer, self._writer.begin()

    def _begin_reader(self) -> tuple[SyncConnection, RootTransaction]:
        assert self.sync_engine is not None
        reader = self.sync_engine.connect()
        return reader, reader.begin()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """Reads (WAL: readers never wait for the writer).

        On PostgreSQL each statement reads what was committed when it began, as it would
        inside a READ COMMITTED transaction too: so no BEGIN and COMMIT round trips.
        """
        if self.sync_engine is None:
            async with self._postgres(self._held_autocommit) as conn:
                yield conn
            return
        reader, transaction = _begin_once_again(self._begin_reader)
        with reader, transaction:
            yield Connection(sync=reader)

    async def check(self) -> dict[str, Any]:
        """Verify the settings the bot relies on; raise if one is missing."""
        if not self.is_sqlite:
            async with self.read() as conn:
                version = (await conn.execute(text("SHOW server_version"))).scalar_one()
                encoding = (await conn.execute(text("SHOW server_encoding"))).scalar_one()
            if encoding != "UTF8":  # Vietnamese names and stories need it
                raise DatabaseMisconfigured(f"PostgreSQL database encoding is {encoding}, not UTF8")
            return {"engine": "postgresql", "server_version": version, "encoding": encoding}
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
        busy, _, _ = await self._outside_transactions("PRAGMA wal_checkpoint(TRUNCATE)")
        if busy:
            log.warning("the WAL could not be truncated after an erasure (a reader held it)")

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file now, in a thread, without blocking writers
        (PASSIVE). A long run of writes (the purge) calls it between batches, so that
        SQLite's own checkpoint, which runs inside the commit that fills the WAL, seldom
        falls on a reply's commit. Nothing to do on PostgreSQL."""
        if self.sync_engine is None:
            return
        database = str(make_url(self.url).database)
        await asyncio.to_thread(_passive_checkpoint, database)

    async def vacuum(self) -> None:
        """Rewrite the SQLite file (VACUUM): no free page keeps anything deleted before
        secure_delete was on. It holds the write lock for as long as it takes."""
        if self.sync_engine is None:
            return
        await self._outside_transactions("VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)")

    async def _outside_transactions(self, *statements: str) -> Any:
        """Run SQLite statements that cannot be in a transaction, under the write lock;
        the last one's first row."""
        assert self.sync_engine is not None
        row = None
        async with self._write_lock():
            with self.sync_engine.connect() as sync:
                raw = sync.connection.dbapi_connection
                assert raw is not None
                for statement in statements:
                    row = raw.execute(statement).fetchone()
        return row

    async def backup(self, target: Path) -> None:
        """Online backup: SQLite's backup API (never a copy of a live file), or pg_dump."""
        target = target.resolve()
        if target.exists():
            raise FileExistsError(str(target))
        if self.is_sqlite:
            source = make_url(self.url).database
            await asyncio.to_thread(sqlite_backup, str(source), target, BUSY_TIMEOUT_MS / 1000)
        else:
            await pg_dump(self.url, target)

    async def register_instance(self) -> bool:
        """Count this process among the running instances; True when it is the only one.

        SQLite serves one process. On PostgreSQL each running instance holds a shared
        advisory lock on a connection of its own for as long as it runs (a crash ends the
        connection and so the lock); one that could first take the lock exclusively found
        no other instance alive, so whatever the outbox has claimed was claimed by the dead.
        """
        if self._held_autocommit is None:
            return True
        assert self._instance is None, "registered already"
        # One of the pool's connections, for good: its place is never given back.
        self._instance = conn = await self._held_autocommit.take()
        key = {"key": INSTANCE_LOCK}
        alone = bool(
            (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key)).scalar_one()
        )
        await conn.execute(text("SELECT pg_advisory_lock_shared(:key)"), key)
        if alone:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        return alone

    async def close(self) -> None:
        """Close every pooled connection."""
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        if self._instance is not None:
            await self._instance.close()
            self._instance = None
        for held in (self._held, self._held_autocommit):
            if held is not None:
                await held.close()
        self._close_writer()
        if self.sync_engine is not None:
            self.sync_engine.dispose()
        if self.engine is not None:
            await self.engine.dispose()
        if self._autocommit is not None:
            await self._autocommit.dispose()
