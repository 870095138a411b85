"""Lời mời: make invites for a unit (or one for each unit below it) and print them as posters.

Codes are shown once, on the page that made them, and stored only as hashes; the poster
buttons post the codes back, and each is checked again (a live invite, of a unit and role the
person may hand out) before anything is drawn. An admin role is never given by a many-use
invite (issue 11); officials invite members only (handlers.permissions.may_grant).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, download, field_int, field_text
from bot.console.invite_links import Targets
from handlers.permissions import Action, may_grant
from handlers.roles import Role
from storage import audit, invites
from storage.rows import Unit
from storage.units import children_of, get_unit, units_by_ids

if TYPE_CHECKING:
    from bot.console.poster import Poster

MAX_INVITES = 200
MAX_USES = 10_000
MAX_DAYS = 365
DEFAULT_USES, DEFAULT_DAYS = 50, 30
FORMATS = ("png", "pdf", "sheet")
PDF = "application/pdf"


class Invites(Console):
    """GET /console/invites, POST /console/invites and /console/invites/poster."""

    @property
    def targets(self) -> Targets:
        """The apps this deployment has (Telegram's bot name is known once it started)."""
        return self.deps.targets()

    def routes(self) -> list[BaseRoute]:
        """The invite form, making invites, and their posters."""
        return [
            Route(
                "/console/invites",
                self.page(Action.INVITE_MEMBERS, self.form_page),
                methods=["GET"],
            ),
            Route(
                "/console/invites",
                self.form(Action.INVITE_MEMBERS, self.create),
                methods=["POST"],
            ),
            Route(
                "/console/invites/poster",
                self.form(Action.INVITE_MEMBERS, self.poster),
                methods=["POST"],
            ),
        ]

    def _grantable(self, viewer: Viewer, unit: Unit) -> list[str]:
        return [r.value for r in Role if may_grant(viewer.memberships, r, unit.path)]

    async def form_page(self, request: Request, viewer: Viewer) -> Response:
        """The form: which unit (or each unit below it), role, uses, days, app."""
        unit_id = field_int(request.query_params, "unit")
        async with self.deps.db.read() as conn:
            unit = await viewer.unit(conn, unit_id, Action.INVITE_MEMBERS)
            children = await children_of(conn, unit.id)
            roots = await units_by_ids(conn, [m.unit_id for m in viewer.memberships])
        return self.show(
            viewer,
            "invites.html",
            unit=unit,
            children=children,
            roots=[u for u in roots.values() if viewer.may(Action.INVITE_MEMBERS, u.path)],
            roles=self._grantable(viewer, unit),
            apps=self.targets.available(),
            uses=DEFAULT_USES,
            days=DEFAULT_DAYS,
        )

    async def create(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Make the invites and show their codes, once."""
        role = field_text(fields, "role", 20)
        uses = min(field_int(fields, "uses") or 1, MAX_USES)
        days = min(field_int(fields, "days") or DEFAULT_DAYS, MAX_DAYS)
        app = field_text(fields, "app", 20)
        if role not in {r.value for r in Role} or app not in self.targets.available():
            return self.error(viewer, "console.error.bad_form", 400)
        if role == Role.ADMIN and uses > 1:
            return self.error(viewer, "console.invites.admin_one_use", 400)
        made: list[tuple[Unit, str]] = []
        async with self.acting(viewer) as actor:
            unit = await get_unit(actor.conn, field_int(fields, "unit") or 0)
            if unit is None or not may_grant(actor.memberships, Role(role), unit.path):
                return self.forbidden(viewer)
            targets = [unit]
            if field_text(fields, "each", 5) == "1":
                targets = (await children_of(actor.conn, unit.id))[:MAX_INVITES] or [unit]
            expires = actor.now + timedelta(days=days)
            for target in targets:
                code = invites.new_code()
                invite_id = await invites.create_invite(
                    actor.conn, code, target.id, role, uses, expires, actor.now
                )
                await audit.record(
                    actor.conn,
                    at=actor.now,
                    actor_id=actor.person.id,
                    action="invite.created",
                    object_type="invite",
                    object_id=invite_id,
                    detail={"unit_id": target.id, "role": role, "uses": uses, "days": days},
                )
                made.append((target, code))
        return self.show(
            viewer,
            "invites_made.html",
            made=made,
            role=role,
            uses=uses,
            until=expires,
            app=app,
            formats=FORMATS,
        )

    async def poster(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """The posters of codes made earlier, each checked again, as PNG or PDF."""
        kind = field_text(fields, "format", 10)
        app = field_text(fields, "app", 20)
        codes = [str(c)[:40] for c in fields.getlist("code")][:MAX_INVITES]
        if kind not in FORMATS or app not in self.targets.available() or not codes:
            return self.error(viewer, "console.error.bad_form", 400)
        if kind == "png" and len(codes) != 1:
            return self.error(viewer, "console.error.bad_form", 400)
        # Pillow and segno: loaded by a process that draws a poster, not by every bot.
        from bot.console import poster

        now = self.deps.clock()
        sheets: list[Poster] = []
        async with self.deps.db.read() as conn:
            for code in codes:
                invite = await invites.find_invite(conn, code)
                unit = await get_unit(conn, invite.unit_id) if invite else None
                live = invite is not None and invite.expires_at > now
                if invite is None or unit is None or not live or invite.uses >= invite.max_uses:
                    return self.error(viewer, "console.invites.code_gone", 404, code=code)
                if not may_grant(viewer.memberships, Role(invite.role), unit.path):
                    return self.forbidden(viewer)
                link, carries = self.targets.link(app, code)
                sheets.append(
                    poster.Poster(
                        code=code,
                        unit=unit.name,
                        role=invite.role,
                        until=self.deps.render.day(invite.expires_at),
                        link=link,
                        carries_code=carries,
                        app=app,
                    )
                )
        if kind == "png":
            data = await asyncio.to_thread(poster.png, sheets[0])
            return download(data, "image/png", "loi-moi.png")
        data = await asyncio.to_thread(poster.pdf, sheets, sheet=kind == "sheet")
        return download(data, PDF, "loi-moi.pdf")
