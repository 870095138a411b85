"""Hồ sơ khen thưởng: from a unit's approved nominations, the proposal list it sends upward
(.docx, .xlsx), and the commendation decisions that come back, recorded for the ones ticked.

An official over the unit makes the files; recording a decision is the chat's /khenthuong
for each ticked nomination (handlers' review_actions.commend, its own check per nomination).
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, download, field_int, field_text
from bot.console.dates import parse_day, period
from handlers.flows.commend import FORMS
from handlers.flows.review_actions import commend, load_for
from handlers.messages import t
from handlers.permissions import Action
from handlers.ports import XLSX_MIME
from storage import audit, campaigns, commendations, dossier
from storage.db import Connection
from storage.rows import Unit
from storage.scoping import subtrees
from storage.units import children_of, get_unit, units_by_ids

LISTED = 300
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_LIMIT = 200


class Dossier(Console):
    """GET /console/dossier, POST /console/dossier (files), /console/dossier/decisions."""

    def routes(self) -> list[BaseRoute]:
        """The proposal page, its files and the decisions recorded from it."""
        return [
            Route("/console/dossier", self.page(Action.DOSSIER, self.overview), methods=["GET"]),
            Route("/console/dossier", self.form(Action.DOSSIER, self.files), methods=["POST"]),
            Route(
                "/console/dossier/decisions",
                self.form(Action.COMMEND, self.decisions),
                methods=["POST"],
            ),
        ]

    async def overview(self, request: Request, viewer: Viewer) -> Response:
        """The approved nominations of a unit (and its subtree), to tick for the proposal."""
        params = {k: v[:40] for k, v in request.query_params.items()}
        days = period(params, self.deps.config.timezone, self.deps.clock(), None)
        async with self.deps.db.read() as conn:
            unit = await viewer.unit(conn, field_int(params, "unit"), Action.DOSSIER)
            found = await dossier.approved(
                conn,
                await subtrees(conn, [unit.path]),
                since=days.since,
                until=days.until,
                campaign_id=field_int(params, "campaign"),
                limit=LISTED,
            )
            children = await children_of(conn, unit.id)
            roots = await units_by_ids(conn, [m.unit_id for m in viewer.memberships])
            calls = await campaigns.campaigns_in_scopes(conn, viewer.scope(Action.VIEW), 50)
        today = self.deps.clock().astimezone(self.deps.config.timezone).date()
        return self.show(
            viewer,
            "dossier.html",
            params=params,
            unit=unit,
            children=children,
            roots=[u for u in roots.values() if viewer.may(Action.DOSSIER, u.path)],
            calls=calls,
            lines=found,
            listed=LISTED,
            forms=[t(f"commend.form.{f}") for f in FORMS],
            today=today.isoformat(),
            may_commend={p.id for p in found if viewer.may(Action.COMMEND, p.unit_path)},
        )

    async def _chosen(
        self, conn: Connection, viewer: Viewer, unit: Unit, fields: FormData
    ) -> list[dossier.Proposal]:
        ids = sorted({int(v) for v in fields.getlist("id") if isinstance(v, str) and v.isdigit()})
        if not ids:
            return []
        return await dossier.approved(
            conn, await subtrees(conn, [unit.path]), ids=ids[:LISTED], limit=LISTED
        )

    async def files(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """The ticked nominations as the proposal, in the format asked."""
        kind = field_text(fields, "format", 5)
        if kind not in ("docx", "xlsx"):
            return self.error(viewer, "console.error.bad_form", 400)
        now = self.deps.clock()
        async with self.deps.db.write() as conn:
            unit = await get_unit(conn, field_int(fields, "unit") or 0)
            if unit is None or not viewer.may(Action.DOSSIER, unit.path):
                return self.forbidden(viewer)
            chosen = await self._chosen(conn, viewer, unit, fields)
            if not chosen:
                return self.error(viewer, "console.dossier.nothing", 400)
            await audit.record(
                conn,
                at=now,
                actor_id=viewer.person.id,
                action="dossier.made",
                object_type="unit",
                object_id=unit.id,
                detail={"nominations": [p.id for p in chosen], "format": kind},
            )
        # python-docx and openpyxl: loaded by a process that makes a dossier, not by every bot.
        from bot.console import dossier_files

        default = field_text(fields, "form", TEXT_LIMIT)
        lines = [
            dossier_files.Line(
                name=p.nominee_name,
                birth_year=str(p.birth_year or ""),
                position=p.place,
                summary=dossier_files.summary(p.achievement),
                form=field_text(fields, f"form{p.id}", TEXT_LIMIT) or default,
            )
            for p in chosen
        ]
        local = now.astimezone(self.deps.config.timezone)
        heading = dossier_files.Heading(
            unit=unit.name,
            place=field_text(fields, "place", TEXT_LIMIT) or unit.name,
            day=local.day,
            month=local.month,
            year=local.year,
            subtitle=field_text(fields, "subtitle", TEXT_LIMIT),
        )
        stamp = local.strftime("%Y-%m-%d")
        if kind == "docx":
            data = await asyncio.to_thread(dossier_files.docx, heading, lines)
            return download(data, DOCX, f"de-nghi-khen-thuong-{stamp}.docx")
        data = await asyncio.to_thread(dossier_files.xlsx, heading, lines)
        return download(data, XLSX_MIME, f"de-nghi-khen-thuong-{stamp}.xlsx")

    async def decisions(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Record one commendation decision for every ticked nomination."""
        form = field_text(fields, "decision_form", TEXT_LIMIT) or field_text(
            fields, "form", TEXT_LIMIT
        )
        number = field_text(fields, "number", 64)
        issuer = field_text(fields, "issuer", TEXT_LIMIT)
        day = parse_day(field_text(fields, "date", 10))
        today = self.deps.clock().astimezone(self.deps.config.timezone).date()
        if not (form and number and issuer and day) or day > today or day.year < 1945:
            return self.error(viewer, "console.card.commend_incomplete", 400)
        recorded = 0
        async with self.acting(viewer) as actor:
            unit = await get_unit(actor.conn, field_int(fields, "unit") or 0)
            if unit is None or not viewer.may(Action.VIEW, unit.path):
                return self.forbidden(viewer)
            for proposal in await self._chosen(actor.conn, viewer, unit, fields):
                item = await load_for(actor, proposal.id, Action.COMMEND)
                if item is None:
                    continue
                record = commendations.NewCommendation(
                    nomination_id=item.id,
                    form=field_text(fields, f"form{item.id}", TEXT_LIMIT) or form,
                    decision_no=number,
                    decided_on=day,
                    issuer=issuer,
                )
                recorded += await commend(actor, item, record)
        return self.show(
            viewer,
            "done.html",
            status=200 if recorded else 409,
            notices=[t("console.dossier.recorded", count=recorded), *actor.told],
            back=f"/console/dossier?unit={unit.id}",
        )
