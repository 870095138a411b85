"""Restart safety: a draft survives a stop, recorded events survive a crash, nothing doubles."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from handlers.types import Inbound, InboundKind
from storage import inbox
from storage.schema import inbox as inbox_table
from storage.schema import nominations, outbox
from tests.helpers_flow import ACHIEVEMENT, join
from tests.support.bot_process import BotProcess
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


async def nominate_over_http(url: str, uid: str, code: str, sent: list[str]) -> None:
    """A member joins and nominates in a browser of their own; each answer's id is kept once
    the bot accepted it."""
    async with httpx.AsyncClient(base_url=url, headers={"origin": url}, timeout=5) as client:
        while True:  # the browser's session, retried across kills like the page does
            try:
                if (await client.post("/api/session", json={})).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
        await _answer_all(client, uid, code, sent)


async def _answer_all(client: httpx.AsyncClient, uid: str, code: str, sent: list[str]) -> None:
    answers = [
        f"/start {code}",
        f"Thành viên {uid}",
        "bo qua",
        "1",
        "/decu",
        "1",
        f"Người tốt {uid}",
        "bo qua",
        "Thôn 3",
        "6",
        ACHIEVEMENT,
        "bo qua",
        "bo qua",
        "co",
        "gui",
    ]
    assert len(answers) == ANSWERS
    for text in answers:
        message_id = uuid.uuid4().hex
        while True:  # retry the same id until the bot acknowledges it (as platforms do)
            try:
                response = await client.post("/api/send", json={"id": message_id, "text": text})
            except httpx.TransportError:
                await asyncio.sleep(0.05)
                continue
            if response.status_code == 200:
                sent.append(message_id)
                break
            await asyncio.sleep(0.05)


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
    sent: list[str] = []
    rng = random.Random(20261125)
    await bot.start()
    try:
        async with httpx.AsyncClient() as client:
            work = asyncio.gather(
                *(nominate_over_http(bot.url, uid, code, sent) for uid in members)
            )
            # Kill at random points of the run, measured in answers the bot acknowledged.
            total = len(members) * ANSWERS
            for threshold in sorted(rng.sample(range(total // 10, total * 9 // 10), 3)):
                # The members' tasks append to `sent`; a short poll keeps them unchanged.
                while len(sent) < threshold:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
                assert not work.done(), "the kill must land while members are nominating"
                bot.kill()
                await bot.start()
            await asyncio.wait_for(work, 120)
            for _ in range(600):  # the last replies leave after the last answer is handled
                health = (await client.get(f"{bot.url}/healthz")).json()
                if health["outbox_pending"] == 0:
                    break
                await asyncio.sleep(0.05)
    finally:
        bot.stop()
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
    assert all(by_id.get(message_id) == "done" for message_id in sent)
    assert sorted(names) == sorted(f"Người tốt {uid}" for uid in members)
    assert replies == 0
