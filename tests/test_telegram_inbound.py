"""Telegram's inbound kinds: stale presses, albums, stickers, locations, groups, blocking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from handlers.types import Inbound
from storage.schema import identities, inbox
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers_flow import ACHIEVEMENT
from tests.support.telegram import TelegramUser, buttons_of, join

Invite = Callable[..., Awaitable[str]]
MakeUser = Callable[..., TelegramUser]


async def until_evidence(user: TelegramUser) -> None:
    """Start a nomination and answer up to the evidence step, typed."""
    await user.send("/decu")
    await user.expect("Bạn đề cử ai?")
    for answer, next_question in (
        ("1", "Họ và tên"),
        ("Nguyễn Thị Lan", "Năm sinh"),
        ("bo qua", "Nơi sinh sống"),
        ("Thôn 3", "Lĩnh vực"),
        ("6", "Hãy kể thành tích"),
        (ACHIEVEMENT, "Gửi minh chứng"),
    ):
        await user.send(answer)
        await user.expect(next_question)


async def test_stale_press_is_answered_politely(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await hoa.send("/decu")
    [_, first_menu] = await hoa.expect("Bạn đề cử ai?")
    old_token = buttons_of(first_menu)[0]["callback_data"]
    await hoa.press("Tập thể")
    await hoa.expect("Tên tập thể")
    update = await hoa.press_data(first_menu.message_id, old_token)
    await hoa.expect("Nút này đã cũ")
    query_id = update["callback_query"]["id"]
    answered = [
        c
        for c in fake_telegram.calls("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id
    ]
    assert [c.status for c in answered] == [200]
    forged = await hoa.press_data(first_menu.message_id, "999.admin")
    await hoa.expect("Nút này đã cũ")
    assert any(
        c.params.get("callback_query_id") == forged["callback_query"]["id"]
        for c in fake_telegram.calls("answerCallbackQuery")
    )


async def test_album_counts_its_parts_and_answers_once(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await until_evidence(hoa)
    parts = [fake_telegram.send_photo(5001, media_group_id="album-1") for _ in range(3)]
    parts.append(fake_telegram.send_video(5001, media_group_id="album-1"))
    for part in parts:
        await hoa.taken(part)
    await hoa.expect("Đã nhận 4/10 tệp")  # one answer for the whole album
    await hoa.send("/quaylai")
    await hoa.expect("Hãy kể thành tích")
    async with tg_app.db.read() as conn:
        recorded = (
            (await conn.execute(select(inbox.c.external_id).where(inbox.c.channel == "telegram")))
            .scalars()
            .all()
        )
    assert {str(p["update_id"]) for p in parts} <= set(recorded)


async def test_sticker_location_and_voice(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await hoa.taken(fake_telegram.send_sticker(5001))
    await hoa.expect("chưa đọc được loại tin nhắn này")
    await until_evidence(hoa)
    await hoa.taken(fake_telegram.send_sticker(5001))
    await hoa.expect("chưa đọc được loại tin nhắn này", "Gửi minh chứng")
    await hoa.taken(fake_telegram.send_voice(5001))
    await hoa.expect("Đã nhận 1/10 tệp")
    await hoa.taken(fake_telegram.send_location(5001, 21.03, 105.85))
    await hoa.expect("Ở bước này hãy gửi ảnh")
    # The account's Telegram name has no purpose here: no event stores it (issue 12).
    async with tg_app.db.read() as conn:
        payloads = [r[0] for r in await conn.execute(select(inbox.c.payload))]
    assert payloads and not any("sender_name" in p for p in payloads)


async def test_group_commands_move_to_a_private_chat(
    tg_app: Application, tg_user: MakeUser, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(5010, "Bình")
    fake_telegram.add_group(-100555, "Chi đoàn thôn 3")
    telegram = tg_app.telegram
    assert telegram is not None
    for text in ("/decu@guong_sang_bot", "xin chào cả nhóm", "/help@other_bot", "/trogiup"):
        await telegram.wait_taken(fake_telegram.send_group_text(-100555, 5010, text)["update_id"])
    await tg_app.settle()
    answers = [m.text for m in fake_telegram.sent_messages(-100555)]
    assert len(answers) == 2
    assert all(a and "https://t.me/guong_sang_bot" in a for a in answers)
    async with tg_app.db.read() as conn:
        assert (await conn.execute(select(inbox))).all() == []  # a group is not a conversation


async def test_blocking_and_unblocking(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await hoa.taken(fake_telegram.my_chat_member(5001, "blocked"))
    await hoa.pop()
    async with tg_app.db.read() as conn:
        unreachable = (await conn.execute(select(identities.c.unreachable_at))).scalar_one()
    assert unreachable is not None
    await hoa.taken(fake_telegram.my_chat_member(5001, "unblocked"))
    await hoa.expect("Xin chào Trần Thị Hoa")
    async with tg_app.db.read() as conn:
        unreachable = (await conn.execute(select(identities.c.unreachable_at))).scalar_one()
    assert unreachable is None


def test_an_event_recorded_with_a_display_name_by_the_previous_version_still_reads() -> None:
    stored = {
        "channel": "telegram",
        "external_id": "41",
        "sender_id": "5001",
        "chat_id": "5001",
        "sender_name": "Hoa",
        "kind": "text",
        "text": "/decu",
        "received_at": "2026-12-01T02:00:00Z",
    }
    event = Inbound.model_validate(stored)
    assert event.text == "/decu" and "Hoa" not in event.model_dump_json()
