"""The console's state-changing routes attacked from outside, over loopback against the real
server: no session, a cross-site page, a form without the page's token or with another
session's, a member's session, an admin of another commune, and forged, spent or expired
one-time links. Each attack changes nothing; the same body from the rightful admin does
something (so each body is real)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot import cli_ops
from bot.app import Application
from tests.support.attack import Chat, Invite
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import TOKEN, console_link, console_session
from tests.support.console_attack import (
    LOOKS_ONLY,
    Targets,
    bodies,
    expire_links,
    fingerprint,
    targets,
)
from tests.support.held import stands
from tests.support.review import nominate, person, person_id
from tests.test_routes_documented import served as routes_of

CRITERIA = "unit_code,field,criterion,weight,max_score\nX-AN-BINH,good_deed,Lan toả,1,10\n"


@asynccontextmanager
async def browser(base: str, *, origin: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the network that sends the Origin a page would (or another one)."""
    headers = {"origin": origin or base}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        yield client


@dataclass
class Signed:
    """A browser signed in to the console, and the form token its pages carry."""

    client: httpx.AsyncClient
    token: str


async def signed_in(base: str, chat_client: ChatClient) -> Signed:
    """A browser signed in with the link /web gave to this chat client."""
    link = await console_link(chat_client)
    client = httpx.AsyncClient(base_url=base, headers={"origin": base}, timeout=10)
    await client.get(link)
    response = await client.post("/console/signin", data={"link": link.split("t=", 1)[1]})
    assert response.status_code == 303, response.text
    page = await client.get("/console/nominations")
    found = TOKEN.search(page.text)
    assert found, page.text[:500]
    return Signed(client, found.group(1))


@pytest.fixture
async def world(
    app: Application, chat: Chat, invite: Invite, tmp_path: Path
) -> tuple[Targets, dict[str, ChatClient]]:
    """A commune (X-AN-BINH) with a member's nominations, its admin, an admin of another
    commune (P-HOA-LAC), and a member."""
    path = tmp_path / "criteria.csv"
    path.write_text(CRITERIA, encoding="utf-8")
    await cli_ops.import_criteria(app.db, path)
    people = {
        "reporter": await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member"),
        "admin": await person(chat, invite, "lan", "Lê Thị Lan", "X-AN-BINH", "admin"),
        "outsider": await person(chat, invite, "lac", "Vũ Văn Lạc", "P-HOA-LAC", "admin"),
        "member": await person(chat, invite, "mem", "Đỗ Văn Mến", "X-AN-BINH-HPN", "member"),
    }
    names = {
        "earlier": "Nguyễn Thị Lan",
        "submitted": "Nguyen Thi Lan",
        "bulk": "Hà Văn Bốn",
        "decide": "Lý Thị Năm",
        "score": "Mai Văn Sáu",
        "approved": "Phạm Văn Tốt",
    }
    codes = {k: await nominate(app, "hoa", "X-AN-BINH-HPN", name) for k, name in names.items()}
    return await targets(app, codes), people


def today(app: Application) -> str:
    return app.clock().astimezone(app.config.timezone).date().isoformat()


def later(app: Application) -> str:
    return (app.clock() + timedelta(days=30)).astimezone(app.config.timezone).date().isoformat()


def every(app: Application, found: Targets) -> dict[str, dict[str, str]]:
    """The bodies of every state-changing route for this test's objects."""
    return bodies(found, today(app), later(app))


def post_routes(app: Application) -> set[str]:
    """The console's POST routes as the app serves them (every one must be attacked)."""
    return {
        path
        for method, path in routes_of(list(app.http.routes))
        if method == "POST" and path.startswith("/console")
    }


def test_every_console_post_route_is_attacked(app: Application) -> None:
    pattern = {re.sub(r"\{[^}]+\}", "{}", p) for p in post_routes(app)}
    fake = Targets(1, 2, 3, 4, 5, 6, 7, 8, 9, "CODE", 10)
    covered = {re.sub(r"/\d+/", "/{}/", p) for p in bodies(fake, "2026-01-01", "2026-02-01")}
    assert pattern - {"/console/signin"} == covered


async def test_without_a_session_nothing_changes(
    app: Application, served: str, world: tuple[Targets, dict[str, ChatClient]]
) -> None:
    found, _ = world
    before = await fingerprint(app)
    refused = 0
    async with browser(served) as client:
        for path, body in every(app, found).items():
            response = await client.post(path, data={**body, "token": "0" * 64})
            assert response.status_code == 401, (path, response.status_code)
            refused += 1
    assert refused == 22
    assert await fingerprint(app) == before


async def test_cross_site_and_token_attacks_change_nothing(
    app: Application, served: str, world: tuple[Targets, dict[str, ChatClient]]
) -> None:
    found, people = world
    signed = await signed_in(served, people["admin"])
    outsider = await signed_in(served, people["outsider"])
    admin, token = signed.client, signed.token
    before = await fingerprint(app)
    attempts = 0
    for path, body in every(app, found).items():
        # A page on another site posting with the admin's cookie (the browser sends it).
        evil = await admin.post(
            path, data={**body, "token": token}, headers={"origin": "https://evil.example"}
        )
        no_origin = await admin.post(path, data={**body, "token": token}, headers={"origin": ""})
        as_json = await admin.post(path, json={**body, "token": token})
        as_text = await admin.post(
            path, content="token=" + token, headers={"content-type": "text/plain"}
        )
        missing = await admin.post(path, data={**body, "filler": ""})
        forged = await admin.post(path, data={**body, "token": "f" * 64})
        # The outsider's own token on the admin's session: tokens are bound to sessions.
        stolen = await admin.post(path, data={**body, "token": outsider.token})
        statuses = [
            r.status_code for r in (evil, no_origin, as_json, as_text, missing, forged, stolen)
        ]
        assert statuses == [403, 403, 415, 415, 403, 403, 403], (path, statuses)
        attempts += len(statuses)
    assert attempts == 22 * 7
    assert await fingerprint(app) == before
    for client in (admin, outsider.client):
        await client.aclose()


async def test_a_members_session_and_another_communes_admin_change_nothing(
    app: Application, served: str, world: tuple[Targets, dict[str, ChatClient]]
) -> None:
    found, people = world
    signed = await signed_in(served, people["outsider"])
    outsider = signed.client
    # A member has no console: a session that outlived a role is what a member could hold.
    member_token = await console_session(app, await person_id(app, "mem"))
    member = httpx.AsyncClient(base_url=served, headers={"origin": served}, timeout=10)
    member.cookies.set(app.console_sessions.cookie, member_token)
    page = await member.get("/console/nominations")
    assert page.status_code == 403
    member_form = TOKEN.search(page.text)
    before = await fingerprint(app)
    refused = 0
    for path, body in every(app, found).items():
        if path.startswith("/console/signout"):
            continue  # one's own sessions: allowed to anyone signed in
        by_outsider = await outsider.post(path, data={**body, "token": signed.token})
        assert by_outsider.status_code in (400, 403, 404, 409), (path, by_outsider.status_code)
        assert "Nguyen Thi Lan" not in by_outsider.text and "Trần Thị Hoa" not in by_outsider.text
        by_member = await member.post(
            path, data={**body, "token": member_form.group(1) if member_form else ""}
        )
        assert by_member.status_code == 403, (path, by_member.status_code)
        refused += 2
    assert refused == 20 * 2
    assert await fingerprint(app) == before
    # Looking is refused too: the card, and its files.
    card = await outsider.get(f"/console/nominations/{found.submitted}")
    assert card.status_code == 404 and "Nguyen Thi Lan" not in card.text
    for client in (outsider, member):
        await client.aclose()


async def test_the_rightful_admin_changes_each_thing(
    app: Application,
    served: str,
    world: tuple[Targets, dict[str, ChatClient]],
    clock: FakeClock,
) -> None:
    """The bodies above are real: posted by X-AN-BINH's admin, each one acts."""
    found, people = world
    signed = await signed_in(served, people["admin"])
    admin, token = signed.client, signed.token
    acted = 0
    for path, body in every(app, found).items():
        if path.startswith("/console/signout"):
            continue
        before = await fingerprint(app)
        response = await admin.post(path, data={**body, "token": token})
        assert response.status_code in (200, 303), (path, response.status_code, response.text[:300])
        if path == "/console/invites/poster":
            assert response.headers["content-type"] == "image/png"
        elif path not in LOOKS_ONLY:
            assert await fingerprint(app) != before, path
        acted += 1
    assert acted == 20
    signed_out = await admin.post("/console/signout/everywhere", data={"token": token})
    assert signed_out.status_code == 200
    assert (await admin.get("/console/nominations")).status_code == 401
    await admin.aclose()
    # Decisions, commendations and role changes reached the reporter (whose call's summary
    # comes when it is closed); the new call and the broadcast, every member left in the
    # commune (the reporter's role was taken away by then).
    # Decisions and sends are held for their undo window: they come after the rest.
    # (One approval only: the card's was undone right after it was made.)
    await stands(app, clock)
    await people["reporter"].expect(
        "Giấy khen", "người duyệt", "thu hồi", "Tổng kết đợt", "được duyệt"
    )
    for member in ("admin", "member"):
        await people[member].expect("Đợt mới của xã", "Họp chi hội sáng Chủ nhật")


async def test_forged_spent_and_expired_links_open_nothing(
    app: Application, served: str, world: tuple[Targets, dict[str, ChatClient]]
) -> None:
    _, people = world
    admin_chat = people["admin"]
    statuses = []
    async with browser(served) as client:
        # Forged: a token nobody was given.
        forged = await client.post("/console/signin", data={"link": "A" * 43})
        statuses.append(forged.status_code)
        # Spent: the link works once.
        link = await console_link(admin_chat)
        token = link.split("t=", 1)[1]
        first = await client.post("/console/signin", data={"link": token})
        assert first.status_code == 303
        async with browser(served) as other:
            again = await other.post("/console/signin", data={"link": token})
            statuses.append(again.status_code)
        # Expired: a fresh link used after its minutes.
        late = (await console_link(admin_chat)).split("t=", 1)[1]
        await expire_links(app)
        async with browser(served) as other:
            expired = await other.post("/console/signin", data={"link": late})
            statuses.append(expired.status_code)
        # Cross-site: a page elsewhere posting a live link (login CSRF).
        live = (await console_link(admin_chat)).split("t=", 1)[1]
        async with browser(served, origin="https://evil.example") as evil:
            crossed = await evil.post("/console/signin", data={"link": live})
            statuses.append(crossed.status_code)
    assert statuses == [403, 403, 403, 403]
    # Opening a link (as a chat app's preview does) spends nothing: the live one still works.
    async with browser(served) as client:
        assert (await client.get(f"/console/signin?t={live}")).status_code == 200
        assert (await client.post("/console/signin", data={"link": live})).status_code == 303
