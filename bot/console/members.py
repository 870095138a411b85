"""Thành viên: the members of a unit and their roles; an admin changes a role or takes it away
(audited, the person told). Officials see the list and invite members (invites.py).

Who may change what is the one rule of handlers.permissions: an admin over the unit, handing
out a role no higher than theirs, never on their own roles (another admin does that).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, ConsoleActor, Viewer, field_int, field_text
from handlers.messages import t
from handlers.permissions import Action, may_grant
from handlers.roles import RANK, Role
from storage import audit, members, web_sessions
from storage.scoping import subtrees
from storage.units import children_of

PER_PAGE = 50
ROLES = tuple(r.value for r in Role)


class Members(Console):
    """GET /console/members, POST /console/members/role and /console/members/remove."""

    def routes(self) -> list[BaseRoute]:
        """The member list and its two actions."""
        return [
            Route(
                "/console/members", self.page(Action.INVITE_MEMBERS, self.overview), methods=["GET"]
            ),
            Route(
                "/console/members/role",
                self.form(Action.MANAGE_PEOPLE, self.change_role),
                methods=["POST"],
            ),
            Route(
                "/console/members/remove",
                self.form(Action.MANAGE_PEOPLE, self.remove),
                methods=["POST"],
            ),
        ]

    async def overview(self, request: Request, viewer: Viewer) -> Response:
        """A unit's members (and its subtree's, when asked), a page at a time."""
        params = {k: v[:120] for k, v in request.query_params.items()}
        async with self.deps.db.read() as conn:
            unit = await viewer.unit(conn, field_int(params, "unit"), Action.INVITE_MEMBERS)
            below = params.get("below") == "1"
            scope = await subtrees(conn, [unit.path]) if below else None
            page = max(1, field_int(params, "page") or 1)
            name = params.get("q", "").strip().lower() or None
            lines, total = await members.members_page(
                conn, scope, unit.id, name, (page - 1) * PER_PAGE, PER_PAGE
            )
            apps = await members.apps_of(conn, [line.person_id for line in lines])
            children = await children_of(conn, unit.id)
        return self.show(
            viewer,
            "members.html",
            params=params,
            unit=unit,
            children=children,
            lines=lines,
            apps=apps,
            total=total,
            page=page,
            pages=max(1, -(-total // PER_PAGE)),
            roles=ROLES,
            manage={line.id: self._manageable(viewer, line) for line in lines},
        )

    @staticmethod
    def _manageable(viewer: Viewer, line: members.MemberLine) -> bool:
        return line.person_id != viewer.person.id and viewer.may(
            Action.MANAGE_PEOPLE, line.unit_path
        )

    async def _target(
        self, actor: ConsoleActor, viewer: Viewer, fields: FormData
    ) -> members.MemberLine | None:
        """The role a form names, if the actor may manage it (checked in the transaction)."""
        membership_id = field_int(fields, "membership")
        line = await members.get_membership(actor.conn, membership_id or 0)
        if line is None:
            actor.tell("console.members.gone")
            return None
        if line.person_id == actor.person.id:
            actor.tell("console.members.not_self")
            return None
        if not may_grant(actor.memberships, Role(line.role), line.unit_path):
            actor.tell("console.error.forbidden")
            return None
        return line

    async def change_role(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Give someone another role in the same unit."""
        role = field_text(fields, "role", 20)
        if role not in ROLES:
            return self.error(viewer, "console.error.bad_form", 400)
        async with self.acting(viewer) as actor:
            line = await self._target(actor, viewer, fields)
            allowed = line is not None and bool(
                may_grant(actor.memberships, Role(role), line.unit_path)
            )
            if line is not None and not allowed:
                actor.tell("console.error.forbidden")
            done = (
                line is not None and allowed and await members.change_role(actor.conn, line, role)
            )
            if line is not None and done:
                await self._record(actor, line, "membership.role_changed", {"to": role})
                actor.notify(
                    line.person_id,
                    "console.members.notify_role",
                    role=_role(role),
                    unit=line.unit_name,
                )
        return self._after(viewer, actor, done, fields)

    async def remove(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Take a role away (the person stays; their other roles too)."""
        async with self.acting(viewer) as actor:
            line = await self._target(actor, viewer, fields)
            done = line is not None and await members.remove(actor.conn, line)
            if line is not None and done:
                await self._record(actor, line, "membership.removed", {})
                actor.notify(
                    line.person_id,
                    "console.members.notify_removed",
                    role=_role(line.role),
                    unit=line.unit_name,
                )
        return self._after(viewer, actor, done, fields)

    async def _record(
        self, actor: ConsoleActor, line: members.MemberLine, action: str, detail: dict[str, str]
    ) -> None:
        """Audit the change; a person left below reviewer rank loses their console sessions."""
        await audit.record(
            actor.conn,
            at=actor.now,
            actor_id=actor.person.id,
            action=action,
            object_type="person",
            object_id=line.person_id,
            detail={"unit_id": line.unit_id, "role": line.role, **detail},
        )
        left = await members.roles_of(actor.conn, line.person_id)
        if not any(RANK[Role(r)] >= RANK[Role.REVIEWER] for r in left):
            await web_sessions.revoke_console_sessions(actor.conn, line.person_id, actor.now)

    def _after(self, viewer: Viewer, actor: ConsoleActor, done: bool, fields: FormData) -> Response:
        if done:
            back = field_text(fields, "back", 300)
            target = back if back.startswith("/console/members") else "/console/members"
            return RedirectResponse(target, status_code=303)
        return self.show(viewer, "error.html", status=409, message=" ".join(actor.told))


def _role(role: str) -> str:
    return t(f"role.{role}")
