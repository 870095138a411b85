"""What the command line does, as plain async functions (the CLI parses, these act)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.settings import Settings
from storage import invites
from storage.db import Database
from storage.units import UnitRecord, count_units, get_unit_by_code, upsert_units

UNIT_HEADER = ["code", "parent_code", "name", "kind"]
ROLES = ("member", "reviewer", "official", "admin")
DEMO_UNITS = Path(__file__).with_name("demo") / "units.csv"
DEMO_INVITES = (
    ("X-AN-BINH-HPN", "member"),
    ("X-AN-BINH-DTN", "member"),
    ("X-AN-BINH", "reviewer"),
    ("T-DEMO", "official"),
    ("T-DEMO", "admin"),
)


class CreatedInvite(BaseModel):
    """What `invite create --json` prints."""

    code: str
    unit: str
    role: str
    uses: int
    expires_at: datetime
    telegram_link: str | None = None


def read_units_csv(path: Path) -> list[UnitRecord]:
    """Parse a UTF-8 unit CSV with the header code,parent_code,name,kind."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != UNIT_HEADER:
            raise ValueError(f"the header must be {','.join(UNIT_HEADER)}")
        records = []
        for line, row in enumerate(reader, start=2):
            code, name, kind = row["code"].strip(), row["name"].strip(), row["kind"].strip()
            if not code or not name or not kind:
                raise ValueError(f"line {line}: code, name and kind are required")
            records.append(
                UnitRecord(
                    code=code, parent_code=row["parent_code"].strip() or None, name=name, kind=kind
                )
            )
    return records


async def import_units(db: Database, path: Path) -> dict[str, int]:
    """Upsert the unit tree from a CSV file, in one transaction."""
    records = read_units_csv(path)
    async with db.write() as conn:
        return await upsert_units(conn, records)


async def create_invite(
    db: Database,
    settings: Settings,
    unit_code: str,
    role: str,
    uses: int,
    days: int,
    now: datetime,
    telegram_username: str | None = None,
) -> CreatedInvite:
    """Make an invite for a unit and role; the code is returned once and stored hashed."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if uses < 1 or days < 1:
        raise ValueError("--uses and --days must be at least 1")
    code = invites.new_code()
    expires = now + timedelta(days=days)
    async with db.write() as conn:
        unit = await get_unit_by_code(conn, unit_code)
        if unit is None:
            raise ValueError(f"no unit with code {unit_code}")
        await invites.create_invite(conn, code, unit.id, role, uses, expires, now)
    link = f"https://t.me/{telegram_username}?start={code}" if telegram_username else None
    return CreatedInvite(
        code=code, unit=unit_code, role=role, uses=uses, expires_at=expires, telegram_link=link
    )


async def seed_demo(db: Database, settings: Settings, now: datetime, store: Path) -> list[Any]:
    """On an empty database: the demo province and one invite per role, kept in `store`."""
    async with db.read() as conn:
        empty = await count_units(conn) == 0
    if empty:
        await import_units(db, DEMO_UNITS)
        created = [
            await create_invite(db, settings, unit, role, 1000, 365, now)
            for unit, role in DEMO_INVITES
        ]
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(
            json.dumps([c.model_dump(mode="json") for c in created], ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    if not store.exists():
        return []
    loaded: list[Any] = json.loads(store.read_text(encoding="utf-8"))
    return loaded
