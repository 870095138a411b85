"""Several instances on one database behave as one bot (tests/support/instances.py).

On PostgreSQL two instances run: each role (sending a channel, polling it) is played by one
of them; a person's events are handled in the order recorded, whichever instance got them;
a reply made on one instance reaches a page polling the other at once; a file stored through
one is served by the other; a dead instance's roles and events pass to the living after the
lease; instances refuse to run with different keys. SQLite serves one process: the same
tests check what its one instance does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import Application
from bot.delivery import LaneState
from bot.settings import Settings
from bot.web.keys import SecretKeyError
from handlers.types import Inbound, InboundKind, Reply
from storage import leases
from storage import outbox as outbox_rows
from storage.schema import identities, inbox, outbox
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.instances import running, same_browser, settle_all, wait_for_messages
from tests.support.media import jpeg
from tests.support.people import Invite, MakeChat, person

TERM = 600.0  # long: renewals happen only when a test asks for them


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"instance_lease_seconds": TERM, "web_guest_messages_per_hour": 1000}
    )


def said(text: str, n: int, clock: FakeClock, sender: str = "w-moi") -> Inbound:
    """An event from one account (the load balancer may send it to any instance)."""
    return Inbound(
        channel="web",
        external_id=f"msg-{n}",
        sender_id=sender,
        chat_id=sender,
        kind=InboundKind.TEXT,
        text=text,
        received_at=clock(),
    )


async def test_each_role_is_played_by_exactly_one_instance(
    instances: list[Application],
) -> None:
    names = {f"send:{lane}" for lane in instances[0].delivery.lanes}
    holders = [app.leases.held for app in instances]
    assert set().union(*holders) == names
    assert sum(len(h) for h in holders) == len(names)  # none played twice
    for app in instances:
        active = {n for n, lane in app.delivery.lanes.items() if lane.state is LaneState.ACTIVE}
        assert {f"send:{n}" for n in active} == app.leases.held


async def test_a_persons_events_are_handled_in_the_order_they_were_recorded(
    instances: list[Application], clock: FakeClock
) -> None:
    first, last = instances[0], instances[-1]
    # The first event reached one instance, which recorded it and was slow to handle it;
    # the next reached another (or the same), which handles the earlier one first.
    [early] = await first.intake.record([said("xin chào", 1, clock)])
    late = await last.intake.accept_and_wait(said("/trogiup", 2, clock))
    assert early is not None and late is not None
    async with last.db.read() as conn:
        handled = (await conn.execute(select(inbox.c.id, inbox.c.status))).all()
        keys = (
            await conn.execute(select(outbox.c.dedupe_key).order_by(outbox.c.id))
        ).scalars().all()
    assert sorted(handled) == [(early, "done"), (late, "done")]
    replied_to = [int(key.split(":")[1]) for key in keys if key and key.startswith("reply:")]
    assert replied_to == sorted(replied_to) and set(replied_to) == {early, late}


async def test_a_reply_made_on_one_instance_reaches_a_page_polling_another(
    instances: list[Application], chat: MakeChat, invite: Invite
) -> None:
    other = instances[-1]
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    elsewhere = same_browser(hoa, other)
    try:
        # Typed on the instance that does not send: the page polling the sender hears it.
        polling = asyncio.create_task(wait_for_messages(hoa, "Hướng dẫn sử dụng"))
        await elsewhere.send("/trogiup")
        await polling
        # Typed on the sender: the page polling the other instance hears it.
        elsewhere.cursor = hoa.cursor
        polling = asyncio.create_task(wait_for_messages(elsewhere, "Bạn chưa gửi đề cử nào"))
        await hoa.send("/cuatoi")
        await polling
        hoa.cursor = elsewhere.cursor
    finally:
        await elsewhere.close()


async def bot_messages(client: ChatClient, after: int, wait: float) -> list[dict[str, Any]]:
    """One poll of the page: the bot's messages after `after` (the person's own left out)."""
    response = await client.http.get("/api/messages", params={"after": after, "wait": wait})
    assert response.status_code == 200, response.text
    return [m for m in response.json()["messages"] if not m.get("mine")]


async def test_a_pages_messages_from_every_source_arrive_once_and_in_order(
    instances: list[Application], chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    # Bulk messages for Hoa's chat are queued through one instance while she types through
    # both: the page polling the one that does not send sees every message once, numbered
    # in increasing order, and a reload (reading from where it started) shows exactly the
    # same ones: the numbers it paged by never passed over one committed later.
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    start = hoa.cursor
    chat_id = await hoa.chat_id()
    async with instances[-1].db.write() as conn:
        identity_id = (
            await conn.execute(select(identities.c.id).where(identities.c.external_id == chat_id))
        ).scalar_one()
        bulk = [
            outbox_rows.NewMessage(
                channel="web",
                chat_id=chat_id,
                identity_id=identity_id,
                payload=Reply(text=f"Tin chung {n}").model_dump(mode="json"),
                priority=outbox_rows.PRIORITY_BULK,
                dedupe_key=f"bulk-{n}",
            )
            for n in range(5)
        ]
        assert await outbox_rows.enqueue(conn, bulk, clock()) == 5
    elsewhere = same_browser(hoa, instances[-1])
    try:
        await elsewhere.send("/trogiup")
        await hoa.send("/cuatoi")
        expected = ["Hướng dẫn", "Bạn chưa gửi đề cử nào", *(f"Tin chung {n}" for n in range(5))]
        live: list[dict[str, Any]] = []
        cursor = start
        async with asyncio.timeout(10):
            while not all(any(e in m["text"] for m in live) for e in expected):
                live += await bot_messages(elsewhere, cursor, 20.0)
                cursor = live[-1]["id"] if live else cursor
        await settle_all(instances)
        live += await bot_messages(elsewhere, cursor, 0.0)
        numbers = [m["id"] for m in live]
        assert numbers == sorted(set(numbers))  # each once, increasing
        reloaded = await bot_messages(elsewhere, start, 0.0)
        assert [m["id"] for m in reloaded] == numbers
        for n in range(5):
            assert [m["text"] for m in live].count(f"Tin chung {n}") == 1
    finally:
        await elsewhere.close()
    hoa.cursor = cursor


async def test_a_file_stored_through_one_instance_is_served_by_another(
    instances: list[Application], chat: MakeChat, invite: Invite
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-CCB", "official")
    await person(chat, invite, "ba", "Nguyễn Văn Ba", "X-AN-BINH-CCB")
    uploader = same_browser(official, instances[-1])  # its requests reach the other instance
    try:
        for text, prompt in (
            ("/dotphatdong", "Đợt phát động"),
            ("tao dot moi", "Tên đợt"),
            ("Cựu chiến binh gương mẫu", "Nội dung"),
            ("Đề cử hội viên cựu chiến binh gương mẫu trong phong trào ở thôn.", "lĩnh vực nào"),
            ("tat ca linh vuc", "Hạn cuối"),
            ("15/01/2027", "đơn vị nào"),
            ("1", "Gửi một ảnh"),
        ):
            await uploader.send(text)
            await wait_for_messages(uploader, prompt)
        assert (await uploader.upload(jpeg(), "anh.jpg")).status_code == 200
        preview = await wait_for_messages(uploader, "Xem trước", "Cựu chiến binh gương mẫu")
        [link] = [m.media[0]["url"] for m in preview if m.media]
        stored = await uploader.http.get(link)
        served = await official.http.get(link)  # the same browser on the first instance
        assert stored.status_code == served.status_code == 200
        assert served.content == stored.content and served.content.startswith(b"\xff\xd8")
        await uploader.send("/huy")
        await wait_for_messages(uploader, "Đã huỷ")
        official.cursor = uploader.cursor
    finally:
        await uploader.close()


async def test_a_dead_instances_roles_and_events_pass_on_after_the_lease(
    instances: list[Application], clock: FakeClock
) -> None:
    dead, survivor = instances[0], instances[-1]
    if dead is not survivor:
        await dead.runner.stop()  # from here on it records but handles nothing, renews nothing
    [left] = await dead.intake.record([said("xin chào", 1, clock)])
    assert left is not None
    clock.advance(seconds=TERM + 1)
    await survivor.leases.renew()
    assert await survivor.runner.take_over(TERM) == 1
    await survivor.settle()
    async with survivor.db.read() as conn:
        status = (await conn.execute(select(inbox.c.status))).scalar_one()
        replies = (await conn.execute(select(outbox.c.status))).scalars().all()
        holders = await leases.holders(conn)
    assert status == "done" and replies and set(replies) == {"sent"}
    assert survivor.leases.held == {f"send:{n}" for n in survivor.delivery.lanes}
    if dead is not survivor:
        assert {holder for holder, _ in holders.values()} == {survivor.db.instance}
        await dead.leases.renew()  # were it only cut off, it finds its roles gone and stops
        assert dead.leases.held == set()
        assert all(lane.state is LaneState.STANDBY for lane in dead.delivery.lanes.values())


async def test_an_instance_with_another_secret_key_refuses_to_start(
    app: Application, settings: Settings, clock: FakeClock
) -> None:
    other_key = settings.model_copy(update={"secret_key": SecretStr("k" * 40)})
    if app.db.is_sqlite:
        # One process: a new key at a restart is the operator's choice (links made before fail).
        await app.stop()
        async with running(other_key, clock) as restarted:
            assert restarted.keys.check != app.keys.check
        return
    with pytest.raises(SecretKeyError):
        async with running(other_key, clock):
            pass
    async with running(settings, clock) as same_key:  # the shared key starts fine
        assert same_key.leases.held == set()


async def test_replies_wait_for_the_instance_that_sends_and_leave_from_there(
    instances: list[Application], chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    elsewhere = same_browser(hoa, instances[-1])
    try:
        for text, reply in (("/trogiup", "Hướng dẫn"), ("/cuatoi", "Bạn chưa gửi đề cử nào")):
            await elsewhere.send(text)
            await wait_for_messages(elsewhere, reply)
    finally:
        await elsewhere.close()
    hoa.cursor = elsewhere.cursor
    async with instances[0].db.read() as conn:
        rows = (await conn.execute(select(outbox.c.status, outbox.c.claimed_until))).all()
    assert {(status, claimed) for status, claimed in rows} == {("sent", None)}
    # Only the sender's lane claimed them: the other's stood by throughout.
    if len(instances) > 1:
        assert instances[1].delivery.lanes["web"].state is LaneState.STANDBY

