"""Signing in with the one-time link /web gives, and signing out (here, or everywhere).

The link's page only shows a button: the link is spent by the form it posts (same origin),
never by opening it, because chat apps fetch links to draw previews.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, field_text
from bot.web.sessions import device_of
from handlers.messages import t
from handlers.permissions import Action, authorise
from storage import audit, console_links, people, web_sessions

HOME = "/console/nominations"
MAX_TOKEN = 100


class SignIn(Console):
    """GET and POST /console/signin, POST /console/signout[/everywhere], GET /console."""

    def routes(self) -> list[BaseRoute]:
        """The routes of signing in and out."""
        return [
            Route("/console", self.home, methods=["GET"]),
            Route("/console/signin", self.landing, methods=["GET"]),
            Route("/console/signin", self.sign_in, methods=["POST"]),
            Route("/console/signout", self.form(Action.VIEW, self.sign_out), methods=["POST"]),
            Route(
                "/console/signout/everywhere",
                self.form(Action.VIEW, self.sign_out_everywhere),
                methods=["POST"],
            ),
        ]

    async def home(self, request: Request) -> Response:
        """The queue for the signed in; how to sign in for the others."""
        viewer = await self.viewer(request)
        if viewer is None:
            return self.signed_out(request)
        if not viewer.may(Action.VIEW):
            return self.forbidden(viewer)
        return RedirectResponse(HOME, status_code=303)

    async def landing(self, request: Request) -> Response:
        """The page a one-time link opens: a button that signs in (opening spends nothing)."""
        token = request.query_params.get("t", "")[:MAX_TOKEN]
        return self.show(None, "signin.html", link=token)

    async def sign_in(self, request: Request) -> Response:
        """Spend the link and open a console session for its person."""
        refused = self.not_our_form(request)
        if refused is not None:
            return refused
        fields = await request.form(max_files=0, max_fields=5)
        token = field_text(fields, "link", MAX_TOKEN)
        now = self.deps.clock()
        response = RedirectResponse(HOME, status_code=303)
        previous = await self.deps.sessions.current(request, web_sessions.CONSOLE)
        async with self.deps.db.write() as conn:
            person_id = await console_links.spend_link(conn, token, now) if token else None
            memberships = await people.memberships_of(conn, person_id) if person_id else []
            if person_id is None or not authorise(memberships, Action.VIEW):
                return self.error(None, "console.signin.invalid", 403)
            # A browser holds one console session: the one it had (anyone's) ends here.
            if previous is not None:
                await web_sessions.revoke(conn, previous.id, now)
            device = t("console.device", device=device_of(request.headers.get("user-agent", "")))
            session_id = await self.deps.sessions.open_in(
                conn,
                response,
                kind=web_sessions.CONSOLE,
                person_id=person_id,
                device=device,
            )
            await audit.record(
                conn,
                at=now,
                actor_id=person_id,
                action="console_session.opened",
                object_type="web_session",
                object_id=session_id,
            )
        return response

    async def sign_out(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """End this browser's console session."""
        response = self.show(None, "signed_out.html", signed_out=True)
        await self.deps.sessions.end(viewer.session.id, response)
        return response

    async def sign_out_everywhere(
        self, request: Request, viewer: Viewer, fields: FormData
    ) -> Response:
        """End every console session of the person, and their unused links."""
        now = self.deps.clock()
        async with self.deps.db.write() as conn:
            count = await web_sessions.revoke_console_sessions(conn, viewer.person.id, now)
            await console_links.drop_links(conn, viewer.person.id)
            await audit.record(
                conn,
                at=now,
                actor_id=viewer.person.id,
                action="sessions.signed_out",
                object_type="person",
                object_id=viewer.person.id,
                detail={"sessions": count, "console": True},
            )
        response = self.show(None, "signed_out.html", signed_out=True)
        self.deps.sessions.forget(response)
        return response
