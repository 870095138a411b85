"""What the command line does, as plain async functions (the CLI parses, these act)."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from bot.app import core_config
from bot.media import FolderMedia
from bot.settings import Settings
from handlers.flows.nominate import FIELDS
from scheduler import retention
from scheduler.core import BatchContext
from storage import criteria, invites
from storage.db import Database
from storage.units import UnitRecord, count_units, get_unit_by_code, upsert_units

UNIT_HEADER = ["code", "parent_code", "name", "kind"]
CRITERIA_HEADER = ["unit_code", "field", "criterion", "weight", "max_score"]
ROLES = ("member", "reviewer", "official", "admin")
DEMO_UNITS = Path(__file__).with_name("demo") / "units.csv"
DEMO_CRITERIA = Path(__file__).with_name("demo") / "criteria.csv"
# (unit, role, uses): members share a code; every higher role's code serves one person, and
# the admin role is never handed out by a many-use invite.
DEMO_INVITES = (
    ("X-AN-BINH-HPN", "member", 50),
    ("X-AN-BINH-DTN", "member", 50),
    ("X-AN-BINH", "reviewer", 1),
    ("T-DEMO", "official", 1),
    ("T-DEMO", "admin", 1),
)
DEMO_INVITE_DAYS = 1


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
    if role == "admin" and uses > 1:
        raise ValueError("an admin invite serves one person: use --uses 1")
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


async def seed_demo(db: Database, settings: Settings, now: datetime) -> list[CreatedInvite]:
    """On an empty database only: the demo province and one invite per role, valid one day.

    The codes are returned to be printed once and are kept nowhere else (only their hashes);
    on a database that has units already, nothing is made and [] is returned.
    """
    async with db.read() as conn:
        empty = await count_units(conn) == 0
    if not empty:
        return []
    await import_units(db, DEMO_UNITS)
    await import_criteria(db, DEMO_CRITERIA)
    return [
        await create_invite(db, settings, unit, role, uses, DEMO_INVITE_DAYS, now)
        for unit, role, uses in DEMO_INVITES
    ]


class CriteriaLine(BaseModel):
    """One line of a criteria CSV, checked."""

    unit_code: str
    field: str
    item: criteria.NewCriterion


def _positive(value: str, name: str, line: int) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"line {line}: {name} must be a number") from None
    if not 0 < number <= 1000:
        raise ValueError(f"line {line}: {name} must be above 0 and at most 1000")
    return number


def read_criteria_csv(path: Path) -> list[CriteriaLine]:
    """Parse a UTF-8 criteria CSV with the header unit_code,field,criterion,weight,max_score."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != CRITERIA_HEADER:
            raise ValueError(f"the header must be {','.join(CRITERIA_HEADER)}")
        lines: list[CriteriaLine] = []
        seen: set[tuple[str, str, str]] = set()
        for number, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise ValueError(f"line {number}: expected 5 columns")
            unit, field, name = row["unit_code"].strip(), row["field"].strip(), row["criterion"]
            name = " ".join(name.split())
            if not unit or not name:
                raise ValueError(f"line {number}: unit_code and criterion are required")
            if field not in FIELDS:
                raise ValueError(f"line {number}: field must be one of {', '.join(FIELDS)}")
            if len(name) > 200:
                raise ValueError(f"line {number}: criterion is longer than 200 characters")
            if (unit, field, name) in seen:
                raise ValueError(f"line {number}: criterion repeated for {unit} / {field}")
            seen.add((unit, field, name))
            item = criteria.NewCriterion(
                name=name,
                weight=_positive(row["weight"], "weight", number),
                max_score=_positive(row["max_score"], "max_score", number),
            )
            lines.append(CriteriaLine(unit_code=unit, field=field, item=item))
    if not lines:
        raise ValueError("the file has no criteria")
    return lines


async def import_criteria(db: Database, path: Path) -> dict[str, int]:
    """Replace the criteria set of every (unit, field) named in the file, in one transaction."""
    lines = read_criteria_csv(path)
    groups: dict[tuple[str, str], list[criteria.NewCriterion]] = {}
    for line in lines:
        groups.setdefault((line.unit_code, line.field), []).append(line.item)
    async with db.write() as conn:
        for (unit_code, field), items in groups.items():
            unit = await get_unit_by_code(conn, unit_code)
            if unit is None:
                raise ValueError(f"no unit with code {unit_code}")
            await criteria.replace_set(conn, unit.id, field, items)
    return {"sets": len(groups), "criteria": len(lines)}


# How the purge's counts read (the keys of scheduler/retention.py's result).
PURGE_LINES = {
    "inbox_stripped": "inbox messages stripped of their content",
    "outbox_stripped": "outbox messages stripped of their content",
    "drafts_dropped": "unfinished drafts dropped",
    "uploads_deleted": "web uploads no nomination uses, deleted",
    "rejected_evidence_deleted": "evidence of rejected nominations deleted",
    "withdrawn_cards_deleted": "cards of withdrawn publications deleted",
    "strangers_forgotten": "accounts that never joined, forgotten",
    "job_runs_pruned": "scheduler claims pruned",
    "audit_pruned": "audit entries pruned",
    "sessions_purged": "ended web sessions deleted",
    "windows_purged": "rate windows deleted",
    "browsers_signed_out": "browsers without a live session unlinked",
    "exports_deleted": "spreadsheets, charts and downloads deleted",
}


async def purge(
    db: Database, settings: Settings, now: datetime, *, dry_run: bool, vacuum: bool = False
) -> dict[str, int]:
    """Apply the retention periods now (or count what would go), as the hourly job does."""
    config = core_config(settings, lambda: now, FolderMedia(settings.media_dir))
    counts = await retention.purge(BatchContext(db=db, now=now, config=config, dry_run=dry_run))
    if vacuum and not dry_run:
        await db.vacuum()
    return counts


def purge_report(counts: dict[str, int], *, dry_run: bool) -> str:
    """The purge's counts, one line each."""
    head = "would go (dry run):" if dry_run else "purged:"
    lines = [head] + [f"  {counts.get(k, 0):>8}  {label}" for k, label in PURGE_LINES.items()]
    return "\n".join(lines)
