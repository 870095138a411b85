"""Text from platforms that SQLite stores and PostgreSQL refuses never breaks a step."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Application
from storage.schema import nominations
from tests.helpers_flow import ACHIEVEMENT
from tests.support.people import Invite, MakeChat, person


async def test_a_nul_character_in_what_a_member_types_is_dropped(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    answers = ["/decu", "1", "Nguyễn Thị\x00 Lan", "bo qua", "Thôn 3", "6", ACHIEVEMENT]
    for answer in [*answers, "bo qua", "bo qua", "1"]:
        await hoa.send(answer)
        await hoa.pop()
    await hoa.press("Gửi")
    await hoa.expect("GS-")
    async with app.db.read() as conn:
        stored = (await conn.execute(select(nominations.c.nominee_name))).scalar_one()
    assert stored == "Nguyễn Thị Lan"
