"""The web console (issue 17): desk work for reviewers, officials and admins, server-rendered.

One more entry point to the same core: a console session (kind "console") is opened by a
one-time link from /web in a chat app; every page checks it, and every action goes through
the domain functions and the one authorisation rule (handlers.permissions) the chat uses.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.console.audit import AuditLog
from bot.console.base import Deps
from bot.console.broadcasts import Broadcasts
from bot.console.campaigns import Campaigns
from bot.console.card import Card
from bot.console.criteria import Criteria
from bot.console.dossier import Dossier
from bot.console.invites import Invites
from bot.console.members import Members
from bot.console.nominations import Nominations
from bot.console.signin import SignIn
from bot.console.stats import Stats
from bot.console.units import Units


def console_routes(deps: Deps) -> list[BaseRoute]:
    """Every route of the console."""
    routes: list[BaseRoute] = []
    for group in (
        SignIn(deps),
        Nominations(deps),
        Card(deps),
        Units(deps),
        Members(deps),
        Invites(deps),
        Campaigns(deps),
        Broadcasts(deps),
        Dossier(deps),
        Stats(deps),
        AuditLog(deps),
        Criteria(deps),
    ):
        routes.extend(group.routes())
    return routes
