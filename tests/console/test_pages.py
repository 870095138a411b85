"""Every console page renders for the roles that may see it, and is refused to the others."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.console import ConsoleClient
from tests.support.review import Invite, nominate, person

PAGES = (
    "/console/nominations",
    "/console/units",
    "/console/members",
    "/console/invites",
    "/console/campaigns",
    "/console/campaigns/new",
    "/console/broadcasts",
    "/console/dossier",
    "/console/stats",
    "/console/audit",
    "/console/criteria",
)
# Who may open which page (anything not listed is 403).
ALLOWED = {
    "reviewer": {"/console/nominations", "/console/units", "/console/stats", "/console/criteria"},
    "official": {
        "/console/nominations",
        "/console/units",
        "/console/stats",
        "/console/criteria",
        "/console/members",
        "/console/invites",
        "/console/campaigns",
        "/console/campaigns/new",
        "/console/broadcasts",
        "/console/dossier",
    },
    "admin": set(PAGES),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
async def test_pages_by_role(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    role: str,
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    actor = await person(chat, invite, "actor", "Người Thử", "X-AN-BINH", role)
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    browser = console()
    await browser.sign_in(actor)
    for path in PAGES:
        page = await browser.get(path)
        expected = 200 if path in ALLOWED[role] else 403
        assert page.status == expected, (path, page.status, page.text[:2000])
        assert len(page.html.encode()) <= 100_000, path
    page = await browser.get("/console/nominations")
    assert page.has(code)
