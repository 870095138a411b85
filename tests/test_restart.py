"""Restart safety: a draft survives a stop, recorded events survive a crash, nothing doubles."""

from __future__ import annotations

import asyncio
import random
import signal
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from handlers.types import Inbound, InboundKind
from storage import inbox
from storage.schema import inbox as inbox_table
from storage.schema import nominations, outbox
from tests.helpers_flow import ACHIEVEMENT, join
from tests.support.bot_process import Acknowledged, BotProcess
from tests.support.chat import ChatClient, browser_account
from tests.support.clock import FakeClock
from tests.support.instances import running

ROOT = Path(__file__).resolve().parents[1]


async def test_draft_survives_a_stop_and_days_of_pause(
    app: Application, settings: Settings, clock: FakeClock, invite: Callable[..., Awaitable[str]]
) -> None:
    code = await invite()
    hoa = ChatClient(app, "hoa")
    try:
        await join(hoa, code)
        await hoa.send("/decu")
        await hoa.expect("Bạn đề cử ai?")
        await hoa.send("ca nhan")
        await hoa.expect("Họ và tên")
        await hoa.send("Nguyễn Thị Lan")
        await hoa.expect("Năm sinh")
        cursor, token = hoa.cursor, hoa.token
    finally:
        await hoa.close()
    await app.stop()
    clock.advance(days=3)
    async with running(settings, clock) as again:
        # The same browser comes back: its cookie still names its session.
        hoa = ChatClient(again, "hoa", token=token)
        hoa.cursor = cursor  # the earlier replies were read before the stop
        await hoa.send("1970")
        await hoa.expect("Nơi sinh sống")
        await hoa.send("/quaylai")
        await hoa.expect("Năm sinh")
        await hoa.send("/huy")
        await hoa.expect("Đã huỷ")
        await hoa.close()


async def test_events_recorded_before_a_crash_are_handled_on_start(
    settings: Settings, clock: FakeClock
) -> None:
    first = Application(settings, clock=clock)
    token, chat_id = await browser_account(first, "lan")
    # A crash right after recording: the inbox has the event, nobody handled it.
    async with first.db.write() as conn:
        event = Inbound(
            channel="web",
            external_id=f"{chat_id}:e1",
            sender_id=chat_id,
            chat_id=chat_id,
            kind=InboundKind.TEXT,
            text="xin chào",
            received_at=clock(),
        )
        payload = event.model_dump(mode="json")
        await inbox.record_inbound(conn, "web", event.external_id, chat_id, payload, clock())
    await first.db.close()
    async with running(settings, clock) as app:
        await app.settle()
        lan = ChatClient(app, "lan", token=token)
        await lan.expect("hãy gõ mã mời")
        await lan.close()
        async with app.db.read() as conn:
            statuses = (await conn.execute(select(inbox_table.c.status))).scalars().all()
        assert statuses == ["done"]


ANSWERS = 15


async def nominate_over_http(bot: BotProcess, uid: str, code: str, sent: Acknowledged) -> None:
    """A member joins and nominates in a browser of their own; each answer's id is kept once
    the bot accepted it. Done once the bot's receipt has reached the page."""
    async with httpx.AsyncClient(
        base_url=bot.url, headers={"origin": bot.url}, timeout=30
    ) as client:
        while True:  # the browser's session, asked again across kills like the page does
            await bot.up.wait()
            try:
                response = await client.post("/api/session", json={})
            except httpx.TransportError:
                continue  # killed under this request: asked again once the bot is back
            assert response.status_code == 200, response.text
            break
        await _answer_all(client, bot, uid, code, sent)
        await _wait_for_reply(client, bot, "Đã gửi đề cử")


def nomination_answers(uid: str, code: str) -> list[str]:
    """What a new member types to join with `code` and nominate someone, answer by answer."""
    return [
        f"/start {code}",
        f"Thành Viên {uid.upper()}",
        "bo qua",
        "1",
        "/decu",
        "1",
        f"Người Tốt {uid.upper()}",
        "bo qua",
        "Thôn 3",
        "6",
        ACHIEVEMENT,
        "bo qua",
        "bo qua",
        "1",
        "gui",
    ]


async def _answer_all(
    client: httpx.AsyncClient, bot: BotProcess, uid: str, code: str, sent: Acknowledged
) -> None:
    answers = nomination_answers(uid, code)
    assert len(answers) == ANSWERS
    for text in answers:
        message_id = uuid.uuid4().hex
        while True:  # the same id until the bot acknowledges it (as platforms retry)
            await bot.up.wait()
            try:
                response = await client.post("/api/send", json={"id": message_id, "text": text})
            except httpx.TransportError:
                continue  # killed under this request: sent again once the bot is back
            assert response.status_code == 200, response.text
            await sent.add(message_id)
            break


async def _wait_for_reply(client: httpx.AsyncClient, bot: BotProcess, fragment: str) -> None:
    """Long-poll the page's messages until a reply holding `fragment` has been delivered."""
    after = 0
    while True:
        await bot.up.wait()
        try:
            got = await client.get("/api/messages", params={"after": after, "wait": 25})
        except httpx.TransportError:
            continue
        messages = got.json()["messages"]
        if any(fragment in (m["text"] or "") for m in messages):
            return
        after = messages[-1]["id"] if messages else after


async def test_sigkill_while_members_nominate(tmp_path: Path, database_url: str) -> None:
    bot = BotProcess(tmp_path, database_url)
    settings = Settings(_env_file=None, database_url=database_url)
    db_app = Application(settings)
    await cli_ops.import_units(db_app.db, cli_ops.DEMO_UNITS)
    code = (
        await cli_ops.create_invite(
            db_app.db, settings, "X-AN-BINH-HPN", "member", 100, 7, db_app.clock()
        )
    ).code
    await db_app.db.close()
    members = [f"m{n}" for n in range(20)]
    sent = Acknowledged()
    rng = random.Random(20261125)
    await bot.start()
    try:
        work = asyncio.gather(*(nominate_over_http(bot, uid, code, sent) for uid in members))
        # Kill at random points of the run, measured in answers the bot acknowledged.
        total = len(members) * ANSWERS
        for threshold in sorted(rng.sample(range(total // 10, total * 9 // 10), 3)):
            await sent.reach(threshold)
            assert not work.done(), "the kill must land while members are nominating"
            await bot.kill()
            await bot.start()
        # Each member's last reply reached the page: the last answers were handled and sent.
        await asyncio.wait_for(work, 120)
    finally:
        await bot.stop()
    check = Application(settings)
    async with check.db.read() as conn:
        handled = await conn.execute(select(inbox_table.c.external_id, inbox_table.c.status))
        # The web chat keys an event by its account and the page's id for it.
        by_id = {row.external_id.split(":", 1)[-1]: row.status for row in handled}
        names = (await conn.execute(select(nominations.c.nominee_name))).scalars().all()
        replies = (
            await conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.status != "sent")
            )
        ).scalar_one()
    await check.db.close()
    # Every acknowledged answer was recorded once and handled; every member's nomination is
    # there exactly once; no reply was left behind.
    assert all(by_id.get(message_id) == "done" for message_id in sent.ids)
    assert sorted(names) == sorted(f"Người Tốt {uid.upper()}" for uid in members)
    assert replies == 0


async def test_sigterm_stops_the_bot_before_the_process_ends(
    tmp_path: Path, database_url: str
) -> None:
    # uvicorn raises the stop signal again once it has served: the bot must have stopped by
    # then (sends in flight finished, sessions and the database closed).
    bot = BotProcess(tmp_path, database_url)
    await bot.start()
    said = await bot.stop(signal.SIGTERM)
    assert "has stopped" in said
    assert "Traceback" not in (tmp_path / "bot.log").read_text()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":  # a closed database folds its WAL back in
        assert not Path(f"{url.database}-wal").exists()
