"""What an instance remembers of web sessions (bot/web/sessions.py `Remembered`) never
outlives a change or the session's end: a browser signed out, renamed, erased, signed out on
another instance or past its end is treated as such on its very next request, and an
instance that may have missed a change (its notifications connection lost) reads the
database instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Application
from bot.settings import Settings
from bot.web.sessions import CHANGES_KEPT, REMEMBER_FOR, Remembered
from storage import notify, web_sessions
from storage.rows import WebSession
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.databases import Databases, PostgresDatabases
from tests.support.instances import same_browser
from tests.support.people import Invite, MakeChat, join, person
from tests.test_accounts_devices import sign_in_code


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Unused that long, a session would end by idleness before its absolute end.
    return settings.model_copy(update={"web_session_idle_days": 400})


async def seen_as(client: ChatClient) -> dict[str, Any] | None:
    """Who the page is told it is (None: signed out)."""
    response = await client.http.get("/api/messages", params={"after": client.cursor})
    if response.status_code == 401:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return {"member": body["member"], "name": body["name"]}


class Told:
    """Waits until an instance has heard a change to sessions."""

    def __init__(self, app: Application) -> None:
        self.heard = asyncio.Event()
        app.db.listen(notify.SESSIONS, lambda _payload: self.heard.set())

    async def wait(self) -> None:
        async with asyncio.timeout(10):
            await self.heard.wait()


async def test_a_new_name_and_an_erasure_reach_every_browser_at_once(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    phone = chat("dien-thoai")
    await phone.send(await sign_in_code(hoa))
    await phone.expect("Đã liên kết")
    await hoa.expect("vừa được liên kết")
    # Both browsers were just read (and remembered) as hers.
    assert await seen_as(phone) == {"member": True, "name": "Trần Thị Hoa"}
    await hoa.send("/dulieu")
    await hoa.expect("Họ tên: Trần Thị Hoa")
    await hoa.press("Sửa họ tên")
    await hoa.expect("Gõ họ và tên đúng")
    await hoa.send("Trần Thị Hoà")
    await hoa.expect("Đã sửa họ tên thành: Trần Thị Hoà")
    assert await seen_as(phone) == {"member": True, "name": "Trần Thị Hoà"}
    await hoa.press("Xong")
    await hoa.expect("")
    await hoa.send("/xoadulieu")
    await hoa.expect("không thể hoàn tác")
    await hoa.press("Xoá vĩnh viễn")
    await hoa.expect("gõ chữ XOÁ")
    await hoa.send("XOÁ")
    await hoa.expect("Đã xoá dữ liệu của bạn")
    # The browser she erased from is a guest's now, nameless; the other one is nobody's.
    assert await seen_as(hoa) == {"member": False, "name": None}
    assert await seen_as(phone) is None
    phone.signed_out = True


async def test_a_remembered_session_still_ends_on_time(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    ends = (await hoa.session()).expires_at
    clock.advance(seconds=(ends - clock()).total_seconds() - 20)
    assert await seen_as(hoa) is not None  # touched (its last use written), then forgotten
    clock.advance(seconds=5)
    assert await seen_as(hoa) is not None  # read again, and remembered
    clock.advance(seconds=20)  # past its absolute end, 20 s after it was remembered
    assert await seen_as(hoa) is None
    hoa.signed_out = True


@asynccontextmanager
async def remembered_elsewhere(
    instances: list[Application], chat: MakeChat, invite: Invite
) -> AsyncIterator[tuple[ChatClient, ChatClient]]:
    """A member's browser on the first instance, and the same browser on the last one,
    which has just read (and remembered) her session."""
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    elsewhere = same_browser(hoa, instances[-1])
    try:
        assert await seen_as(elsewhere) == {"member": True, "name": "Trần Thị Hoa"}
        yield hoa, elsewhere
    finally:
        await elsewhere.close()


async def sign_out(client: ChatClient) -> None:
    """The page's "Đăng xuất"."""
    response = await client.http.post("/api/signout", json={})
    assert response.status_code == 200, response.text
    client.signed_out = True


async def test_a_browser_signed_out_on_one_instance_is_refused_by_every_other(
    instances: list[Application], chat: MakeChat, invite: Invite
) -> None:
    async with remembered_elsewhere(instances, chat, invite) as (hoa, elsewhere):
        told = Told(instances[-1])
        await sign_out(hoa)
        await told.wait()  # on PostgreSQL, through the server; on SQLite, at the commit
        assert await seen_as(elsewhere) is None


async def test_an_instance_that_may_have_missed_a_change_reads_the_database(
    instances: list[Application], chat: MakeChat, invite: Invite, databases: Databases
) -> None:
    async with remembered_elsewhere(instances, chat, invite) as (hoa, elsewhere):
        if isinstance(databases, PostgresDatabases):
            # The server restarts: the other instance's notifications connection goes with
            # the rest, and what is told before it listens again never reaches it.
            assert databases.drop_connections(instances[-1].settings.database_url) > 0
        await sign_out(hoa)
        assert await seen_as(elsewhere) is None


async def test_a_guest_who_joins_through_one_instance_is_a_member_on_every_other(
    instances: list[Application], chat: MakeChat, invite: Invite
) -> None:
    code = await invite(unit="X-AN-BINH-HPN")
    hoa = chat("hoa", "Trần Thị Hoa")
    await hoa.send("/start")  # a guest's session, for a browser that has not joined
    await hoa.expect("")
    elsewhere = same_browser(hoa, instances[-1])
    try:
        assert await seen_as(elsewhere) == {"member": False, "name": None}  # remembered
        told = Told(instances[-1])
        await join(hoa, code, "Trần Thị Hoa")
        await told.wait()
        assert await seen_as(elsewhere) == {"member": True, "name": "Trần Thị Hoa"}
    finally:
        await elsewhere.close()


def session(person_id: int | None, **changes: Any) -> WebSession:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    fields: dict[str, Any] = {
        "id": 7,
        "kind": web_sessions.CHAT,
        "identity_id": 70,
        "chat_id": "w70",
        "person_id": person_id,
        "name": "Trần Thị Hoa",
        "device": "Chrome · Android",
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + timedelta(days=30),
    }
    return WebSession.model_validate({**fields, **changes})


def test_what_is_remembered_and_for_how_long() -> None:
    hub = notify.Hub("here")
    remembered = Remembered(hub)
    now = datetime(2026, 12, 6, tzinfo=UTC)
    # A read that a change to its session overtook (it may show the session as it was) is
    # not kept; nor one that a RESYNC overtook, nor one that outlived the changes kept.
    for told in (f"{web_sessions.SESSION} 7", notify.RESYNC):
        mark = remembered.mark
        remembered.heard(told)
        remembered.keep("a", session(5), now, mark)
        assert remembered.get("a", now) is None, told
    mark = remembered.mark
    for n in range(CHANGES_KEPT + 1):
        remembered.heard(f"{web_sessions.SESSION} {1000 + n}")
    remembered.keep("a", session(5), now, mark)
    assert remembered.get("a", now) is None
    # Changes to other sessions during the read do not hold it back.
    mark = remembered.mark
    for n in range(CHANGES_KEPT - 1):
        remembered.heard(f"{web_sessions.SESSION} {1000 + n}")
    remembered.heard(f"{web_sessions.PERSON} 6")
    remembered.keep("a", session(5), now, mark)
    assert remembered.get("a", now) == session(5)
    # A guest's session is kept too, until its account is linked to someone.
    remembered.keep("guest", session(None), now, remembered.mark)
    assert remembered.get("guest", now) == session(None)
    remembered.heard(f"{web_sessions.ACCOUNT} 70")
    assert remembered.get("guest", now) is None
    remembered.keep("a", session(5), now, remembered.mark)
    assert remembered.get("a", now + REMEMBER_FOR - timedelta(seconds=1)) == session(5)
    assert remembered.get("a", now + REMEMBER_FOR) is None
    # Each kind of change forgets the sessions it names, and only those.
    for told, forgets in (
        (f"{web_sessions.SESSION} 7", True),
        (f"{web_sessions.ACCOUNT} 70", True),
        (f"{web_sessions.PERSON} 5", True),
        (f"{web_sessions.PERSON} 6", False),
        (notify.RESYNC, True),
    ):
        remembered.keep("a", session(5), now, remembered.mark)
        remembered.heard(told)
        assert (remembered.get("a", now) is None) is forgets, told
    # Not hearing every change (a lost connection): nothing remembered is trusted.
    remembered.keep("a", session(5), now, remembered.mark)
    hub.hearing = False
    assert remembered.get("a", now) is None
    hub.hearing = True
    assert remembered.get("a", now) is None
