"""Đề cử: the queue as a table with filters and pages, and bulk approve / forward.

The table shows nominations submitted in the viewer's scope (reviewer rank); a row can be
ticked for a bulk decision when the viewer may decide it now. A bulk decision is asked once
more on a confirmation page listing what was ticked, then each nomination goes through the
same checks and conditional update as a decision on its own (handlers' review_actions), all
in one transaction: a nomination decided meanwhile by someone else is reported, not changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, field_int, field_text
from bot.console.dates import period
from handlers.flows.nominate import FIELDS
from handlers.flows.review_actions import decide, load_for_decision
from handlers.permissions import Action
from handlers.text import fold
from storage import campaigns, listing, reviews
from storage.db import Connection
from storage.reviews import WAITING
from storage.rows import Unit
from storage.units import children_of, get_unit, units_by_ids

PER_PAGE = 50
STATUSES = ("submitted", "answered", "forwarded", "needs_info", "approved", "rejected", "merged")
# The status filter's value for the queue (every waiting status); any value that is not a
# status (the page's "all") filters none.
WAITING_VALUE = "waiting"
BULK = {"approve": Action.APPROVE, "forward": Action.FORWARD}
CAMPAIGNS_LISTED = 50
MAX_NAME = 120


class Nominations(Console):
    """GET /console/nominations, POST /console/nominations/bulk."""

    def routes(self) -> list[BaseRoute]:
        """The table and its bulk action."""
        return [
            Route("/console/nominations", self.page(Action.VIEW, self.table), methods=["GET"]),
            Route(
                "/console/nominations/bulk",
                self.form(Action.OPEN, self.bulk),
                methods=["POST"],
            ),
        ]

    async def _filters(
        self, viewer: Viewer, params: Mapping[str, str]
    ) -> tuple[listing.Filters, Unit | None]:
        status = params.get("status", WAITING_VALUE)
        statuses = (
            list(WAITING) if status == WAITING_VALUE else [status] if status in STATUSES else []
        )
        unit = None
        unit_id = field_int(params, "unit")
        if unit_id is not None:
            async with self.deps.db.read() as conn:
                unit = await get_unit(conn, unit_id)
            if unit is not None and not viewer.may(Action.VIEW, unit.path):
                unit = None
        days = period(params, self.deps.config.timezone, self.deps.clock(), None)
        name = fold(params.get("q", "")[:MAX_NAME])
        field = params.get("field", "")
        order = params.get("order", "oldest")
        return (
            listing.Filters(
                scopes=viewer.scope(Action.VIEW),
                statuses=statuses,
                unit_path=unit.path if unit else None,
                field=field if field in FIELDS else None,
                campaign_id=field_int(params, "campaign"),
                since=days.since,
                until=days.until,
                name=name or None,
                order="newest" if order == "newest" else "oldest",
            ),
            unit,
        )

    async def table(self, request: Request, viewer: Viewer) -> Response:
        """The table of nominations with the filters in the query string."""
        params = {k: v[:200] for k, v in request.query_params.items()}
        filters, unit = await self._filters(viewer, params)
        page = field_int(params, "page") or 1
        async with self.deps.db.read() as conn:
            found = await listing.page_of(conn, filters, page, PER_PAGE)
            tree = await self._unit_options(conn, viewer, unit)
            calls = await campaigns.campaigns_in_scopes(
                conn, viewer.scope(Action.VIEW), CAMPAIGNS_LISTED
            )
        return self.show(
            viewer,
            "nominations.html",
            params=params,
            found=found,
            statuses=STATUSES,
            fields=FIELDS,
            units=tree,
            unit=unit,
            calls=calls,
            decidable={
                line.id
                for line in found.lines
                if viewer.may(Action.APPROVE, line.deciding_path, line.status)
            },
        )

    async def _unit_options(
        self, conn: Connection, viewer: Viewer, unit: Unit | None
    ) -> list[tuple[Unit, int]]:
        """The unit filter's choices: the viewer's units, the chosen unit's ancestors within
        scope, and its children, each with its depth (a province has thousands of units,
        so the list follows the choice down the tree rather than listing every one)."""
        scope = viewer.scope(Action.VIEW)
        roots = [m.unit_id for m in viewer.memberships if m.unit_path in scope]
        chain = [int(p) for p in unit.path.strip("/").split("/")] if unit else []
        known = await units_by_ids(conn, [*roots, *chain])
        shown: dict[int, Unit] = {}
        for unit_id in [*roots, *chain]:
            found = known.get(unit_id)
            if found is not None and viewer.may(Action.VIEW, found.path):
                shown[found.id] = found
        if unit is not None:
            for child in await children_of(conn, unit.id):
                shown[child.id] = child
        else:
            for root in roots:
                for child in await children_of(conn, root):
                    shown[child.id] = child
        ordered = sorted(shown.values(), key=lambda u: u.path)
        top = min((u.path.count("/") for u in ordered), default=0)
        return [(u, u.path.count("/") - top) for u in ordered]

    async def bulk(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Ticked rows: a confirmation page first, then the decisions, one by one."""
        action = field_text(fields, "action", 20)
        ids = sorted({int(v) for v in fields.getlist("id") if isinstance(v, str) and v.isdigit()})
        if action not in BULK or not ids:
            return self.error(viewer, "console.bulk.nothing", 400)
        ids = ids[:PER_PAGE]
        # Only what the viewer may decide is listed or acted on: the ids are the client's,
        # and another unit's nominations must not show up here by their number.
        async with self.deps.db.read() as conn:
            found = [await reviews.get_item(conn, n) for n in ids]
        items = [i for i in found if i and viewer.may(BULK[action], i.deciding_path, i.status)]
        if not items:
            return self.error(viewer, "console.bulk.nothing", 400)
        if field_text(fields, "confirm", 5) != "yes":
            return self.show(viewer, "bulk_confirm.html", action=action, items=items)
        decided = 0
        async with self.acting(viewer) as actor:
            for item in items:
                # Checked again in the transaction that decides (and the update itself is
                # conditional): a nomination decided meanwhile is reported, not changed.
                current = await load_for_decision(actor, item.id, BULK[action])
                if current is not None and await decide(actor, current, action, None):
                    decided += 1
        return self.show(
            viewer,
            "bulk_done.html",
            status=200 if decided else 409,
            action=action,
            decided=decided,
            asked=len(items),
            notices=actor.told,
        )
