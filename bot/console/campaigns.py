"""Đợt phát động: calls for nominations with their progress (sends, nominations, reminders),
and opening, extending, re-timing and closing them from the console.

Opening shows the same preview the chat does (the call as members receive it, how many it
reaches, whether quiet hours hold it back) and then goes through the same function
(handlers.officials.sending.open_call): the same checks, fan-out, audit and reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, ConsoleActor, Viewer, field_int, field_text
from bot.console.dates import parse_day
from handlers.flows.campaign_manage import MAX_REMINDERS, parse_days
from handlers.flows.nominate import FIELDS
from handlers.localtime import deadline_date
from handlers.messages import t
from handlers.officials import sending, template_cost
from handlers.permissions import Action
from handlers.text import number
from storage import bulk, campaigns, outbox
from storage.db import Connection
from storage.units import get_unit

LISTED = 50


@dataclass
class CallForm:
    """A new call as the form gives it, and what is wrong with it (catalog texts)."""

    title: str = ""
    body: str = ""
    fields: list[str] = field(default_factory=lambda: list(FIELDS))
    deadline: date | None = None
    unit: int | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, fields: FormData) -> CallForm:
        """The form's values, checked as the chat checks each answer."""
        title = field_text(fields, "title", sending.TITLE_LIMITS[1] + 1)
        body = field_text(fields, "body", sending.BODY_LIMITS[1] + 1)
        chosen = [str(f) for f in fields.getlist("field") if f in FIELDS]
        form = cls(
            title,
            body,
            chosen or list(FIELDS),
            parse_day(field_text(fields, "deadline", 10)),
            field_int(fields, "unit"),
        )
        for label, text, (low, high) in (
            ("console.campaign.title_label", title, sending.TITLE_LIMITS),
            ("console.campaign.body_label", body, sending.BODY_LIMITS),
        ):
            if len(text) < low:
                form.problems.append(t("console.campaign.short", field=t(label), min=low))
            elif len(text) > high:
                form.problems.append(t("common.too_long", max=high, got=len(text)))
        if form.deadline is None:
            form.problems.append(t("officials.campaign.deadline_invalid"))
        return form


class Campaigns(Console):
    """The calls page, a call's page, and their forms."""

    def routes(self) -> list[BaseRoute]:
        """GET and POST routes of calls."""
        one = "/console/campaigns/{campaign_id:int}"
        return [
            Route("/console/campaigns", self.page(Action.CAMPAIGN, self.calls), methods=["GET"]),
            Route("/console/campaigns/new", self.page(Action.CAMPAIGN, self.new), methods=["GET"]),
            Route(
                "/console/campaigns/preview",
                self.form(Action.CAMPAIGN, self.preview),
                methods=["POST"],
            ),
            Route("/console/campaigns", self.form(Action.CAMPAIGN, self.open), methods=["POST"]),
            Route(one, self.page(Action.CAMPAIGN, self.call), methods=["GET"]),
            Route(one + "/extend", self.form(Action.CAMPAIGN, self.extend), methods=["POST"]),
            Route(one + "/reminders", self.form(Action.CAMPAIGN, self.remind), methods=["POST"]),
            Route(one + "/close", self.form(Action.CAMPAIGN, self.close), methods=["POST"]),
        ]

    def _deadline(self, call: campaigns.CampaignDetail) -> str:
        return deadline_date(call.deadline_at, self.deps.config)

    async def calls(self, request: Request, viewer: Viewer) -> Response:
        """The calls in the viewer's scope, open ones first, with what they brought."""
        async with self.deps.db.read() as conn:
            found = await campaigns.campaigns_in_scopes(conn, viewer.scope(Action.CAMPAIGN), LISTED)
            counts = await campaigns.nomination_counts(conn, [c.id for c in found])
        return self.show(
            viewer,
            "campaigns.html",
            calls=[(c, self._deadline(c), counts.get(c.id, 0)) for c in found],
        )

    async def _form_page(
        self, conn: Connection, viewer: Viewer, form: CallForm, status: int = 200
    ) -> Response:
        units = await self.unit_choices(conn, viewer, Action.CAMPAIGN)
        return self.show(
            viewer, "campaign_new.html", status=status, units=units, fields=FIELDS, form=form
        )

    async def new(self, request: Request, viewer: Viewer) -> Response:
        """The form of a new call."""
        async with self.deps.db.read() as conn:
            return await self._form_page(conn, viewer, CallForm())

    async def _checked(self, actor: ConsoleActor, viewer: Viewer, form: CallForm) -> bool:
        """The unit and the deadline, checked against this moment and the viewer's roles."""
        if form.deadline is not None:
            problem = sending.deadline_problem(form.deadline, actor)
            if problem:
                form.problems.append(t(problem))
        unit = await get_unit(actor.conn, form.unit or 0)
        if unit is None or not viewer.may(Action.CAMPAIGN, unit.path):
            form.problems.append(t("console.campaign.no_unit"))
        return not form.problems

    async def preview(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """The call as members will receive it, whom it reaches, and the button to open it."""
        form = CallForm.read(fields)
        async with self.acting(viewer) as actor:
            if not await self._checked(actor, viewer, form):
                return await self._form_page(actor.conn, viewer, form, 400)
            unit = await get_unit(actor.conn, form.unit or 0)
            assert unit is not None and form.deadline is not None
            people = await bulk.people_in_scope(actor.conn, unit.path)
            text = sending.call_text(
                form.title, form.body, form.fields, self.deps.render.day(form.deadline)
            )
            note = sending.quiet_note(actor)
            # What reaching Zalo members outside their window costs, as the chat tells it.
            cost = await template_cost.estimate(
                actor.conn, self.deps.config, actor.now, unit.id, "call_opened", people
            )
        return self.show(
            viewer,
            "campaign_preview.html",
            unit=unit,
            form=form,
            text=text,
            reach=number(len(people)),
            note=note,
            cost=template_cost.cost_note(cost).strip(),
        )

    async def open(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Open the call previewed (everything checked again as it opens)."""
        form = CallForm.read(fields)
        async with self.acting(viewer) as actor:
            if not await self._checked(actor, viewer, form):
                return await self._form_page(actor.conn, viewer, form, 400)
            unit = await get_unit(actor.conn, form.unit or 0)
            assert unit is not None and form.deadline is not None
            opened = await sending.open_call(
                actor,
                unit,
                title=form.title,
                body=form.body,
                fields=form.fields,
                last_day=form.deadline,
            )
        if opened is None:
            return self.show(viewer, "error.html", status=409, message=" ".join(actor.told))
        return RedirectResponse(f"/console/campaigns/{opened[0].id}", status_code=303)

    async def call(self, request: Request, viewer: Viewer) -> Response:
        """One call: its sends with their progress, its nominations, its reminders."""
        campaign_id = int(request.path_params["campaign_id"])
        async with self.deps.db.read() as conn:
            found = await campaigns.get_detail(conn, campaign_id)
            if found is None or not viewer.may(Action.CAMPAIGN, found.unit_path):
                return self.error(viewer, "officials.campaign.not_found", 404)
            sends = [
                (s, await outbox.counts_by_status(conn, s.batch))
                for s in await bulk.bulks_of_call(conn, campaign_id)
            ]
            count = (await campaigns.nomination_counts(conn, [campaign_id])).get(campaign_id, 0)
            reporters = len(await campaigns.reporters_in(conn, campaign_id))
        days = found.reminder_days if found.reminder_days is not None else []
        return self.show(
            viewer,
            "campaign.html",
            call=found,
            deadline=self._deadline(found),
            sends=sends,
            nominations=count,
            reporters=reporters,
            days=", ".join(str(d) for d in sorted(days, reverse=True)),
            done=found.reminders_done or [],
            max_reminders=MAX_REMINDERS,
            notices=[t("console.campaign.saved")] if request.query_params.get("saved") else [],
        )

    async def _after(
        self, viewer: Viewer, actor: ConsoleActor, ok: bool, campaign_id: int
    ) -> Response:
        if ok:
            return RedirectResponse(f"/console/campaigns/{campaign_id}?saved=1", status_code=303)
        return self.show(viewer, "error.html", status=409, message=" ".join(actor.told))

    async def extend(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """A later deadline."""
        campaign_id = int(request.path_params["campaign_id"])
        day = parse_day(field_text(fields, "deadline", 10))
        async with self.acting(viewer) as actor:
            if day is None:
                actor.tell("officials.campaign.deadline_invalid")
            ok = day is not None and await sending.extend_call(actor, campaign_id, day)
        return await self._after(viewer, actor, ok, campaign_id)

    async def remind(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """The days before the deadline when those who have not nominated are reminded."""
        campaign_id = int(request.path_params["campaign_id"])
        days = parse_days(field_text(fields, "days", 40) or "0")
        async with self.acting(viewer) as actor:
            if days is None:
                actor.tell("officials.campaign.reminders_invalid", max=MAX_REMINDERS)
            ok = days is not None and await sending.set_reminders(actor, campaign_id, days)
        return await self._after(viewer, actor, ok, campaign_id)

    async def close(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """End the call now; its summary goes to whoever opened it."""
        campaign_id = int(request.path_params["campaign_id"])
        async with self.acting(viewer) as actor:
            ok = await sending.close_call(actor, campaign_id)
        return await self._after(viewer, actor, ok, campaign_id)
