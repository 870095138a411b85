"""What happens at the same moment: members acting together, two instances, a lost connection.

On PostgreSQL different people's steps run in separate transactions at once (on SQLite the
write lock takes them in turn), so these tests fail there whenever a step reads a value and
writes it back, or trusts what a driver does not report.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text, update

from bot.app import Application
from bot.settings import Settings
from handlers.messages import t
from handlers.types import Inbound, InboundKind
from storage import notify, outbox
from storage.db import Database
from storage.schema import identities, inbox, invites, nominations, people
from storage.schema import outbox as outbox_table
from tests.helpers_flow import nominate_until_review
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.instances import running
from tests.support.people import Invite, MakeChat, person, until_consent

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
APOLOGY = t("common.error")[:40]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A dozen members join from this test's one address: above the guests' per-address limit.
    return settings.model_copy(update={"web_guest_messages_per_hour": 1000})


def no_apology(client: ChatClient) -> None:
    assert not [m.text for m in client.seen if APOLOGY in m.text]


async def test_members_submitting_at_the_same_moment_all_get_unique_codes(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    members = [
        await person(chat, invite, f"m{n}", f"Thành Viên {n}", "X-AN-BINH-HPN") for n in range(8)
    ]
    await asyncio.gather(
        *(nominate_until_review(m, f"Người Tốt Số {n}") for n, m in enumerate(members))
    )
    await asyncio.gather(*(m.press("Gửi") for m in members))
    codes = []
    for member in members:
        replies = await member.expect("GS-")
        codes += re.findall(r"GS-\d{4}-\d{6}", "\n".join(r.text for r in replies))
        no_apology(member)
    assert len(codes) == len(set(codes)) == 8
    async with app.db.read() as conn:
        stored = (await conn.execute(select(nominations.c.code))).scalars().all()
    assert sorted(stored) == sorted(codes)


async def test_a_full_event_takes_no_more_answers_than_its_capacity(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HND", "official")
    members = [
        await person(chat, invite, f"tv{n}", f"Thành Viên {n}", "X-AN-BINH-HND") for n in range(6)
    ]
    for step in ("/sukien", "Tạo sự kiện mới", "Tham quan mô hình nuôi bò", "Thôn 4, xã An Bình"):
        await (official.press(step) if step.startswith("Tạo") else official.send(step))
        await official.pop()
    for step in ("28/11/2026 8h30", "2"):
        await official.send(step)
        await official.pop()
    for label in ("Hội Nông dân xã An Bình", "Gửi thông báo sự kiện"):
        await official.press(label)
        await official.pop()
    await stands(app, clock)  # the invitations wait out the official's undo window
    await official.expect("🗓 Tham quan")  # in the unit too
    for member in members:
        await member.expect("🗓 Tham quan mô hình nuôi bò")
    await asyncio.gather(*(m.press("Tham gia") for m in members))
    answers: Counter[str] = Counter()
    for member in members:
        text = "\n".join(r.text for r in await member.pop())
        answers["yes" if "Đã ghi nhận bạn tham gia" in text else text] += 1
    assert answers == {"yes": 2, t("officials.event.full", title="Tham quan mô hình nuôi bò"): 4}


@pytest.fixture
async def second_instance(settings: Settings, clock: FakeClock) -> AsyncIterator[Application]:
    """Another instance of the bot on the same database (as behind a load balancer)."""
    async with running(settings, clock) as other:
        yield other


async def test_a_new_persons_first_messages_on_two_instances_make_one_identity(
    app: Application, second_instance: Application, clock: FakeClock
) -> None:
    # A new Zalo account's first two messages, one delivered to each instance at once.
    def said(n: int) -> Inbound:
        return Inbound(
            channel="zalo_oa",
            external_id=f"msg-{n}",
            sender_id="moi-den",
            chat_id="moi-den",
            kind=InboundKind.TEXT,
            text=f"xin chào {n}",
            received_at=clock(),
        )

    await asyncio.gather(
        app.intake.accept_and_wait(said(1)), second_instance.intake.accept_and_wait(said(2))
    )
    async with app.db.read() as conn:
        statuses = (await conn.execute(select(inbox.c.status))).scalars().all()
        accounts = (
            await conn.execute(select(func.count()).where(identities.c.external_id == "moi-den"))
        ).scalar_one()
        replies = (await conn.execute(select(outbox_table.c.payload))).scalars().all()
    assert statuses == ["done", "done"]
    assert accounts == 1
    assert replies and not [r for r in replies if APOLOGY in r["text"]]


async def test_queued_messages_are_counted_from_the_rows_written(database_url: str) -> None:
    db = Database(database_url)
    messages = [
        outbox.NewMessage(
            channel="web", chat_id=f"c{n}", identity_id=None, payload={}, dedupe_key=f"k{n % 3}"
        )
        for n in range(5)
    ]
    try:
        async with db.write() as conn:
            assert await outbox.enqueue(conn, messages, NOW) == 3  # two repeat a dedupe key
            assert await outbox.enqueue(conn, messages[:2], NOW) == 0
            assert conn.notes == [(notify.OUTBOX, "web")]  # the web chat's sender is woken
    finally:
        await db.close()


async def test_the_first_message_after_the_connections_dropped_is_answered(
    chat: MakeChat, invite: Invite, drop_connections: Callable[[], None]
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    drop_connections()  # PostgreSQL restarted, say: every pooled connection is gone
    await hoa.send("/cuatoi")
    await hoa.expect("Bạn chưa gửi đề cử nào")
    drop_connections()
    await hoa.send("/trogiup")
    await hoa.pop()
    no_apology(hoa)


async def test_claims_are_released_at_start_only_when_no_other_instance_runs(
    app: Application, database_url: str
) -> None:
    # PostgreSQL: the running `app` holds the instance lock, so a second instance must not
    # take the rows it has claimed for sends in flight. SQLite serves one process: a start
    # always finds the claims of a crash.
    starting = Database(database_url)
    try:
        assert await starting.register_instance() is app.db.is_sqlite
    finally:
        await starting.close()
    await app.stop()
    alone = Database(database_url)
    try:
        assert await alone.register_instance() is True
    finally:
        await alone.close()


async def test_the_last_use_of_an_invite_taken_meanwhile_leaves_the_joiner_a_stranger(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    """The invite's use is taken last in the join (others wait for its row only briefly):
    when someone else took the last one after the step had checked it, the step rolls back
    and runs again, and the person is told the invite is used up; nothing of theirs stays."""
    code = await invite(uses=1)
    hoa = chat("hoa", "Trần Thị Hoa")
    await until_consent(hoa, code, "Trần Thị Hoa")
    async with app.db.read() as conn:
        people_before = (await conn.execute(select(func.count()).select_from(people))).scalar()
    async with app.db.write() as other:  # someone else's join, taking the last use
        await other.execute(update(invites).values(uses=invites.c.uses + 1))
        pressed = asyncio.create_task(hoa.press("Đồng ý"))
        if not app.db.is_sqlite:
            await waiting_for_the_invite(app.db)  # checked, written, now waits for the row
    await pressed
    await hoa.expect(t("join.invite_used")[:30])
    no_apology(hoa)
    async with app.db.read() as conn:
        people_after = (await conn.execute(select(func.count()).select_from(people))).scalar()
    assert people_after == people_before
    assert (await hoa.session()).person_id is None


async def waiting_for_the_invite(db: Database) -> None:
    """Until a step's UPDATE of the invite waits for the row lock (PostgreSQL)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE invites%'"
    )
    async with asyncio.timeout(10):
        while True:
            async with db.read() as conn:
                if (await conn.execute(waiting)).scalar():
                    return
            await asyncio.sleep(0)
