"""Nhật ký: the audit log for admins, newest first, filterable by kind and date.

An admin over the whole tree sees every entry; an admin lower down sees the entries of
people who hold a role in their units (the log records actors, not places).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, field_int
from bot.console.dates import period
from handlers.messages import CATALOG, t
from handlers.permissions import Action
from storage import audit
from storage.scoping import subtrees

PER_PAGE = 50
DETAIL_SHOWN = 300


def action_label(action: str) -> str:
    """The Vietnamese name of an entry's kind (the kind itself for one without a name)."""
    key = f"console.audit.action.{action}"
    return t(key) if key in CATALOG else action


def detail_text(detail: dict[str, object]) -> str:
    """An entry's details, short."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= DETAIL_SHOWN else text[: DETAIL_SHOWN - 1] + "…"


class AuditLog(Console):
    """GET /console/audit."""

    def routes(self) -> list[BaseRoute]:
        """The log page."""
        return [Route("/console/audit", self.page(Action.AUDIT, self.log), methods=["GET"])]

    async def log(self, request: Request, viewer: Viewer) -> Response:
        """A page of entries."""
        params = {k: v[:64] for k, v in request.query_params.items()}
        days = period(params, self.deps.config.timezone, self.deps.clock(), None)
        page = max(1, field_int(params, "page") or 1)
        async with self.deps.db.read() as conn:
            kinds = await audit.actions(conn)
            action = params.get("action", "")
            found, total = await audit.entries(
                conn,
                actors_in=await subtrees(conn, viewer.scope(Action.AUDIT)),
                action=action if action in kinds else None,
                since=days.since,
                until=days.until,
                offset=(page - 1) * PER_PAGE,
                limit=PER_PAGE,
            )
        return self.show(
            viewer,
            "audit.html",
            params=params,
            kinds=[(k, action_label(k)) for k in kinds],
            entries=[(e, action_label(e.action), detail_text(e.detail)) for e in found],
            total=total,
            page=page,
            pages=max(1, -(-total // PER_PAGE)),
        )
