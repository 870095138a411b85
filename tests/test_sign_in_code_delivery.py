"""A sign-in code shown on a chat app is recorded as sent and stripped from the outbox at once.

The lane writes what it sent in one transaction: the row marked sent and, for a message that
showed a code, its text replaced. That transaction once ran as a single statement while it
held two: it failed, the row stayed claimed and not sent, the code stayed in the database and
the message would have been sent again once its claim lapsed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from handlers.messages import t
from storage.schema import outbox
from tests.fakes.telegram_api import FakeTelegram
from tests.support.telegram import TelegramUser, join

CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")
LINK = "Liên kết ứng dụng khác / đăng nhập web"


async def test_the_code_is_sent_once_and_then_removed(
    tg_app: Application,
    tg_user: Callable[..., TelegramUser],
    tg_invite: Callable[..., Awaitable[str]],
    fake_telegram: FakeTelegram,
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await hoa.send("/taikhoan")
    await hoa.expect("Tài khoản của")
    await hoa.press(LINK)
    messages = await hoa.expect("Mã đăng nhập của bạn")
    code = CODE.search(messages[-1].text or "")
    assert code is not None, messages[-1].text
    await tg_app.settle()

    async with tg_app.db.read() as conn:
        rows = (await conn.execute(select(outbox).where(outbox.c.chat_id == "5001"))).all()
    assert rows and all(row.status == "sent" for row in rows), [r.status for r in rows]
    assert not [row for row in rows if code.group(1) in str(row.payload)]
    assert [row.payload for row in rows if row.payload.get("redacted")] == [
        {"text": t("privacy.code_removed"), "redacted": True}
    ]
    sent = [c for c in fake_telegram.calls("sendMessage") if code.group(1) in str(c.params)]
    assert len(sent) == 1
