"""Nominations as a filtered, paged table: the web console's queue (issue 17).

A row is visible to someone whose scope holds the unit it was submitted in (its deciding
unit, the same or an ancestor, is then in scope too or above it). Filters narrow by status,
a unit's subtree, field, call, submission date and the nominee's name without diacritics
(`nominee_key`, folded when stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, select

from storage.db import Connection
from storage.reviews import DECIDING_UNIT
from storage.rows import Row
from storage.schema import campaigns, nominations, review_levels, units
from storage.scoping import subtrees

Order = Literal["oldest", "newest"]


class Filters(BaseModel):
    """What the table shows: scopes (required) and optional narrowing filters."""

    scopes: list[str]
    statuses: list[str] = Field(default_factory=list)
    unit_path: str | None = None
    field: str | None = None
    campaign_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Folded (no diacritics, lower case, single spaces), as nominee_key is stored.
    name: str | None = None
    order: Order = "oldest"


class Line(Row):
    """One row of the table."""

    id: int
    code: str
    nominee_name: str
    kind: str
    field: str
    status: str
    submitted_at: datetime
    updated_at: datetime
    unit_name: str
    deciding_name: str
    deciding_path: str
    campaign_title: str | None


class Page(BaseModel):
    """One page of rows and how many rows the filters match."""

    lines: list[Line]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


async def _conditions(conn: Connection, filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    for paths in (filters.scopes, [filters.unit_path] if filters.unit_path else []):
        if paths:
            condition = (await subtrees(conn, paths)).condition(conn, nominations.c.unit_id)
            if condition is not None:
                where.append(condition)
    if filters.statuses:
        where.append(nominations.c.status.in_(filters.statuses))
    if filters.field:
        where.append(nominations.c.field == filters.field)
    if filters.campaign_id is not None:
        where.append(nominations.c.campaign_id == filters.campaign_id)
    if filters.since is not None:
        where.append(nominations.c.submitted_at >= filters.since)
    if filters.until is not None:
        where.append(nominations.c.submitted_at < filters.until)
    if filters.name:
        # As a subquery: SQLite then reads the names from their own index (which holds the
        # row id too) instead of looking up every waiting row's name in the table (150 ms
        # against 25 ms for a province; bench/console.py).
        named = nominations.alias("named")
        where.append(
            nominations.c.id.in_(
                select(named.c.id).where(
                    named.c.nominee_key.contains(filters.name, autoescape=True)
                )
            )
        )
    return where


async def _base(conn: Connection, filters: Filters) -> Select[Any]:
    return select(nominations.c.id).where(*await _conditions(conn, filters))


async def page_of(conn: Connection, filters: Filters, page: int, per_page: int) -> Page:
    """One page of matching nominations, longest waiting (or newest) first."""
    if not filters.scopes:
        return Page(lines=[], total=0, page=1, per_page=per_page)
    base = await _base(conn, filters)
    total = int(
        (await conn.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    if filters.order == "newest":
        order = (nominations.c.submitted_at.desc(), nominations.c.id.desc())
    else:
        order = (nominations.c.updated_at.asc(), nominations.c.id.asc())
    ids = [
        int(r[0])
        for r in await conn.execute(
            base.order_by(*order).limit(per_page).offset((page - 1) * per_page)
        )
    ]
    return Page(lines=await _lines(conn, ids), total=total, page=page, per_page=per_page)


async def _lines(conn: Connection, ids: Sequence[int]) -> list[Line]:
    """The rows of these nominations, in the order of `ids`."""
    if not ids:
        return []
    origin = units.alias("origin")
    deciding = units.alias("deciding")
    rows = await conn.execute(
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.nominee_name,
            nominations.c.kind,
            nominations.c.field,
            nominations.c.status,
            nominations.c.submitted_at,
            nominations.c.updated_at,
            origin.c.name.label("unit_name"),
            deciding.c.name.label("deciding_name"),
            deciding.c.path.label("deciding_path"),
            campaigns.c.title.label("campaign_title"),
        )
        .select_from(nominations)
        .join(origin, origin.c.id == nominations.c.unit_id)
        .outerjoin(review_levels, review_levels.c.nomination_id == nominations.c.id)
        .join(deciding, deciding.c.id == DECIDING_UNIT)
        .outerjoin(campaigns, campaigns.c.id == nominations.c.campaign_id)
        .where(nominations.c.id.in_(list(ids)))
    )
    by_id = {r.id: Line.model_validate(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]
