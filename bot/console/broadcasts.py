"""Thông báo: the official's bulk sends with their live progress and final report, and a new
broadcast with the chat's preview and daily cap (handlers.officials.sending.send_broadcast).
A send's page refreshes itself while messages are still going out."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, ConsoleActor, Viewer, field_int, field_text
from handlers.messages import t
from handlers.officials import sending
from handlers.officials.progress import PENDING
from handlers.permissions import Action
from handlers.text import number
from storage import bulk, outbox
from storage.rows import Unit
from storage.units import get_unit

LISTED = 20
# Seconds between refreshes of a send's page while it is in progress.
REFRESH = 5


class Broadcasts(Console):
    """The sends page, a send's page, and the new broadcast's forms."""

    def routes(self) -> list[BaseRoute]:
        """GET and POST routes of broadcasts."""
        return [
            Route("/console/broadcasts", self.page(Action.BROADCAST, self.sends), methods=["GET"]),
            Route(
                "/console/broadcasts/preview",
                self.form(Action.BROADCAST, self.preview),
                methods=["POST"],
            ),
            Route("/console/broadcasts", self.form(Action.BROADCAST, self.send), methods=["POST"]),
            Route(
                "/console/broadcasts/{bulk_id:int}",
                self.page(Action.BROADCAST, self.progress),
                methods=["GET"],
            ),
        ]

    async def sends(self, request: Request, viewer: Viewer) -> Response:
        """The viewer's latest sends (calls, broadcasts, reminders) and the form."""
        async with self.reading(viewer) as actor:
            latest = await bulk.latest_bulks_by(actor.conn, viewer.person.id, LISTED)
            rows = [(s, _state(await outbox.counts_by_status(actor.conn, s.batch))) for s in latest]
            left = await sending.broadcasts_left(actor)
            units = await self.unit_choices(actor.conn, viewer, Action.BROADCAST)
        return self.show(
            viewer,
            "broadcasts.html",
            rows=rows,
            left=max(left, 0),
            units=units,
            text="",
            cap=self.deps.config.broadcast_daily_cap,
        )

    async def _target(self, actor: ConsoleActor, viewer: Viewer, fields: FormData) -> Unit | None:
        unit = await get_unit(actor.conn, field_int(fields, "unit") or 0)
        if unit is None or not viewer.may(Action.BROADCAST, unit.path):
            actor.tell("common.no_permission")
            return None
        return unit

    def _text(self, actor: ConsoleActor, fields: FormData) -> str | None:
        text = field_text(fields, "text", sending.TEXT_LIMITS[1] + 1)
        low, high = sending.TEXT_LIMITS
        if len(text) < low:
            actor.tell("common.too_short", min=low)
            return None
        if len(text) > high:
            actor.tell("common.too_long", max=high, got=len(text))
            return None
        return text

    async def preview(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """The message as members will receive it, whom it reaches, and the send button."""
        async with self.acting(viewer) as actor:
            unit = await self._target(actor, viewer, fields)
            text = self._text(actor, fields)
            left = await sending.broadcasts_left(actor)
            if left <= 0:
                actor.tell(
                    "officials.broadcast.cap_reached", cap=self.deps.config.broadcast_daily_cap
                )
            if unit is None or text is None or left <= 0:
                return self.show(viewer, "error.html", status=400, message=" ".join(actor.told))
            reach = len(await bulk.people_in_scope(actor.conn, unit.path))
            note = sending.quiet_note(actor)
        return self.show(
            viewer,
            "broadcast_preview.html",
            unit=unit,
            text=text,
            message=sending.broadcast_text(viewer.person, viewer.memberships, unit, text),
            reach=number(reach),
            note=note,
        )

    async def send(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Send the broadcast previewed (unit, text and cap checked again as it goes)."""
        async with self.acting(viewer) as actor:
            unit = await self._target(actor, viewer, fields)
            text = self._text(actor, fields)
            sent = (
                await sending.send_broadcast(actor, unit, text)
                if unit is not None and text is not None
                else None
            )
        if sent is None:
            return self.show(viewer, "error.html", status=409, message=" ".join(actor.told))
        return RedirectResponse(f"/console/broadcasts/{sent.id}", status_code=303)

    async def progress(self, request: Request, viewer: Viewer) -> Response:
        """One send: counts by status, refreshed while pending; the final report once done."""
        bulk_id = int(request.path_params["bulk_id"])
        async with self.deps.db.read() as conn:
            found = await bulk.get_bulk(conn, bulk_id)
            unit = await get_unit(conn, found.unit_id) if found else None
            mine = found is not None and found.created_by == viewer.person.id
            if (
                found is None
                or unit is None
                or not (mine or viewer.may(Action.BROADCAST, unit.path))
            ):
                return self.error(viewer, "console.broadcast.not_found", 404)
            counts = await outbox.counts_by_status(conn, found.batch)
        state = _state(counts)
        return self.show(
            viewer,
            "broadcast.html",
            send=found,
            unit=unit,
            counts=counts,
            state=state,
            refresh=REFRESH if state["pending"] else 0,
            kind=t(f"officials.bulk_kind.{found.kind}"),
        )


def _state(counts: dict[str, int]) -> dict[str, int]:
    """A send's figures: sent, failed, blocked (or out of reach), still pending."""
    return {
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "blocked": counts.get("blocked", 0) + counts.get("unreachable", 0),
        "pending": sum(counts.get(s, 0) for s in PENDING),
    }
