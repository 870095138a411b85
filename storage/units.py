"""The unit tree: import, look-up, scope."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import or_, select, update

from storage.db import Connection
from storage.rows import Unit
from storage.schema import units


class UnitRecord(BaseModel):
    """One line of the unit CSV: `code,parent_code,name,kind`."""

    code: str
    parent_code: str | None
    name: str
    kind: str


class UnitImportError(ValueError):
    """The CSV names a parent that does not exist, or forms a cycle."""


async def get_unit(conn: Connection, unit_id: int) -> Unit | None:
    """The unit with this id."""
    row = (await conn.execute(select(units).where(units.c.id == unit_id))).first()
    return Unit.model_validate(row) if row else None


async def get_unit_by_code(conn: Connection, code: str) -> Unit | None:
    """The unit with this code."""
    row = (await conn.execute(select(units).where(units.c.code == code))).first()
    return Unit.model_validate(row) if row else None


async def count_units(conn: Connection) -> int:
    """How many units exist (to tell an empty database)."""
    return len((await conn.execute(select(units.c.id))).all())


def _ordered(records: Iterable[UnitRecord], known: set[str]) -> list[UnitRecord]:
    """Parents before children, whatever the CSV's order."""
    pending = list(records)
    ordered: list[UnitRecord] = []
    placed = set(known)
    while pending:
        progress = [r for r in pending if r.parent_code is None or r.parent_code in placed]
        if not progress:
            missing = sorted({r.parent_code or "" for r in pending})
            raise UnitImportError(f"unknown parent codes: {', '.join(missing)}")
        for record in progress:
            ordered.append(record)
            placed.add(record.code)
        pending = [r for r in pending if r.code not in placed]
    return ordered


async def upsert_units(conn: Connection, records: list[UnitRecord]) -> dict[str, int]:
    """Insert new units and update changed ones; parents may come after children in input."""
    existing = {
        u.code: u for u in (Unit.model_validate(r) for r in await conn.execute(select(units)))
    }
    created = updated = 0
    for record in _ordered(records, set(existing) - {r.code for r in records}):
        parent = existing.get(record.parent_code) if record.parent_code else None
        if record.parent_code and parent is None:
            raise UnitImportError(f"unknown parent code: {record.parent_code}")
        current = existing.get(record.code)
        if current is None:
            new_id = (
                await conn.execute(
                    units.insert()
                    .values(
                        code=record.code,
                        name=record.name,
                        kind=record.kind,
                        path="",
                        parent_id=parent.id if parent else None,
                    )
                    .returning(units.c.id)
                )
            ).scalar_one()
            path = f"{parent.path if parent else '/'}{new_id}/"
            await conn.execute(update(units).where(units.c.id == new_id).values(path=path))
            created += 1
        else:
            new_id = current.id
            path = f"{parent.path if parent else '/'}{new_id}/"
            if parent and f"/{new_id}/" in parent.path:
                raise UnitImportError(f"cycle at {record.code}")
            changed = (current.name, current.kind, current.parent_id, current.path) != (
                record.name,
                record.kind,
                parent.id if parent else None,
                path,
            )
            if changed:
                await conn.execute(
                    update(units)
                    .where(units.c.id == new_id)
                    .values(
                        name=record.name,
                        kind=record.kind,
                        parent_id=parent.id if parent else None,
                        path=path,
                    )
                )
                if current.path != path:
                    await _repath_subtree(conn, current.path, path)
                updated += 1
        row = (await conn.execute(select(units).where(units.c.id == new_id))).one()
        existing[record.code] = Unit.model_validate(row)
    return {"created": created, "updated": updated}


async def _repath_subtree(conn: Connection, old: str, new: str) -> None:
    """A moved unit carries its subtree with it."""
    rows = (
        await conn.execute(
            select(units.c.id, units.c.path).where(units.c.path.startswith(old, autoescape=True))
        )
    ).all()
    for unit_id, path in rows:
        await conn.execute(
            update(units).where(units.c.id == unit_id).values(path=new + path[len(old) :])
        )


async def units_in_scopes(conn: Connection, scope_paths: list[str]) -> list[Unit]:
    """Every unit inside these scopes (each a whole subtree), in tree order."""
    if not scope_paths:
        return []
    condition = or_(*(units.c.path.startswith(p, autoescape=True) for p in scope_paths))
    rows = await conn.execute(select(units).where(condition).order_by(units.c.path))
    return [Unit.model_validate(r) for r in rows]


async def children_of(conn: Connection, unit_id: int) -> list[Unit]:
    """The units right below one, by name."""
    rows = await conn.execute(
        select(units).where(units.c.parent_id == unit_id).order_by(units.c.name)
    )
    return [Unit.model_validate(r) for r in rows]


async def units_by_ids(conn: Connection, ids: Iterable[int]) -> dict[int, Unit]:
    """Units by id (those that exist)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await conn.execute(select(units).where(units.c.id.in_(wanted)))
    return {u.id: u for u in (Unit.model_validate(r) for r in rows)}
