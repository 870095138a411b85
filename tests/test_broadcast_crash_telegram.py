"""Issue 5: SIGKILL `python -m bot run` mid-broadcast over the fake Telegram, restart.

2,000 members of one unit, each with a Telegram account (1% of them have blocked the bot),
get an official's broadcast queued the way the /thongbao flow queues it (fan_out). The bot
sends it to FakeTelegram answering 5% 429 and 2% 5xx; it is killed with SIGKILL after a
random number of accepted sends and started again. Pass: every recipient's row ends sent,
blocked or failed; every "sent" recipient holds the message at the fake, no blocked one
does; a recipient got it twice only if its row was in flight (claimed, not yet marked
sent) at the kill, and there are no more duplicates than rows in flight — which the lane
bounds by its claim batch plus the group commit of sent rows.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections import Counter
from datetime import UTC, datetime, time
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bot import cli_ops
from bot.delivery import CLAIM_SECONDS, Lane
from bot.settings import Settings
from handlers.config import CoreConfig
from handlers.officials.fanout import fan_out
from storage import outbox as outbox_store
from storage.db import Database
from storage.schema import identities, memberships, outbox, people
from storage.units import get_unit_by_code
from tests.fakes.telegram_api import FakeTelegram
from tests.support.bot_process import BotProcess

RECIPIENTS = 2000
FIRST_USER = 300_000  # Telegram user ids of the members: FIRST_USER, FIRST_USER + 1, ...
OFFICIAL_USER = 299_999
BATCH = "broadcast:crash-telegram"
MARKER = "Thông báo thử nghiệm sự cố"  # only the broadcast's messages carry it
SEED = 20261125
# Sends per second: 2,000 messages in a few seconds, so the kill lands mid-broadcast.
RATE = 600
# The fake's 429 asks for a fraction of a second: Telegram's 1 s minimum times ~100
# flood waits would make this test last minutes (the bot's handling is the same).
RETRY_AFTER = 0.05


def lane_claim_batch(rate: float) -> int:
    """Rows a paced lane holds at most: Lane's default batch, cut to CLAIM_SECONDS of sends."""
    default = inspect.signature(Lane).parameters["batch"].default
    return min(int(default), max(1, int(rate * CLAIM_SECONDS)))


async def _seed(url: str, recipients: int = RECIPIENTS) -> None:
    """Units, the members and an official, and the broadcast queued as the flow does."""
    db = Database(url)
    try:
        await cli_ops.import_units(db, cli_ops.DEMO_UNITS)
        now = datetime.now(UTC)
        users = [FIRST_USER + n for n in range(recipients)]
        async with db.write() as conn:
            unit = await get_unit_by_code(conn, "X-AN-BINH-HPN")
            province = await get_unit_by_code(conn, "T-DEMO")
            assert unit is not None and province is not None
            official = (
                await conn.execute(
                    people.insert()
                    .values(full_name="Cán bộ Tỉnh", created_at=now)
                    .returning(people.c.id)
                )
            ).scalar_one()
            await conn.execute(
                memberships.insert().values(
                    person_id=official, unit_id=province.id, role="official", created_at=now
                )
            )
            first = (
                await conn.execute(
                    people.insert()
                    .values(full_name="Thành viên 0", created_at=now)
                    .returning(people.c.id)
                )
            ).scalar_one()
            await conn.execute(
                people.insert(),
                [{"full_name": f"Thành viên {n}", "created_at": now} for n in range(1, recipients)],
            )
            ids = list(range(first, first + recipients))
            await conn.execute(
                identities.insert(),
                [
                    {
                        "channel": "telegram",
                        "external_id": str(user),
                        "person_id": person,
                        "created_at": now,
                        "last_inbound_at": now,
                    }
                    for person, user in [(official, OFFICIAL_USER), *zip(ids, users, strict=True)]
                ],
            )
            await conn.execute(
                memberships.insert(),
                [
                    {"person_id": p, "unit_id": unit.id, "role": "member", "created_at": now}
                    for p in ids
                ],
            )
            # No quiet hours: the test must not depend on the hour it runs at.
            config = CoreConfig(quiet_start=time(0, 0), quiet_end=time(0, 0))
            sent = await fan_out(
                conn,
                config,
                now,
                kind="broadcast",
                batch=BATCH,
                created_by=official,
                unit=unit,
                text=MARKER,
                label=MARKER,
            )
        assert sent.total == recipients
    finally:
        await db.close()


async def _rows(url: str) -> list[tuple[int, str, bool]]:
    """Each recipient's row: user id, status, whether it is claimed."""
    db = Database(url)
    try:
        async with db.read() as conn:
            rows = await conn.execute(
                select(outbox.c.chat_id, outbox.c.status, outbox.c.claimed_until).where(
                    outbox.c.batch == BATCH
                )
            )
            return [(int(r.chat_id), r.status, r.claimed_until is not None) for r in rows]
    finally:
        await db.close()


async def _unreachable(url: str) -> set[int]:
    """Telegram accounts the bot has marked as no longer reachable."""
    db = Database(url)
    try:
        async with db.read() as conn:
            rows = await conn.execute(
                select(identities.c.external_id).where(
                    identities.c.channel == "telegram", identities.c.unreachable_at.is_not(None)
                )
            )
            return {int(r.external_id) for r in rows}
    finally:
        await db.close()


async def _wait_until_sent(fake: FakeTelegram, url: str, timeout: float) -> None:
    """Until no broadcast row waits any more: counted again after every call the fake answers
    (the bot's poll answers at least every TELEGRAM_POLL_TIMEOUT), never on a timer."""
    db = Database(url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                seen = fake.mark()
                async with db.read() as conn:
                    counts = await outbox_store.counts_by_status(conn, BATCH)
                if counts.get("queued", 0) + counts.get("retrying", 0) == 0:
                    return
                await fake.wait_until_async(partial(_called_since, fake, seen), timeout)
    finally:
        await db.close()


def _called_since(fake: FakeTelegram, seen: int) -> bool:
    return fake.mark() > seen


def _accepted(fake: FakeTelegram) -> Counter[int]:
    """Broadcast messages the fake accepted, per recipient."""
    return Counter(
        m.chat_id
        for m in fake.sent_messages()
        if m.chat_id != OFFICIAL_USER and MARKER in (m.text or "")
    )


def _accepted_calls(fake: FakeTelegram) -> int:
    """Accepted sendMessage calls so far."""
    return sum(1 for c in fake.calls("sendMessage") if c.status == 200)


def in_flight_at(rows: list[tuple[int, str, bool]]) -> set[int]:
    """Recipients whose row is claimed and not yet settled (rows as `_rows` reads them)."""
    return {u for u, status, claimed in rows if claimed and status in ("queued", "retrying")}


async def settled(
    url: str,
    fake: FakeTelegram,
    users: set[int],
    blocked: set[int],
    in_flight: set[int],
    bound: int,
) -> tuple[Counter[str], int]:
    """Check the broadcast's end after kills: every recipient's row settled, a "sent" one at
    Telegram, a blocked one not and marked unreachable, copies beyond the first only to rows
    in flight at a kill and at most `bound`. The final statuses, and the copies beyond the
    first."""
    final = await _rows(url)
    statuses = Counter(status for _, status, _ in final)
    assert len(final) == len(users) and {u for u, _, _ in final} == users
    assert set(statuses) <= {"sent", "blocked", "failed"}, statuses
    copies = _accepted(fake)
    for user, status, _ in final:
        if status == "sent":
            assert copies[user] >= 1, f"{user} marked sent but never reached Telegram"
        elif status == "blocked":
            assert user in blocked and copies[user] == 0
    assert {u for u, s, _ in final if s == "blocked"} == blocked
    assert await _unreachable(url) == blocked  # and no later message is queued to them
    duplicates = {user: n - 1 for user, n in copies.items() if n > 1}
    assert set(duplicates) <= in_flight
    extra = sum(duplicates.values())
    assert extra <= len(in_flight)
    assert extra <= bound
    return statuses, extra


async def test_sigkill_mid_telegram_broadcast_loses_nothing(
    tmp_path: Path, database_url: str, fake_telegram: FakeTelegram
) -> None:
    rng = random.Random(SEED)
    bot = BotProcess(tmp_path, database_url)
    users = [FIRST_USER + n for n in range(RECIPIENTS)]
    blocked = set(rng.sample(users, RECIPIENTS // 100))
    await _seed(bot.env["DATABASE_URL"])
    fake_telegram.add_user(OFFICIAL_USER, "Cán bộ")
    for user in users:
        fake_telegram.add_user(user, f"TV{user}")
    for user in blocked:
        fake_telegram.block(user)
    fake_telegram.set_fault_rates(rate_429=0.05, rate_5xx=0.02, seed=SEED, retry_after=RETRY_AFTER)
    bot.env.update(
        {
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
            "TELEGRAM_FILE_BASE_URL": fake_telegram.file_base_url,
            "TELEGRAM_RATE_PER_SECOND": str(RATE),
            "TELEGRAM_CHAT_RATE_PER_SECOND": "1000",
            "TELEGRAM_POLL_TIMEOUT": "5",
            "QUIET_HOURS": "00:00-00:00",
        }
    )
    kill_after = rng.randint(RECIPIENTS // 5, RECIPIENTS * 4 // 5)
    url = bot.env["DATABASE_URL"]
    started = asyncio.get_running_loop().time()

    await bot.start()
    try:
        reached = lambda: _accepted_calls(fake_telegram) >= kill_after  # noqa: E731
        await fake_telegram.wait_until_async(reached, 60)
        killed_at = _accepted_calls(fake_telegram)
        await bot.kill()
        at_kill = await _rows(url)
        in_flight = in_flight_at(at_kill)
        assert killed_at >= kill_after, "the bot did not reach the kill point"
        assert any(s in ("queued", "retrying") for _, s, _ in at_kill), "killed too late"

        await bot.start()
        # 5xx backoff is the product's (2 s, then 15 s; a third 5xx in a row waits 2 min).
        await _wait_until_sent(fake_telegram, url, 180)
    finally:
        await bot.stop()
    elapsed = asyncio.get_running_loop().time() - started

    # A recipient gets a second copy only if Telegram accepted a send whose row was not yet
    # committed as sent: a response still on its way (at most one per pooled connection,
    # the lane's send concurrency) or a row waiting for the group commit of sent rows, which
    # only rows from the lane's hand (at most its claim batch) reach between two commits.
    bound = lane_claim_batch(RATE) + Settings(_env_file=None).telegram_connection_pool
    statuses, extra = await settled(url, fake_telegram, set(users), blocked, in_flight, bound)
    print(
        f"killed after {killed_at} accepted sends (aimed {kill_after}), {len(in_flight)} in "
        f"flight, {extra} duplicates, bound {bound}, final {dict(statuses)}, "
        f"429s {fake_telegram.count_429s()}, {elapsed:.1f} s"
    )
