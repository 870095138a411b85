"""Members and invites in the console: who may hand out which role, never one's own role,
never an admin role to many, and what a role change does to the person's console."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from bot.app import Application
from handlers.permissions import Action, Verdict, authorise, may_grant
from handlers.roles import Role
from storage.rows import Membership
from storage.schema import audit_log, memberships
from tests.support.chat import ChatClient
from tests.support.console import ConsoleClient
from tests.support.review import Invite, person, person_id


def roles(*held: tuple[str, str]) -> list[Membership]:
    """Memberships held at unit paths."""
    return [
        Membership(id=n, person_id=1, unit_id=n, role=role, unit_path=path, unit_name=path)
        for n, (role, path) in enumerate(held, start=1)
    ]


def test_the_one_rule_by_role_scope_and_status() -> None:
    reviewer = roles(("reviewer", "/1/2/"))
    assert authorise([], Action.VIEW) is Verdict.NOT_JOINED
    assert authorise(roles(("member", "/1/2/")), Action.VIEW) is Verdict.NO_ROLE
    assert authorise(reviewer, Action.APPROVE, "/1/2/7/", "submitted") is Verdict.OK
    assert authorise(reviewer, Action.APPROVE, "/1/3/", "submitted") is Verdict.OUT_OF_SCOPE
    assert authorise(reviewer, Action.APPROVE, "/1/2/", "approved") is Verdict.WRONG_STATUS
    assert authorise(reviewer, Action.COMMEND, "/1/2/", "approved") is Verdict.OK
    assert authorise(reviewer, Action.CAMPAIGN) is Verdict.NO_ROLE
    official = roles(("official", "/1/2/"))
    assert may_grant(official, Role.MEMBER, "/1/2/7/") is Verdict.OK
    assert may_grant(official, Role.REVIEWER, "/1/2/7/") is Verdict.NO_ROLE
    admin = roles(("admin", "/1/2/"))
    assert may_grant(admin, Role.ADMIN, "/1/2/") is Verdict.OK
    assert may_grant(admin, Role.ADMIN, "/1/3/") is Verdict.OUT_OF_SCOPE


async def test_invites_by_role_and_the_admin_rule(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    official = await person(chat, invite, "can", "Lê Văn Cán", "X-AN-BINH", "official")
    admin = await person(chat, invite, "quan", "Hà Thị Quản", "X-AN-BINH", "admin")
    by_official, by_admin = console(), console()
    await by_official.sign_in(official)
    await by_admin.sign_in(admin)
    form = await by_official.get("/console/invites")
    unit = re.search(r'name="unit" value="(\d+)"', form.html)
    assert unit is not None
    base = {"unit": unit.group(1), "uses": "1", "days": "7", "app": "web"}
    refused = await by_official.post("/console/invites", {**base, "role": "reviewer"})
    assert refused.status == 403
    await by_admin.get("/console/invites")
    many = await by_admin.post("/console/invites", {**base, "role": "admin", "uses": "5"})
    assert many.status == 400 and many.has("chỉ được dùng cho một người")
    one = await by_admin.post("/console/invites", {**base, "role": "admin"})
    assert one.status == 200 and re.search(r'<td class="code">[A-Z0-9]{12}</td>', one.html)


async def test_role_changes_are_audited_told_and_never_ones_own(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    admin = await person(chat, invite, "quan", "Hà Thị Quản", "X-AN-BINH", "admin")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    browser, hers = console(), console()
    await browser.sign_in(admin)
    await hers.sign_in(lan)
    async with app.db.read() as conn:
        by_person = {
            int(p): int(m)
            for m, p in await conn.execute(select(memberships.c.id, memberships.c.person_id))
        }
    own = by_person[await person_id(app, "quan")]
    theirs = by_person[await person_id(app, "lan")]
    page = await browser.get("/console/members")
    assert page.has("Lê Thị Duyệt", "Hà Thị Quản")
    mine = await browser.post("/console/members/role", {"membership": str(own), "role": "member"})
    assert mine.status == 409 and mine.has("không tự đổi")
    lowered = await browser.post(
        "/console/members/role", {"membership": str(theirs), "role": "member"}
    )
    assert lowered.status == 303
    await lan.expect("đã được đổi thành thành viên")
    # Below reviewer rank, her console is closed at once (her session is gone).
    assert (await hers.get("/console/nominations")).status == 401
    async with app.db.read() as conn:
        logged = (
            await conn.execute(
                select(audit_log.c.detail).where(audit_log.c.action == "membership.role_changed")
            )
        ).scalar_one()
    assert logged["to"] == "member" and logged["role"] == "reviewer"
