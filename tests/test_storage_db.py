"""The database handle: a failed write transaction leaves nothing behind and spoils nothing;
URLs as operators write them; backups.

SQLite writes go through one kept-open connection, so a transaction that fails half-way
must not leave that connection in a state the next writer inherits.
"""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.__main__ import main
from bot.settings import Settings
from storage import kv
from storage.backup import pg_dump_binary
from storage.db import Database
from storage.schema import kv as kv_table

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Boom(RuntimeError):
    """Raised by the test inside a transaction."""


@pytest.fixture
async def db(database_url: str) -> Database:
    return Database(database_url)


async def write_then_raise(db: Database) -> None:
    async with db.write() as conn:
        await kv.put_value(conn, "a", 1, NOW)
        raise Boom


async def write_then_conflict(db: Database) -> None:
    async with db.write() as conn:
        await kv.put_value(conn, "c", 3, NOW)
        await conn.execute(kv_table.insert().values(key="a", value=9, updated_at=NOW))


async def count(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(kv_table))).scalar_one())


async def test_an_exception_rolls_back_and_the_next_write_commits(db: Database) -> None:
    with pytest.raises(Boom):
        await write_then_raise(db)
    assert await count(db) == 0
    async with db.write() as conn:
        await kv.put_value(conn, "b", 2, NOW)
    async with db.read() as conn:
        assert await kv.get_value(conn, "a") is None
        assert await kv.get_value(conn, "b") == 2
    await db.close()


async def test_a_failed_statement_does_not_spoil_the_connection(db: Database) -> None:
    async with db.write() as conn:
        await kv.put_value(conn, "a", 1, NOW)
    with pytest.raises(IntegrityError):
        await write_then_conflict(db)
    async with db.write() as conn:
        await kv.put_value(conn, "a", 4, NOW)
    async with db.read() as conn:
        assert await kv.get_value(conn, "a") == 4
        assert await kv.get_value(conn, "c") is None
    assert await count(db) == 1
    await db.close()


@pytest.mark.parametrize(
    ("given", "runs"),
    [
        ("sqlite:///data/x.db", "sqlite:///data/x.db"),
        # The default before aiosqlite was dropped: existing .env files keep working.
        ("sqlite+aiosqlite:///data/x.db", "sqlite:///data/x.db"),
        ("postgresql://gs:pw@db:5432/gs", "postgresql+asyncpg://gs:pw@db:5432/gs"),
        ("postgres://gs@db/gs", "postgresql+asyncpg://gs@db/gs"),
        ("postgresql+asyncpg://gs@db/gs", "postgresql+asyncpg://gs@db/gs"),
    ],
)
def test_database_urls_name_the_driver_that_runs(given: str, runs: str) -> None:
    assert Settings(_env_file=None, database_url=given).database_url == runs


def test_an_unsupported_driver_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unsupported DATABASE_URL driver 'mysql'"):
        Settings(_env_file=None, database_url="mysql://x@y/z")


def test_backup_writes_a_restorable_copy_and_never_overwrites(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    target = tmp_path / "saved" / "guongsang.backup"
    assert main(["backup", str(target)]) == 0
    if make_url(database_url).get_backend_name() == "sqlite":
        # SQLite's backup API, checked by integrity_check before it reports success.
        with sqlite3.connect(target) as copy:
            tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
    else:
        # pg_dump's custom format, as pg_restore reads it back.
        binary = pg_dump_binary()
        assert binary is not None
        listing = subprocess.run(
            [str(Path(binary).with_name("pg_restore")), "--list", str(target)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        tables = {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}
    assert {"nominations", "outbox", "alembic_version"} <= tables
    assert main(["backup", str(target)]) == 2
    assert "error:" in capsys.readouterr().err


async def test_start_up_checks_the_settings_the_bot_relies_on(db: Database) -> None:
    found = await db.check()
    await db.close()
    if db.is_sqlite:  # WAL, foreign keys and a busy timeout, set on every connection
        assert found["journal_mode"] == "wal"
        assert found["foreign_keys"] == 1
        assert int(found["busy_timeout"]) >= 5000
    else:  # a UTF-8 database: Vietnamese text
        assert found["engine"] == "postgresql"
        assert found["encoding"] == "UTF8"


async def test_a_write_that_finds_the_file_locked_fails_and_the_next_one_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's BEGIN goes straight to the driver: another process holding the write lock
    # past busy_timeout (a CLI command) fails this write, and leaves the kept-open writer
    # usable, not inside a half-begun transaction. A SQLite file whichever leg runs.
    monkeypatch.setattr("storage.db.BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "locked.db"
    db = Database(f"sqlite:///{path}")
    assert db.sync_engine is not None
    kv_table.create(db.sync_engine)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with db.write() as conn:  # the writer connection is open before the lock
            await kv.put_value(conn, "before", {}, NOW)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with db.write() as conn:
                await kv.put_value(conn, "during", {}, NOW)
        other.execute("COMMIT")
        async with db.write() as conn:
            await kv.put_value(conn, "after", {}, NOW)
        async with db.read() as conn:
            keys = (await conn.execute(select(kv_table.c.key).order_by(kv_table.c.key))).scalars()
            assert list(keys) == ["after", "before"]
    finally:
        other.close()
        await db.close()
