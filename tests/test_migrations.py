"""The migrations build exactly the schema the code declares, and form one straight line."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from storage.migrate import MIGRATIONS, alembic_config, newest_revision, stored_revision, upgrade
from storage.schema import full_metadata
from tests.support.databases import run_sync

VERSIONS = MIGRATIONS / "versions"
ROOT = Path(__file__).resolve().parents[1]


async def test_migrated_database_matches_the_schema(empty_database_url: str) -> None:
    await upgrade(empty_database_url)
    differences = await run_sync(
        empty_database_url,
        lambda conn: compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), full_metadata()
        ),
    )
    assert differences == []


async def test_partial_indexes_are_built_with_their_condition(empty_database_url: str) -> None:
    # Alembic's comparison above passes over partial indexes: this one looks at them.
    await upgrade(empty_database_url)
    declared = [
        index
        for table in full_metadata().tables.values()
        for index in table.indexes
        if index.dialect_options["sqlite"]["where"] is not None
    ]
    assert {index.name for index in declared} == {"ix_inbox_sender_pending", "ix_outbox_pending"}

    def built(conn: Connection) -> dict[str, tuple[list[str | None], str]]:
        found = {}
        for index in declared:
            for row in inspect(conn).get_indexes(index.table.name):  # type: ignore[union-attr]
                if row["name"] == index.name:
                    where = next(iter(row.get("dialect_options", {}).values()), None)
                    found[str(row["name"])] = (row["column_names"], str(where))
        return found

    reflected = await run_sync(empty_database_url, built)
    for index in declared:
        columns, where = reflected[str(index.name)]
        assert columns == [column.name for column in index.columns]
        statuses = re.findall(r"'\w+'", str(index.dialect_options["sqlite"]["where"]))
        assert statuses
        assert all(status in where for status in statuses)


def test_revisions_form_a_single_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


# SHA-256 of every released migration file. A released migration is never edited (databases
# out there have run it as it was): change the schema with a new revision instead.
RELEASED = {
    "0001_initial_schema.py": "f6d6f1410d4900de65467b5eb16c55e0b70cfc2155570a836503f8cdc1d35b2b",
    "0002_reviews.py": "0cd453f8a06431238f7667122a01b1cf03195ebf6f40c8b2145d20d568a727cf",
    "0003_officials.py": "3ebc24d074913d284e4a6a45678f98e80f709b45545d37cb9ddc7fa0e05adab6",
    "0004_zalo.py": "09e18a8b760925b4fc62974365cd843b53051032dfca2631ae977fe899ca434f",
    "0005_message_rate.py": "2df580aaafbe64dcbdb01ea20425be31730acb51675843a39db2e1db57e46c27",
    "0007_web_sessions.py": "295a943532e547abad7eec2a882360bed7d7b4917847b356ef48000ed78adc47",
    "0008_pending_index_event_seats.py": (
        "3250258b3c587126ba1498f092493924e7f738534cf3a8638b854e2be3870b75"
    ),
    "0009_honour_pictures.py": "f1bd8c5cc24840f1ba8b6b4bb624a3d7820f01bf33f55d5b08bb46e11f721df9",
    "0010_personal_data.py": "f662af267d4047bb6dbcbae07f03f0687dc612358a8b3747b777b188b19c4118",
    "0011_web_console.py": "ae3e4708ccc1639a0979e3b7d25d7005cd68c5d9a515a473800a09f7eb489e2e",
    "0012_forgiving.py": "660da043baa92f0a5f461d7007b2813b3c9eb13772a2b7c5bfcf0c56482d681a",
    "0013_instances.py": "08a5c1fa447f7c27aadbdf5d513995c618763c759d42d7437d3363046a45715c",
    "0014_zalo_templates.py": "24b0e0dff7b7cbe5b59fd6f642df95e0ae3988823d1b455407057b5588d6f4c9",
    "0015_chat_numbers.py": "eec4e908ddc480edd71cc3092426b4a97a7eb7e2f2e326db1a00dd61d4c97be9",
}


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_released_migrations_are_never_edited(name: str) -> None:
    path = VERSIONS / name
    assert path.exists(), f"released migration {name} was removed or renamed"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == RELEASED[name], (
        f"{name} was edited after its release: revert it and add a new revision"
    )


async def test_instances_starting_together_migrate_one_at_a_time(
    empty_database_url: str, tmp_path: Path
) -> None:
    # Three instances started at once on an empty database (`python -m bot migrate`, the
    # step `run` takes first): one migrates, the others wait for its lock and then find the
    # schema current; none fails.
    env = {**os.environ, "DATABASE_URL": empty_database_url, "PYTHONPATH": str(ROOT)}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "migrate",
            cwd=tmp_path,
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    errors = [(await p.communicate())[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    heads = await run_sync(
        empty_database_url, lambda conn: MigrationContext.configure(conn).get_current_heads()
    )
    assert heads == tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def test_start_reads_the_revision_alembic_would_reach(empty_database_url: str) -> None:
    # `run` skips Alembic when the stored revision is the newest file's number.
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert newest_revision() == script.get_current_head()
    assert await stored_revision(empty_database_url) is None
    await upgrade(empty_database_url)
    assert await stored_revision(empty_database_url) == newest_revision()
