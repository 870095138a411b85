"""Keeping a query to units' subtrees, fast on both engines.

A scope is resolved once per request from the unit tree (thousands of rows at most): every
unit (then a query needs no unit condition at all), or some units. For some units SQLite gets
the ids themselves (`unit_id IN (…)`, an index lookup per unit), PostgreSQL one subquery on
the tree: asyncpg prepares statements, and after five runs PostgreSQL plans a prepared
statement once for any values, which for an IN list of a thousand parameters went from 50 ms
to 1.4 s (bench/console.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from storage.db import Connection
from storage.reviews import in_subtree
from storage.schema import units


@dataclass(frozen=True)
class Subtrees:
    """The units under some paths: None for every unit, else their ids."""

    paths: tuple[str, ...]
    ids: tuple[int, ...] | None

    def condition(self, conn: Connection, column: ColumnElement[int]) -> ColumnElement[bool] | None:
        """`column` (a unit id) lies in these subtrees; None when that holds for every unit."""
        if self.ids is None:
            return None
        if conn.dialect.name == "sqlite":
            return column.in_(self.ids)
        return column.in_(select(units.c.id).where(in_subtree(units.c.path, self.paths)))


async def subtrees(
    conn: Connection, paths: Sequence[str], ids: Sequence[int] | None = None
) -> Subtrees:
    """Resolve the units under these paths (`ids`: those units, when the caller read them
    already)."""
    found = (
        tuple(ids)
        if ids is not None
        else tuple(
            int(r[0])
            for r in await conn.execute(select(units.c.id).where(in_subtree(units.c.path, paths)))
        )
    )
    every = int((await conn.execute(select(func.count()).select_from(units))).scalar_one())
    return Subtrees(tuple(paths), None if len(found) == every else found)
