"""What every console page shares: the signed-in person, the checks before a page runs, the
form token, and the transaction in which a console action runs like a chat step.

A page is a function of the request and the `Viewer` (the session's person and roles, read
anew for every request). `page` checks the session and the action's role anywhere; `form`
also checks the Origin, the form's type and its token, and passes the parsed fields. Scope
and status are checked by the page against the object it acts on, with `authorise`.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.console.invite_links import Targets
from bot.console.render import Renderer
from bot.media import FolderMedia
from bot.web.guard import same_origin
from bot.web.sessions import Sessions
from handlers.config import CoreConfig
from handlers.messages import t
from handlers.outgoing import notification_messages
from handlers.permissions import Action, authorise, scope_of
from handlers.turn import Notifies, Outgoing
from storage import outbox, people
from storage.db import Connection, Database
from storage.rows import Membership, Person, Unit, WebSession
from storage.units import children_of, get_unit, units_by_ids

Clock = Callable[[], datetime]
FORM_TYPE = "application/x-www-form-urlencoded"
# A console form has a few dozen fields; a bulk selection at most a page of rows.
MAX_FIELDS = 500
# The menu: (catalog key, path, the action that shows it).
MENU = (
    ("console.menu.nominations", "/console/nominations", Action.VIEW),
    ("console.menu.units", "/console/units", Action.VIEW),
    ("console.menu.members", "/console/members", Action.INVITE_MEMBERS),
    ("console.menu.campaigns", "/console/campaigns", Action.CAMPAIGN),
    ("console.menu.broadcasts", "/console/broadcasts", Action.BROADCAST),
    ("console.menu.dossier", "/console/dossier", Action.DOSSIER),
    ("console.menu.stats", "/console/stats", Action.VIEW),
    ("console.menu.audit", "/console/audit", Action.AUDIT),
    ("console.menu.criteria", "/console/criteria", Action.VIEW),
)


@dataclass(frozen=True)
class Deps:
    """The console's collaborators, wired by the composition root."""

    db: Database
    clock: Clock
    config: CoreConfig
    sessions: Sessions
    render: Renderer
    public_origin: str
    forms_key: bytes
    links_key: bytes
    # The files the console serves (one folder every instance shares).
    media: FolderMedia
    # Where invite posters' QR codes send people (the apps this deployment has).
    targets: Callable[[], Targets]


@dataclass(frozen=True)
class Viewer:
    """The person a console session names, with their roles as of this request."""

    session: WebSession
    person: Person
    memberships: list[Membership]
    token: str

    def may(self, action: Action, unit_path: str | None = None, status: str | None = None) -> bool:
        """Whether the viewer may do `action` (at a unit, to something in a status)."""
        return bool(authorise(self.memberships, action, unit_path, status))

    def scope(self, action: Action) -> list[str]:
        """Where the viewer may do `action`."""
        return scope_of(self.memberships, action)

    async def unit(self, conn: Connection, unit_id: int | None, action: Action) -> Unit:
        """The unit a page was asked about if the viewer may do `action` there, else the
        first unit where they may (the pages' default)."""
        if unit_id is not None:
            asked = await get_unit(conn, unit_id)
            if asked is not None and self.may(action, asked.path):
                return asked
        scope = self.scope(action)
        home = next(m for m in self.memberships if m.unit_path in scope)
        found = await get_unit(conn, home.unit_id)
        assert found is not None  # a membership's unit
        return found


# The chat's "choose ↩ Hoàn tác" texts, as the console says them (its undo button is on the
# nomination's page, where the chat's is on the message).
CONSOLE_WORDING = {"review.held": "console.review_held"}


@dataclass
class ConsoleActor(Notifies):
    """A console action as the domain functions see it (handlers.acting.Acting): what they
    tell the person becomes the page's notices; notifications go out as after a chat step."""

    conn: Connection
    person: Person
    memberships: list[Membership]
    now: datetime
    config: CoreConfig
    told: list[str] = field(default_factory=list)
    notifications: list[Outgoing] = field(default_factory=list)

    def tell(self, key: str, **params: object) -> None:
        """A notice on the resulting page (in the console's words where the chat's would
        point at a button the page does not have)."""
        self.told.append(t(CONSOLE_WORDING.get(key, key), **params))


def form_token(key: bytes, session_id: int) -> str:
    """The token every console form carries: bound to the session, unguessable without the
    server's key (a cross-site page can neither read nor forge it)."""
    digest = hmac.new(key, f"console-form:{session_id}".encode(), hashlib.sha256)
    return digest.hexdigest()


Page = Callable[[Request, Viewer], Awaitable[Response]]
FormPage = Callable[[Request, Viewer, FormData], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class Console:
    """Base of the page groups: the checks, the context every template gets, the actor."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # ------------------------------------------------------------------------ checks
    async def viewer(self, request: Request) -> Viewer | None:
        """The console session's person and their roles, or None."""
        session = await self.deps.sessions.current(request, "console")
        if session is None or session.person_id is None:
            return None
        async with self.deps.db.read() as conn:
            person = await people.get_person(conn, session.person_id)
            memberships = await people.memberships_of(conn, session.person_id)
        if person is None:
            return None
        return Viewer(session, person, memberships, form_token(self.deps.forms_key, session.id))

    def page(self, action: Action, handler: Page) -> Endpoint:
        """A GET endpoint: signed in, and holding `action`'s role somewhere."""

        async def endpoint(request: Request) -> Response:
            viewer = await self.viewer(request)
            if viewer is None:
                return self.signed_out(request)
            if not viewer.may(action):
                return self.forbidden(viewer)
            return await handler(request, viewer)

        return endpoint

    def form(self, action: Action, handler: FormPage) -> Endpoint:
        """A POST endpoint: same origin, a plain form, signed in, the role, the form token."""

        async def endpoint(request: Request) -> Response:
            refused = self.not_our_form(request)
            if refused is not None:
                return refused
            viewer = await self.viewer(request)
            if viewer is None:
                return self.signed_out(request)
            fields = await request.form(max_files=0, max_fields=MAX_FIELDS)
            given = str(fields.get("token", ""))
            if not hmac.compare_digest(given.encode(), viewer.token.encode()):
                return self.error(viewer, "console.error.stale_form", 403)
            if not viewer.may(action):
                return self.forbidden(viewer)
            return await handler(request, viewer, fields)

        return endpoint

    def not_our_form(self, request: Request) -> Response | None:
        """A refusal for a request that did not come from a console page's form."""
        if not same_origin(request, self.deps.public_origin):
            return self.plain("console.error.cross_origin", 403)
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind != FORM_TYPE:
            return self.plain("console.error.form_type", 415)
        return None

    # ------------------------------------------------------------------------ pages
    def context(self, viewer: Viewer | None, **values: object) -> dict[str, Any]:
        """What every template gets: who is signed in, the menu they may use, the token."""
        menu = []
        if viewer is not None:
            menu = [(t(key), path) for key, path, action in MENU if viewer.may(action)]
        return {"viewer": viewer, "menu": menu, "notices": [], **values}

    def show(
        self, viewer: Viewer | None, template: str, *, status: int = 200, **values: object
    ) -> Response:
        """Render a page for the viewer."""
        return self.deps.render.response(template, self.context(viewer, **values), status)

    def signed_out(self, request: Request) -> Response:
        """401: no live console session (the page says how to get a link)."""
        response = self.show(None, "signed_out.html", status=401)
        self.deps.sessions.forget(response)
        return response

    def forbidden(self, viewer: Viewer) -> Response:
        """403: the person may not use this page or act on this object."""
        return self.error(viewer, "console.error.forbidden", 403)

    def error(self, viewer: Viewer | None, key: str, status: int, **params: object) -> Response:
        """A page that only says what went wrong."""
        return self.show(viewer, "error.html", status=status, message=t(key, **params))

    def plain(self, key: str, status: int) -> Response:
        """A refusal before anyone is known (a cross-site post)."""
        return self.show(None, "error.html", status=status, message=t(key))

    async def unit_choices(
        self, conn: Connection, viewer: Viewer, action: Action
    ) -> list[tuple[int, str]]:
        """Units a form may name for `action`: the viewer's own and those right below."""
        roots = await units_by_ids(conn, [m.unit_id for m in viewer.memberships])
        shown: dict[int, str] = {}
        for root in sorted(roots.values(), key=lambda u: u.path):
            if viewer.may(action, root.path):
                shown[root.id] = root.name
                for child in await children_of(conn, root.id):
                    shown.setdefault(child.id, "— " + child.name)
        return list(shown.items())

    # ------------------------------------------------------------------------ acting
    @asynccontextmanager
    async def reading(self, viewer: Viewer) -> AsyncIterator[ConsoleActor]:
        """A read transaction as the viewer, for domain functions that only look."""
        async with self.deps.db.read() as conn:
            yield ConsoleActor(
                conn, viewer.person, viewer.memberships, self.deps.clock(), self.deps.config
            )

    @asynccontextmanager
    async def acting(self, viewer: Viewer) -> AsyncIterator[ConsoleActor]:
        """One write transaction acting as the viewer: roles read again inside it, the
        domain functions' notifications queued in it, delivery woken after the commit."""
        now = self.deps.clock()
        async with self.deps.db.write() as conn:
            memberships = await people.memberships_of(conn, viewer.person.id)
            actor = ConsoleActor(conn, viewer.person, memberships, now, self.deps.config)
            yield actor
            messages = await notification_messages(
                conn, actor.notifications, f"console:{uuid.uuid4().hex}"
            )
            # The senders hear of them at commit (storage/notify.py).
            await outbox.enqueue(conn, messages, now)


def field_text(fields: Mapping[str, Any], name: str, limit: int = 3000) -> str:
    """A form field as stripped text, cut to `limit` characters ("" when absent or a file)."""
    value = fields.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def field_int(fields: Mapping[str, Any], name: str) -> int | None:
    """A form or query field as a whole number, or None."""
    value = field_text(fields, name, 12)
    return int(value) if value.isascii() and value.isdigit() else None


def download(data: bytes, media_type: str, name: str) -> Response:
    """A file the browser saves under a name the server chose (never inline, never cached)."""
    return Response(
        data,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "private, no-store",
        },
    )
