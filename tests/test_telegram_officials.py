"""Officials on Telegram: generated files (chart, spreadsheet) are uploaded, progress edits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from handlers.types import Reply
from storage import nominations
from storage.schema import identities
from storage.units import get_unit_by_code
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers_flow import ACHIEVEMENT
from tests.support.telegram import TelegramUser, join

Invite = Callable[..., Awaitable[str]]
MakeUser = Callable[..., TelegramUser]


async def nominate_directly(app: Application, telegram_id: int, name: str) -> None:
    """A submitted nomination from this Telegram user, stored as the flow would."""
    async with app.db.write() as conn:
        reporter = (
            await conn.execute(
                select(identities.c.person_id).where(
                    identities.c.channel == "telegram",
                    identities.c.external_id == str(telegram_id),
                )
            )
        ).scalar_one()
        unit = await get_unit_by_code(conn, "X-AN-BINH")
        assert unit is not None and reporter is not None
        new = nominations.NewNomination(
            reporter_id=reporter,
            unit_id=unit.id,
            campaign_id=None,
            kind="individual",
            nominee_name=name,
            nominee_key=name.lower(),
            birth_year=None,
            place="Thôn 3",
            field="good_deed",
            achievement=ACHIEVEMENT,
            contact_phone=None,
            consent_public=True,
        )
        await nominations.create_nomination(conn, new, [], app.clock(), 2026)


async def test_chart_and_spreadsheet_are_uploaded(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    official = tg_user(7001, "Cán")
    await join(official, await tg_invite(unit="X-AN-BINH", role="official"), "Lê Văn Cán")
    await nominate_directly(tg_app, 7001, "Nguyễn Thị Mai")
    await official.send("/thongke")
    stats = await official.expect("Tổng số đề cử: 1")
    charts = [m for m in stats if m.method == "sendPhoto"]
    assert len(charts) == 3  # by status, by field, by unit
    await official.send("/xuat")
    files = await official.expect("Tệp Excel 1 đề cử")
    sheet = [m for m in files if m.method == "sendDocument"]
    assert len(sheet) == 1
    uploads = [c for c in fake_telegram.calls() if c.method in ("sendPhoto", "sendDocument")]
    assert all(c.status == 200 for c in uploads)


async def test_a_replacing_message_edits_the_earlier_one(
    tg_app: Application, tg_user: MakeUser, fake_telegram: FakeTelegram
) -> None:
    user = tg_user(7002, "Cán")
    channel = user.channel
    first = await channel.send("7002", Reply(text="Đã gửi 10/100", replace_key="bulk:1"))
    assert first is not None
    again = await channel.send(
        "7002", Reply(text="Đã gửi 60/100", replace_key="bulk:1", edit_of=first)
    )
    assert again == first
    same = await channel.send(
        "7002", Reply(text="Đã gửi 60/100", replace_key="bulk:1", edit_of=first)
    )
    assert same == first  # "message is not modified" is not a failure
    message = fake_telegram.message(7002, int(first))
    assert message is not None and message["text"] == "Đã gửi 60/100"
    assert len(fake_telegram.sent_messages(7002)) == 1
    gone = await channel.send("7002", Reply(text="Xong 100/100", edit_of="999999"))
    assert gone is not None and gone != first  # an edit that cannot be done sends anew
    assert len(fake_telegram.sent_messages(7002)) == 2
    await user.pop()  # read, as the official's phone would
