"""Issue 13: three instances (`python -m bot run`, real processes) on one PostgreSQL, two of
them SIGKILLed while members nominate through all three and a broadcast goes out.

Members join and nominate over the web chat's HTTP API, each answer sent to the next
instance in turn (a load balancer without sticky sessions; one that is down is skipped). The
broadcast is queued as /thongbao queues it and sent to the fake Bot API (5 % 429s, 2 % 5xx)
by whichever instance holds the Telegram send lease. The first kill hits that sender at a
random point of the broadcast; the second a random survivor at a random point of the
answers. Pass: every acknowledged answer was handled exactly once, each member's in the order
sent; every member's nomination is stored once, under codes that are unique and without a
gap; every recipient's row ends sent, blocked or failed, a "sent" one reached Telegram, and
copies beyond the first only went to rows in flight at the kill, within the lane's bound.

SQLite serves one process: there the one instance is killed twice and restarted each time.
The size is small here; `GS_CRASH_RECIPIENTS=2000 GS_CRASH_MEMBERS=30` gives the full run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot import cli_ops
from bot.settings import Settings
from storage.db import Database
from storage.schema import identities, inbox, nominations
from storage.schema import outbox as outbox_table
from tests.fakes.telegram_api import FakeTelegram
from tests.support.bot_process import Acknowledged, BotProcess
from tests.test_broadcast_crash_telegram import (
    FIRST_USER,
    OFFICIAL_USER,
    RETRY_AFTER,
    _accepted_calls,
    _rows,
    _seed,
    _wait_until_sent,
    in_flight_at,
    lane_claim_batch,
    settled,
)
from tests.test_restart import nomination_answers

RECIPIENTS = int(os.environ.get("GS_CRASH_RECIPIENTS", "400"))
MEMBERS = int(os.environ.get("GS_CRASH_MEMBERS", "9"))
RATE = 100  # sends per second: the broadcast lasts a few seconds, the kill lands inside it
LEASE = 2  # INSTANCE_LEASE_SECONDS: a dead sender's role passes on after it
SEED = 20261205
RECEIPT = "Đã gửi đề cử"


class Balancer:
    """Spreads one browser's requests over the instances that are up, in turn."""

    def __init__(self, bots: list[BotProcess], turn: int) -> None:
        self.bots = bots
        self.turn = turn

    async def call(
        self, client: httpx.AsyncClient, method: str, path: str, **options: Any
    ) -> httpx.Response:
        """The request on the next instance up; on one killed under it, again on the next."""
        while True:
            live = [b for b in self.bots if b.up.is_set()]
            if not live:  # the one instance (SQLite) is being restarted
                await self.bots[0].up.wait()
                continue
            bot = live[self.turn % len(live)]
            self.turn += 1
            try:
                return await client.request(method, bot.url + path, **options)
            except httpx.TransportError:
                continue


async def nominate(
    bots: list[BotProcess],
    n: int,
    code: str,
    origin: str,
    acked: dict[str, list[str]],
    sent: Acknowledged,
    pause: tuple[int, asyncio.Event],
) -> None:
    """One member's browser: join and nominate, each answer's id kept once acknowledged (the
    member waits at answer `pause[0]` until the first kill), then wait for the receipt."""
    uid = f"m{n}"
    balancer = Balancer(bots, n)
    async with httpx.AsyncClient(headers={"origin": origin}, timeout=60) as client:
        response = await balancer.call(client, "POST", "/api/session", json={})
        assert response.status_code == 200, response.text
        for step, text in enumerate(nomination_answers(uid, code)):
            if step == pause[0]:
                await pause[1].wait()
            message_id = uuid.uuid4().hex  # the same id until acknowledged, as platforms retry
            response = await balancer.call(
                client, "POST", "/api/send", json={"id": message_id, "text": text}
            )
            assert response.status_code == 200, response.text
            acked[uid].append(message_id)
            await sent.add(message_id)
        after = 0
        while True:
            got = await balancer.call(
                client, "GET", "/api/messages", params={"after": after, "wait": 25}
            )
            assert got.status_code == 200, got.text
            messages = got.json()["messages"]
            if any(RECEIPT in (m["text"] or "") for m in messages):
                return
            after = messages[-1]["id"] if messages else after


async def holder(bots: list[BotProcess], lease: str) -> BotProcess | None:
    """The instance up that holds a lease, as its /healthz tells this machine."""
    async with httpx.AsyncClient(timeout=10) as client:
        for bot in bots:
            if bot.up.is_set():
                health = (await client.get(bot.url + "/healthz")).json()
                if lease in health["leases"]:
                    return bot
    return None


async def _invite(url: str) -> str:
    db = Database(url)
    try:
        settings = Settings(_env_file=None, database_url=url)
        made = await cli_ops.create_invite(
            db, settings, "X-AN-BINH-HPN", "member", 1000, 7, datetime.now(UTC)
        )
        return made.code
    finally:
        await db.close()


async def test_three_instances_two_killed_lose_and_double_nothing(
    tmp_path: Path, database_url: str, fake_telegram: FakeTelegram
) -> None:
    rng = random.Random(SEED)
    one = database_url.startswith("sqlite")
    users = [FIRST_USER + n for n in range(RECIPIENTS)]
    blocked = set(rng.sample(users, max(1, RECIPIENTS // 100)))
    fake_telegram.add_user(OFFICIAL_USER, "Cán bộ")
    for user in users:
        fake_telegram.add_user(user, f"TV{user}")
    for user in blocked:
        fake_telegram.block(user)
    fake_telegram.set_fault_rates(rate_429=0.05, rate_5xx=0.02, seed=SEED, retry_after=RETRY_AFTER)
    bots = []
    for n in range(1 if one else 3):
        folder = tmp_path / f"instance-{n}"
        folder.mkdir()
        bots.append(BotProcess(folder, database_url))
    origin = bots[0].url  # PUBLIC_BASE_URL: one address for all, as behind a proxy
    for bot in bots:
        bot.env.update(
            {
                "MEDIA_DIR": str(tmp_path / "media"),  # shared
                "SECRET_KEY": "crash-test-key-shared-by-every-instance-0123",
                "PUBLIC_BASE_URL": origin,
                "INSTANCE_LEASE_SECONDS": str(LEASE),
                "TELEGRAM_BOT_TOKEN": fake_telegram.token,
                "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
                "TELEGRAM_FILE_BASE_URL": fake_telegram.file_base_url,
                "TELEGRAM_RATE_PER_SECOND": str(RATE),
                "TELEGRAM_CHAT_RATE_PER_SECOND": "1000",
                "TELEGRAM_POLL_TIMEOUT": "5",
                "QUIET_HOURS": "00:00-00:00",
            }
        )
    acked: dict[str, list[str]] = {f"m{n}": [] for n in range(MEMBERS)}
    sent = Acknowledged()
    first_kill = asyncio.Event()
    answers = len(nomination_answers("m0", "code"))
    pauses = [rng.randint(3, answers - 3) for _ in range(MEMBERS)]
    kill_after = rng.randint(RECIPIENTS // 5, RECIPIENTS * 3 // 5)
    flying: set[int] = set()
    kills = 0

    async def kill(victim: BotProcess) -> int:
        """SIGKILL it (on SQLite start it again); how many broadcast rows still wait."""
        nonlocal kills
        await victim.kill()
        kills += 1
        rows = await _rows(database_url)
        flying.update(in_flight_at(rows))
        waiting = sum(1 for _, status, _ in rows if status in ("queued", "retrying"))
        if one:
            await victim.start()
        return waiting

    work: asyncio.Future[list[None]] | None = None
    for bot in bots:
        await bot.start()
    try:
        # Queued once every instance runs, so that the broadcast is still going at the kill.
        await _seed(database_url, RECIPIENTS)
        code = await _invite(database_url)
        work = asyncio.gather(
            *(
                nominate(bots, n, code, origin, acked, sent, (pauses[n], first_kill))
                for n in range(MEMBERS)
            )
        )
        # The first kill: the Telegram sender, at a random point of the broadcast.
        reached = lambda: _accepted_calls(fake_telegram) >= kill_after  # noqa: E731
        await fake_telegram.wait_until_async(reached, 120)
        sender = await holder(bots, "send:telegram")
        assert sender is not None
        assert await kill(sender), "the broadcast was over: killed too late"
        first_kill.set()
        # The second: another instance at a random point of the members' answers.
        await sent.reach(rng.randint(len(sent.ids) + 1, MEMBERS * answers - 1))
        assert not work.done(), "the kill must land while members are nominating"
        await kill(rng.choice([b for b in bots if b.up.is_set()]))
        await asyncio.wait_for(work, 300)
        await _wait_until_sent(fake_telegram, database_url, 300)
    finally:
        if work is not None and not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
        for bot in bots:
            await bot.stop()

    db = Database(database_url)
    try:
        async with db.read() as conn:
            events = (
                await conn.execute(
                    select(inbox.c.external_id, inbox.c.status, inbox.c.handled_at).order_by(
                        inbox.c.id
                    )
                )
            ).all()
            codes = (await conn.execute(select(nominations.c.code))).scalars().all()
            names = (await conn.execute(select(nominations.c.nominee_name))).scalars().all()
            replies_left = (
                await conn.execute(
                    select(outbox_table.c.id).where(
                        outbox_table.c.channel == "web", outbox_table.c.status != "sent"
                    )
                )
            ).all()
            member_accounts = (
                await conn.execute(select(identities.c.id).where(identities.c.channel == "web"))
            ).all()
    finally:
        await db.close()
    # Every acknowledged answer recorded once and handled once, each member's in order.
    by_id = {e.external_id.split(":", 1)[-1]: e for e in events}
    assert len(by_id) == len(events)
    for uid, ids in acked.items():
        assert len(ids) == answers, uid
        handled = [by_id[i] for i in ids]
        assert [e.status for e in handled] == ["done"] * answers, uid
        times = [e.handled_at for e in handled]
        assert times == sorted(times), f"{uid}'s answers were handled out of order"
    # Names are stored capitalised word by word (handlers/text.py).
    assert sorted(names) == sorted(f"Người Tốt M{n}" for n in range(MEMBERS))
    # Codes unique and without a gap: the counter is taken in the step's transaction, so a
    # step cut off by a kill gives its number back.
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, MEMBERS + 1))
    assert not replies_left and len(member_accounts) >= MEMBERS
    # The broadcast: nobody lost, duplicates only where a row was in flight at a kill.
    pool = Settings(_env_file=None).telegram_connection_pool
    bound = kills * (lane_claim_batch(RATE) + pool)
    statuses, extra = await settled(database_url, fake_telegram, set(users), blocked, flying, bound)
    print(
        f"{len(bots)} instances, {kills} kills (first after {kill_after} accepted sends), "
        f"{MEMBERS} members x {answers} answers, {len(flying)} rows in flight at the kills, "
        f"{extra} duplicates, final {dict(statuses)}, codes {numbers[0]}..{numbers[-1]}"
    )
