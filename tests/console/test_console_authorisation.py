"""The authorisation matrix of tests/test_review_authorisation.py (role × action × where, one
table), driven through the web console: the same cells allowed, the same refused, the same
effects. Chat and console ask one function (handlers.permissions.authorise)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import cli_ops
from bot.app import Application
from storage import reviews
from tests.support.chat import ChatClient
from tests.support.console import ConsoleClient, Page, console_session
from tests.support.review import Invite, nominate, person, person_id
from tests.test_review_authorisation import CELLS, PLACES, REPORTERS, snapshot

# What each action posts, and where (the card's forms).
FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "approve": ("decide", {"action": "approve"}),
    "ask": ("decide", {"action": "ask", "question": "Xin thêm ảnh"}),
    "reject": ("decide", {"action": "reject", "reason": "evidence"}),
    "forward": ("decide", {"action": "forward", "note": ""}),
    "merge": ("merge", {}),
    "commend": (
        "commend",
        {"form": "Giấy khen", "number": "12/QĐ", "date": "", "issuer": "UBND xã"},
    ),
}


async def console_for(
    app: Application, console: Callable[[], ConsoleClient], role: str, actor: ChatClient | None
) -> ConsoleClient:
    """The actor's console browser: signed in by /web, or (a member) holding a session that
    outlived a role, or (nobody) none at all."""
    browser = console()
    if role in ("reviewer", "official", "admin"):
        assert actor is not None
        await browser.sign_in(actor)
        await browser.get("/console/nominations")
        return browser
    if role == "member":
        token = await console_session(app, await person_id(app, "actor"))
        browser.http.cookies.set(app.console_sessions.cookie, token)
        await browser.get("/console/nominations")
    return browser


async def act(
    browser: ConsoleClient, action: str, nomination: int, duplicate_of: int, today: str
) -> Page:
    """Do the action the way the console offers it."""
    if action == "open":
        return await browser.get(f"/console/nominations/{nomination}")
    if action == "score":
        card = await browser.get(f"/console/nominations/{nomination}")
        boxes = re.findall(r'name="(c\d+)"', card.html) or ["c1"]
        return await browser.post(f"/console/nominations/{nomination}/score", {boxes[0]: "7"})
    route, fields = FORMS[action]
    fields = {**fields, "into": str(duplicate_of)} if action == "merge" else dict(fields)
    if action == "commend":
        fields["date"] = today
    return await browser.post(f"/console/nominations/{nomination}/{route}", fields)


@pytest.mark.parametrize(("role", "action", "place", "allowed"), CELLS)
async def test_matrix_through_the_console(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    tmp_path: Path,
    role: str,
    action: str,
    place: str,
    allowed: bool,
) -> None:
    criteria_csv = tmp_path / "criteria.csv"
    criteria_csv.write_text(
        "unit_code,field,criterion,weight,max_score\nT-DEMO,good_deed,Lan toả,1,10\n",
        encoding="utf-8",
    )
    await cli_ops.import_criteria(app.db, criteria_csv)
    reporters = {
        "hoa": await person(chat, invite, "hoa", "Trần Thị Hoa", PLACES["own"], "member"),
        "lac": await person(chat, invite, "lac", "Vũ Văn Lạc", PLACES["other"], "member"),
    }
    # Someone reviews above the commune: forwarding from it has somewhere to go (as in
    # tests/test_review_authorisation.py).
    await person(chat, invite, "tinh", "Hà Văn Tỉnh", "T-DEMO", "reviewer")
    actor = None
    if role != "none":
        actor = await person(chat, invite, "actor", "Người Thử", "X-AN-BINH", role)
    reporter = REPORTERS[place]
    earlier = await nominate(app, reporter, PLACES[place], "Nguyễn Thị Lan")
    code = await nominate(app, reporter, PLACES[place], "Nguyen Thi Lan")
    async with app.db.write() as conn:
        target = await reviews.find_by_code(conn, code)
        duplicate = await reviews.find_by_code(conn, earlier)
        assert target is not None and duplicate is not None
        if action == "commend":
            await reviews.change_status(conn, target.id, ["submitted"], "approved", app.clock())
    browser = await console_for(app, console, role, actor)
    before = await snapshot(app, code)
    today = app.clock().astimezone(app.config.timezone).date().isoformat()

    page = await act(browser, action, target.id, duplicate.id, today)

    after = await snapshot(app, code)
    if allowed:
        assert page.status in (200, 303), (page.status, page.text[:500])
        expected_status = {
            "approve": "approved",
            "ask": "needs_info",
            "reject": "rejected",
            "forward": "forwarded",
            "merge": "merged",
            "commend": "approved",
        }.get(action, before.status)
        assert after.status == expected_status
        changed = {
            "open": after == before and page.has(code, "Quyết định"),
            "score": after.scores == before.scores + 1,
            "commend": after.commendations == before.commendations + 1,
            "merge": after.merges == before.merges + 1,
        }.get(action, after.decisions == before.decisions + 1)
        assert changed
        for client in reporters.values():
            await client.pop()
        return
    refused = {"none": 401, "member": 403}.get(role)
    if refused is not None:
        assert page.status == refused, page.status
    else:
        assert page.status in (403, 404), (page.status, page.text[:500])
        assert "Nguyen Thi Lan" not in page.text
    assert after == before
