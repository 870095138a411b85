"""SIGKILL the Telegram bot while 20 members nominate: every update counts once, nothing lost."""

from __future__ import annotations

import asyncio
import random
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from storage.schema import inbox, nominations
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers_flow import ACHIEVEMENT
from tests.support.bot_process import BotProcess

MEMBERS = 20


def answers(code: str, n: int) -> list[str]:
    """A member's whole journey, typed: join, then nominate."""
    return [
        f"/start {code}",
        f"Thành Viên {n}",
        "bo qua",
        "1",
        "/decu",
        "1",
        f"Người Tốt {n}",
        "bo qua",
        "Thôn 3",
        "6",
        ACHIEVEMENT,
        "bo qua",
        "bo qua",
        "1",
        "gui",
    ]


async def member(fake: FakeTelegram, code: str, n: int, sent: list[int]) -> None:
    """Type each answer once the bot has answered the previous one, as people do."""
    chat = 7000 + n
    for text in answers(code, n):
        answered = partial(messages_past, fake, chat, len(fake.sent_messages(chat)))
        sent.append(int(fake.send_text(chat, text)["update_id"]))
        # Through kills and restarts: the update waits in Telegram's queue until recorded.
        await fake.wait_until_async(answered, 120)


def messages_past(fake: FakeTelegram, chat: int, seen: int) -> bool:
    """Whether the bot has sent this chat more than `seen` messages."""
    return len(fake.sent_messages(chat)) > seen


def replies_reach(fake: FakeTelegram, count: int) -> bool:
    """Whether Telegram has accepted `count` sendMessage calls."""
    return sum(1 for c in fake.calls("sendMessage") if c.status == 200) >= count


async def test_sigkill_while_members_nominate_on_telegram(
    tmp_path: Path, database_url: str, fake_telegram: FakeTelegram
) -> None:
    bot = BotProcess(tmp_path, database_url)
    bot.env.update(
        {
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
            "TELEGRAM_FILE_BASE_URL": fake_telegram.file_base_url,
            "TELEGRAM_RATE_PER_SECOND": "1000",
            "TELEGRAM_CHAT_RATE_PER_SECOND": "1000",
            "TELEGRAM_POLL_TIMEOUT": "5",
        }
    )
    settings = Settings(_env_file=None, database_url=bot.env["DATABASE_URL"])
    setup = Application(settings)
    await cli_ops.import_units(setup.db, cli_ops.DEMO_UNITS)
    code = (
        await cli_ops.create_invite(
            setup.db, settings, "X-AN-BINH-HPN", "member", 100, 7, setup.clock()
        )
    ).code
    await setup.db.close()
    for n in range(MEMBERS):
        fake_telegram.add_user(7000 + n, f"M{n}")
    sent: list[int] = []
    rng = random.Random(20261125)
    await bot.start()
    try:
        work = asyncio.gather(*(member(fake_telegram, code, n, sent) for n in range(MEMBERS)))
        # Kill at seeded points of the run, counted in replies Telegram accepted.
        total = MEMBERS * len(answers(code, 0))
        for threshold in sorted(rng.sample(range(total // 10, total * 9 // 10), 3)):
            reached = partial(replies_reach, fake_telegram, threshold)
            await fake_telegram.wait_until_async(reached, 120)
            assert not work.done(), "the kill must land while members are nominating"
            await bot.kill()
            await bot.start()
        await asyncio.wait_for(work, 300)  # every answer of every member was answered
    finally:
        await bot.stop()
    async with _db(settings) as check:
        assert await _all_handled(check)
    async with _db(settings) as check, check.db.read() as conn:
        rows = (
            await conn.execute(
                select(inbox.c.external_id, inbox.c.status).where(inbox.c.channel == "telegram")
            )
        ).all()
        names = (await conn.execute(select(nominations.c.nominee_name))).scalars().all()
    # Every update was recorded exactly once and handled; every nomination is there once.
    assert sorted(int(r.external_id) for r in rows) == sorted(sent)
    assert {r.status for r in rows} == {"done"}
    assert sorted(names) == sorted(f"Người Tốt {n}" for n in range(MEMBERS))


class _db:
    """A short-lived handle on the bot's database, from the test process."""

    def __init__(self, settings: Settings) -> None:
        self.app = Application(settings)

    async def __aenter__(self) -> Application:
        return self.app

    async def __aexit__(self, *exc: object) -> None:
        await self.app.db.close()


async def _all_handled(app: Application) -> bool:
    async with app.db.read() as conn:
        statuses = (await conn.execute(select(inbox.c.status))).scalars().all()
    return len(statuses) == MEMBERS * len(answers("x", 0)) and set(statuses) == {"done"}
