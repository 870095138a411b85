"""Online backups: SQLite's backup API, or PostgreSQL's own pg_dump."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupUnavailable(OSError):
    """The tool a backup needs is missing; the message says what to install or run."""


def sqlite_backup(source: str, target: Path, busy_timeout: float = 10.0) -> None:
    """Copy a live SQLite database page by page, then check the copy's integrity."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(source, timeout=busy_timeout)) as src,
        closing(sqlite3.connect(str(target))) as dst,
    ):
        src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()
    if check is None or check[0] != "ok":
        target.unlink(missing_ok=True)
        raise OSError(f"backup failed its integrity check: {check}")


def pg_dump_binary() -> str | None:
    """The pg_dump to use, or None when none is installed."""
    # Debian puts each version's tools under /usr/lib/postgresql/<version>/bin and a wrapper
    # on PATH only with postgresql-client-common; the newest dumps every older server.
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=lambda p: int(Path(p).parts[-3])
    )
    return versions[-1] if versions else shutil.which("pg_dump")


async def pg_dump(url: str, target: Path) -> None:
    """`pg_dump --format=custom` of the database (restore with `pg_restore`)."""
    binary = pg_dump_binary()
    parsed = make_url(url)
    if binary is None:
        raise BackupUnavailable(
            "pg_dump is not installed (Debian: apt-get install postgresql-client); or run "
            f"`pg_dump --format=custom --file {target} {parsed.database}` on the server"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Connection details go in libpq's variables: a password never shows in `ps`.
    env = {**os.environ, "PGDATABASE": str(parsed.database)}
    for variable, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", parsed.port),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGSSLMODE", parsed.query.get("sslmode") or parsed.query.get("ssl")),
    ):
        if value is not None:
            env[variable] = str(value)
    process = await asyncio.create_subprocess_exec(
        binary,
        "--format=custom",
        "--no-password",
        f"--file={target}",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        target.unlink(missing_ok=True)
        raise OSError(f"pg_dump failed: {errors.decode(errors='replace').strip()}")
