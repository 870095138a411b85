"""The claim of due outbox rows reads the partial index of pending rows, on both engines.

The outbox keeps every message ever sent; the rows waiting to be sent are a handful. The
index on pending rows serves the claim only when the planner can prove the query's condition
implies the index's, which it cannot for a bound parameter: the statuses are literals in
both. PostgreSQL is checked with the generic plan a prepared statement (asyncpg prepares
every statement) ends up with.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.sql.compiler import SQLCompiler

from storage import outbox
from storage.db import Connection, Database
from storage.schema import outbox as outbox_table

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def history(n: int, status: str) -> dict[str, Any]:
    return {
        "channel": "telegram",
        "chat_id": f"c{n % 500}",
        "identity_id": None,
        "priority": 10,
        "payload": {},
        "dedupe_key": f"{status}:{n}",
        "status": status,
        "attempts": 1,
        "next_attempt_at": NOW - timedelta(days=1),
        "created_at": NOW - timedelta(days=1),
    }


def literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


async def plan(conn: Connection, statement: Any, parameters: dict[str, Any]) -> str:
    """The engine's query plan of a statement with bound parameters, as one text."""
    compiled = statement.compile(dialect=conn.dialect)
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    values = compiled.construct_params(parameters)
    given = [values[name] for name in compiled.positiontup]
    if conn.dialect.name == "sqlite":
        # sqlite3's positional marks as named ones (the SQL holds no other question mark).
        pieces = compiled.string.split("?")
        sql = "".join(f"{piece}:p{n}" for n, piece in enumerate(pieces[:-1])) + pieces[-1]
        named = {
            f"p{n}": v.replace(tzinfo=None) if isinstance(v, datetime) else v
            for n, v in enumerate(given)
        }
        rows = await conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), named)
        return "\n".join(str(r[-1]) for r in rows)
    await conn.execute(text(f"PREPARE claim AS {compiled.string}"))
    await conn.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    arguments = ", ".join(literal(v) for v in given)
    rows = await conn.execute(text(f"EXPLAIN EXECUTE claim({arguments})"))
    return "\n".join(str(r[0]) for r in rows)


async def test_the_claim_reads_the_index_of_pending_rows(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.write() as conn:
            rows = [history(n, "sent") for n in range(5000)]
            rows += [history(n, "queued") for n in range(20)]
            await conn.execute(outbox_table.insert(), rows)
        async with db.write() as conn:
            await conn.execute(text("ANALYZE"))
        async with db.write() as conn:
            found = await plan(
                conn,
                outbox.CLAIM_DUE,
                outbox.claim_parameters("telegram", NOW, 50, timedelta(seconds=60)),
            )
    finally:
        await db.close()
    assert "ix_outbox_pending" in found, found
