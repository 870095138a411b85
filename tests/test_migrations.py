"""The migrations build exactly the schema the code declares, and form one straight line."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage.migrate import alembic_config, newest_revision, stored_revision, upgrade
from storage.schema import metadata


async def test_migrated_database_matches_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    await upgrade(f"sqlite+aiosqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_revisions_form_a_single_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


async def test_start_reads_the_revision_alembic_would_reach(tmp_path: Path) -> None:
    # `run` skips Alembic when the stored revision is the newest file's number.
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert newest_revision() == script.get_current_head()
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    assert await stored_revision(url) is None
    await upgrade(url)
    assert await stored_revision(url) == newest_revision()
