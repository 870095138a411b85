"""Đơn vị: the unit tree under watch (plan content 5, "giám sát"): for a period or a call, the
nominations by status of each unit below the one chosen (its whole subtree counted), the
units that have sent nothing, and each reviewer's backlog with what is past its SLA.

One level of the tree at a time (a province has thousands of units); every figure is one
set-based query over the whole subtree, summed up the tree in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from operator import add

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, field_int
from bot.console.dates import period
from handlers.permissions import Action
from storage import campaigns, digests, oversight
from storage.scoping import subtrees
from storage.units import units_by_ids

PER_PAGE = 100
SILENT_SHOWN = 100
REVIEWERS_SHOWN = 50
DEFAULT_DAYS = 30
COLUMNS = tuple(name for name, _ in oversight.COLUMNS)
COLUMN_INDEX = {name: n for n, name in enumerate(COLUMNS)}
EMPTY = [0] * (len(COLUMNS) + 1)


@dataclass
class Tally:
    """A unit's nominations in each column (its whole subtree), and the unit itself."""

    id: int
    name: str
    kind: str
    path: str
    counts: list[int]

    @property
    def total(self) -> int:
        """Every nomination counted."""
        return self.counts[-1]

    def column(self, name: str) -> int:
        """One column of the table."""
        return self.counts[COLUMN_INDEX[name]]


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

    async def tree(self, request: Request, viewer: Viewer) -> Response:
        """The chosen unit's children with their figures, silent units and backlogs."""
        params = {k: v[:40] for k, v in request.query_params.items()}
        campaign_id = field_int(params, "campaign")
        days = period(params, self.deps.config.timezone, self.deps.clock(), DEFAULT_DAYS)
        since, until = (None, None) if campaign_id is not None else (days.since, days.until)
        now = self.deps.clock()
        async with self.deps.db.read() as conn:
            unit = await viewer.unit(conn, field_int(params, "unit"), Action.VIEW)
            nodes = await oversight.subtree(conn, unit.path)
            scope = await subtrees(conn, [unit.path], [n[0] for n in nodes])
            counts = await oversight.counts_by_unit(
                conn, scope, since=since, until=until, campaign_id=campaign_id
            )
            overdue_before = now - timedelta(days=self.deps.config.review_sla_days)
            waiting = await digests.waiting_by_unit(conn, overdue_before, scope)
            posts = await oversight.reviewers_in(conn, scope)
            chain = await units_by_ids(conn, [int(p) for p in unit.path.strip("/").split("/")])
            calls = await campaigns.campaigns_in_scopes(conn, viewer.scope(Action.VIEW), 50)
        tree = Tree(nodes)
        totals = tree.roll_up(counts)
        children = sorted(
            (tree.tally(i, totals) for i in tree.children.get(unit.id, [])), key=lambda t: t.name
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
            here=tree.tally(unit.id, totals),
            own=sum(numbers[-1] for u, numbers in counts if u == unit.id),
            breadcrumb=[u for u in breadcrumb if viewer.may(Action.VIEW, u.path)],
            children=children[(page - 1) * PER_PAGE : page * PER_PAGE],
            page=page,
            pages=pages,
            silent=tree.silent(unit.id, totals),
            backlog=tree.backlog(posts, waiting)[:REVIEWERS_SHOWN],
            columns=COLUMNS,
            calls=calls,
            since=since,
            until=until - timedelta(seconds=1) if until else None,
            sla=self.deps.config.review_sla_days,
            silent_shown=SILENT_SHOWN,
        )


class Tree:
    """A subtree of units, to add figures up it: deepest units first, each into its parent
    (one pass over the units, not one per counted row)."""

    def __init__(self, nodes: list[tuple[int, int | None, str, str, str]]) -> None:
        self.nodes = {n[0]: n for n in nodes}
        self.children: dict[int, list[int]] = {}
        for unit_id, parent, _, _, _ in nodes:
            if parent is not None and parent in self.nodes:
                self.children.setdefault(parent, []).append(unit_id)
        self.upward = sorted(self.nodes, key=lambda i: -self.nodes[i][2].count("/"))

    def roll_up(self, counts: list[oversight.UnitCount]) -> dict[int, list[int]]:
        """Each unit's counts by column over its whole subtree."""
        totals: dict[int, list[int]] = {}
        for unit_id, numbers in counts:
            if unit_id in self.nodes:
                totals[unit_id] = list(numbers)
        for unit_id in self.upward:
            own = totals.get(unit_id)
            parent = self.nodes[unit_id][1]
            if own is None or parent is None or parent not in self.nodes:
                continue
            above = totals.get(parent)
            totals[parent] = own[:] if above is None else list(map(add, above, own))
        return {i: totals.get(i, EMPTY) for i in self.nodes}

    def tally(self, unit_id: int, totals: dict[int, list[int]]) -> Tally:
        """One unit's row of the table."""
        _, _, path, name, kind = self.nodes[unit_id]
        return Tally(unit_id, name, kind, path, totals[unit_id])

    def silent(self, top: int, totals: dict[int, list[int]]) -> list[Tally]:
        """The outermost units below `top` with nothing submitted (a silent commune, not
        also each of its groups)."""
        quiet = {i for i, counts in totals.items() if not counts[-1] and i != top}
        outermost = [i for i in quiet if self.nodes[i][1] not in quiet]
        return sorted((self.tally(i, totals) for i in outermost), key=lambda t: t.path)

    def backlog(
        self, posts: list[oversight.ReviewerPost], waiting: list[digests.UnitWaiting]
    ) -> list[Backlog]:
        """Each post's waiting and overdue nominations in its scope, most overdue first."""
        load = {i: [0, 0] for i in self.nodes}
        for unit_id, held, late in waiting:
            if unit_id in load:
                load[unit_id][0] += held
                load[unit_id][1] += late
        for unit_id in self.upward:
            parent = self.nodes[unit_id][1]
            if parent is not None and parent in load:
                load[parent][0] += load[unit_id][0]
                load[parent][1] += load[unit_id][1]
        rows = [
            Backlog(post.name, self.nodes[post.unit_id][3], post.role, *load[post.unit_id])
            for post in posts
            if post.unit_id in self.nodes
        ]
        return sorted(rows, key=lambda r: (-r.overdue, -r.waiting, r.name))
