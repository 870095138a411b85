"""Đơn vị: the unit tree under watch (plan content 5, "giám sát"): for a period or a call, the
nominations by status of each unit below the one chosen (its whole subtree counted), the
units that have sent nothing, and each reviewer's backlog with what is past its SLA.

One level of the tree at a time (a province has thousands of units); every figure is one
set-based query over the whole subtree, summed up the tree in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, field_int
from bot.console.nominations import parse_day
from handlers.permissions import Action
from storage import campaigns, digests, oversight
from storage.db import Connection
from storage.reviews import WAITING
from storage.rows import Unit
from storage.units import count_units, get_unit, units_by_ids

PER_PAGE = 100
SILENT_SHOWN = 100
REVIEWERS_SHOWN = 50
DEFAULT_DAYS = 30
COLUMNS = ("waiting", "needs_info", "approved", "rejected", "merged")


@dataclass
class Tally:
    """A unit's nominations by status (its whole subtree), and the unit itself."""

    id: int
    name: str
    kind: str
    path: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every nomination counted."""
        return sum(self.counts.values())

    def column(self, name: str) -> int:
        """One column of the table ("waiting" adds up every waiting status)."""
        if name == "waiting":
            return sum(self.counts.get(s, 0) for s in WAITING)
        return self.counts.get(name, 0)


@dataclass(frozen=True)
class Backlog:
    """A reviewer's post: what waits in its scope, and how much of it past the SLA."""

    name: str
    unit: str
    role: str
    waiting: int
    overdue: int


class Units(Console):
    """GET /console/units."""

    def routes(self) -> list[BaseRoute]:
        """The unit page."""
        return [Route("/console/units", self.page(Action.VIEW, self.tree), methods=["GET"])]

    async def _chosen(self, conn: Connection, viewer: Viewer, unit_id: int | None) -> Unit | None:
        if unit_id is not None:
            unit = await get_unit(conn, unit_id)
            if unit is not None and viewer.may(Action.VIEW, unit.path):
                return unit
        scope = viewer.scope(Action.VIEW)
        first = next((m for m in viewer.memberships if m.unit_path in scope), None)
        return await get_unit(conn, first.unit_id) if first else None

    def _period(self, params: dict[str, str]) -> tuple[datetime | None, datetime | None]:
        zone = self.deps.config.timezone
        today = self.deps.clock().astimezone(zone).date()
        first = parse_day(params.get("from", "")) or today - timedelta(days=DEFAULT_DAYS - 1)
        last = parse_day(params.get("to", "")) or today
        since = datetime.combine(first, time(0), zone).astimezone(UTC)
        until = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
        return since, until

    async def tree(self, request: Request, viewer: Viewer) -> Response:
        """The chosen unit's children with their figures, silent units and backlogs."""
        params = {k: v[:40] for k, v in request.query_params.items()}
        campaign_id = field_int(params, "campaign")
        since, until = (None, None) if campaign_id is not None else self._period(params)
        now = self.deps.clock()
        async with self.deps.db.read() as conn:
            unit = await self._chosen(conn, viewer, field_int(params, "unit"))
            if unit is None:
                return self.forbidden(viewer)
            nodes = await oversight.subtree(conn, unit.path)
            every = len(nodes) == await count_units(conn)
            ids = None if every else [n[0] for n in nodes]
            counts = await oversight.counts_by_unit(
                conn, [n[0] for n in nodes], since=since, until=until, campaign_id=campaign_id
            )
            overdue_before = now - timedelta(days=self.deps.config.review_sla_days)
            waiting = await digests.waiting_by_unit(conn, overdue_before, ids)
            posts = await oversight.reviewers_in(conn, ids)
            chain = await units_by_ids(conn, [int(p) for p in unit.path.strip("/").split("/")])
            calls = await campaigns.campaigns_in_scopes(conn, viewer.scope(Action.VIEW), 50)
        tallies = _tally(nodes, counts)
        children = sorted(
            (t for t in tallies.values() if _parent(t.path) == unit.id), key=lambda t: t.name
        )
        page = max(1, field_int(params, "page") or 1)
        pages = max(1, -(-len(children) // PER_PAGE))
        page = min(page, pages)
        breadcrumb = [u for u in (chain.get(int(p)) for p in unit.path.strip("/").split("/")) if u]
        return self.show(
            viewer,
            "units.html",
            params=params,
            unit=unit,
            here=tallies[unit.id],
            own=_own(unit.id, counts),
            breadcrumb=[u for u in breadcrumb if viewer.may(Action.VIEW, u.path)],
            children=children[(page - 1) * PER_PAGE : page * PER_PAGE],
            page=page,
            pages=pages,
            silent=_silent(tallies, unit.id),
            backlog=_backlog(posts, waiting, tallies, {n[0]: n[1] for n in nodes})[
                :REVIEWERS_SHOWN
            ],
            columns=COLUMNS,
            calls=calls,
            since=since,
            until=until - timedelta(seconds=1) if until else None,
            sla=self.deps.config.review_sla_days,
            silent_shown=SILENT_SHOWN,
        )


def _parent(path: str) -> int | None:
    parts = path.strip("/").split("/")
    return int(parts[-2]) if len(parts) > 1 else None


def _tally(
    nodes: list[tuple[int, int | None, str, str, str]], counts: list[oversight.UnitCount]
) -> dict[int, Tally]:
    """Each unit's figures over its whole subtree: its own, then each unit's added to its
    parent's, deepest units first (one pass over the tree, not one per nomination count)."""
    tallies = {i: Tally(i, name, kind, path) for i, _, path, name, kind in nodes}
    for unit_id, status, number in counts:
        tally = tallies.get(unit_id)
        if tally is not None:
            tally.counts[status] = tally.counts.get(status, 0) + number
    parents = {i: parent for i, parent, _, _, _ in nodes}
    for unit_id in sorted(tallies, key=lambda i: -tallies[i].path.count("/")):
        parent = tallies.get(parents[unit_id] or 0)
        if parent is not None:
            into = parent.counts
            for status, number in tallies[unit_id].counts.items():
                into[status] = into.get(status, 0) + number
    return tallies


def _own(unit_id: int, counts: list[oversight.UnitCount]) -> int:
    """Nominations submitted in the unit itself (not below it)."""
    return sum(c.number for c in counts if c.unit_id == unit_id)


def _silent(tallies: dict[int, Tally], top: int) -> list[Tally]:
    """The outermost units with nothing submitted (a silent commune, not also its groups)."""
    quiet = {i for i, t in tallies.items() if t.total == 0 and i != top}
    return sorted(
        (tallies[i] for i in quiet if _parent(tallies[i].path) not in quiet),
        key=lambda t: t.path,
    )


def _backlog(
    posts: list[oversight.ReviewerPost],
    waiting: list[digests.UnitWaiting],
    tallies: dict[int, Tally],
    parents: dict[int, int | None],
) -> list[Backlog]:
    """Each post's waiting and overdue nominations in its scope, most overdue first."""
    load = {unit_id: [0, 0] for unit_id in tallies}
    for item in waiting:
        if item.unit_id in load:
            load[item.unit_id][0] += item.waiting
            load[item.unit_id][1] += item.overdue
    for unit_id in sorted(tallies, key=lambda i: -tallies[i].path.count("/")):
        parent = parents.get(unit_id)
        if parent in load:
            load[parent][0] += load[unit_id][0]
            load[parent][1] += load[unit_id][1]
    rows = [
        Backlog(post.name, tallies[post.unit_id].name, post.role, *load[post.unit_id])
        for post in posts
        if post.unit_id in tallies
    ]
    return sorted(rows, key=lambda r: (-r.overdue, -r.waiting, r.name))
