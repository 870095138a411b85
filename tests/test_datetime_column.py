"""UTCDateTime: aware UTC datetimes in and out on both engines; on SQLite the stored text is
the format SQLAlchemy's own DATETIME wrote before UTCDateTime converted values itself, so
rows of earlier versions read back the same and compare in the same order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage.db import Database
from storage.schema import kv

HANOI = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 5, 19, 28, 51, 43307, tzinfo=UTC),
        datetime(2026, 12, 5, 19, 28, 51, tzinfo=UTC),  # no microseconds
        datetime(2027, 1, 1, 2, 3, 4, 5, tzinfo=HANOI),  # another zone: stored as UTC
    ],
)
async def test_an_aware_datetime_reads_back_as_the_same_utc_moment(
    database_url: str, moment: datetime
) -> None:
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await conn.execute(kv.insert().values(key="k", value={}, updated_at=moment))
        async with db.read() as conn:
            found = (await conn.execute(select(kv.c.updated_at))).scalar_one()
            if db.is_sqlite:
                stored = (await conn.execute(text("SELECT updated_at FROM kv"))).scalar_one()
                # SQLAlchemy's DATETIME text: always six digits of microseconds.
                utc = moment.astimezone(UTC)
                assert stored == utc.strftime("%Y-%m-%d %H:%M:%S.%f")
    finally:
        await db.close()
    assert found == moment
    assert found.tzinfo is not None and found.utcoffset() == timedelta(0)


async def test_sqlite_text_of_other_writers_reads_as_utc(tmp_path: Path) -> None:
    # SQLite's own conversion, whichever engine the suite runs on.
    db = Database(f"sqlite:///{tmp_path / 'types.db'}")
    assert db.sync_engine is not None
    kv.create(db.sync_engine)
    try:
        async with db.write() as conn:
            # Written by SQLite itself (CURRENT_TIMESTAMP has no microseconds), by hand with
            # a T, and as earlier versions wrote it.
            for key, stamp in (
                ("a", "2026-12-05 19:28:51"),
                ("b", "2026-12-05T19:28:52.5"),
                ("c", "2026-12-05 19:28:53.000001"),
            ):
                await conn.execute(
                    text("""INSERT INTO kv ("key", value, updated_at) VALUES (:k, '{}', :t)"""),
                    {"k": key, "t": stamp},
                )
        async with db.read() as conn:
            rows = (await conn.execute(select(kv.c.key, kv.c.updated_at).order_by(kv.c.key))).all()
            later = (
                await conn.execute(
                    select(kv.c.key).where(
                        kv.c.updated_at > datetime(2026, 12, 5, 19, 28, 52, tzinfo=UTC)
                    )
                )
            ).scalars()
            after = sorted(later)
    finally:
        await db.close()
    assert [r.updated_at for r in rows] == [
        datetime(2026, 12, 5, 19, 28, 51, tzinfo=UTC),
        datetime(2026, 12, 5, 19, 28, 52, 500000, tzinfo=UTC),
        datetime(2026, 12, 5, 19, 28, 53, 1, tzinfo=UTC),
    ]
    assert after == ["b", "c"]
