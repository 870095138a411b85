"""Telegram delivery: 429 honoured, 5xx retried a bounded number of times, 403 stops sending,
flood limits respected, long texts split, evidence resent by file_id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select

from bot import cli_ops
from bot.app import Application
from bot.channels.telegram_render import CAPTION_LIMIT, TEXT_LIMIT, render
from bot.delivery import BACKOFF
from bot.settings import Settings
from handlers.messages import t
from handlers.types import Attachment, Choice, Reply
from storage.db import Database
from storage.schema import identities, outbox
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FakeClock
from tests.support.telegram import TelegramUser, join, telegram_settings

Invite = Callable[..., Awaitable[str]]
MakeUser = Callable[..., TelegramUser]


async def outbox_rows(app: Application) -> list[tuple[str, int]]:
    async with app.db.read() as conn:
        rows = await conn.execute(
            select(outbox.c.status, outbox.c.attempts)
            .where(outbox.c.chat_id == "5001")
            .order_by(outbox.c.id)
        )
        return [(r.status, r.attempts) for r in rows]


async def test_429_waits_retry_after_before_the_chat_gets_anything(
    tg_app: Application,
    tg_user: MakeUser,
    tg_invite: Invite,
    fake_telegram: FakeTelegram,
    clock: FakeClock,
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)
    await hoa.send("/trogiup")
    assert await hoa.pop() == []  # held back: the flood wait is not over
    [limited] = [c for c in fake_telegram.calls("sendMessage") if c.status == 429]
    clock.advance(seconds=3)
    tg_app.delivery.kick()
    await hoa.expect("Hướng dẫn sử dụng")
    later = [c for c in fake_telegram.calls("sendMessage") if c.time > limited.time]
    assert later and all(c.status == 200 for c in later)
    assert min(c.time for c in later) >= limited.time + 2  # nothing before retry_after
    assert all(status == "sent" for status, _ in await outbox_rows(tg_app))


async def test_5xx_is_retried_with_backoff_then_given_up(
    tg_app: Application,
    tg_user: MakeUser,
    tg_invite: Invite,
    fake_telegram: FakeTelegram,
    clock: FakeClock,
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    sent_before = len(await outbox_rows(tg_app))
    attempts = len(BACKOFF) + 1
    fake_telegram.fail_next("sendMessage", 500, "Internal Server Error", count=attempts)
    await hoa.send("/cuatoi")
    assert await hoa.pop() == []
    for wait in BACKOFF:
        clock.advance(seconds=wait.total_seconds() + 1)
        tg_app.delivery.kick()
        await tg_app.settle()
    await hoa.pop()
    failed = [c for c in fake_telegram.calls("sendMessage") if c.status == 500]
    assert len(failed) == attempts  # bounded: the first try and one per backoff step
    rows = (await outbox_rows(tg_app))[sent_before:]
    assert rows[0] == ("failed", attempts)
    assert all(status == "sent" for status, _ in rows[1:])


async def test_a_later_reply_never_overtakes_one_waiting_to_retry(
    tg_app: Application,
    tg_user: MakeUser,
    tg_invite: Invite,
    fake_telegram: FakeTelegram,
    clock: FakeClock,
) -> None:
    # Replies are handed to the sender at commit without a claim; that shortcut must not
    # let a chat's later message leave before an earlier one that failed for a moment.
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    sent_before = len(await outbox_rows(tg_app))
    fake_telegram.fail_next("sendMessage", 502, "Bad Gateway")
    await hoa.send("/cuatoi")
    assert await hoa.pop() == []
    await hoa.send("/trogiup")
    assert await hoa.pop() == []  # held behind the failed one
    rows = (await outbox_rows(tg_app))[sent_before:]
    assert rows[0] == ("retrying", 1) and {status for status, _ in rows[1:]} == {"queued"}
    clock.advance(seconds=BACKOFF[0].total_seconds() + 1)
    tg_app.delivery.kick()
    await hoa.expect("Bạn chưa gửi đề cử nào", "Hướng dẫn sử dụng")
    assert all(status == "sent" for status, _ in await outbox_rows(tg_app))


async def test_stopping_hands_back_the_messages_not_yet_sent(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await hoa.pop()
    fake_telegram.set_latency(0.3)  # the first reply is still in flight at the stop
    before = len(fake_telegram.calls("sendMessage"))
    await hoa.send("/trogiup")  # two replies: help, then the menu
    await tg_app.runner.idle()
    await tg_app.stop()
    assert len(fake_telegram.calls("sendMessage")) == before + 1
    [help_text] = await hoa.pop()  # the send in flight was finished, not cut off
    assert help_text.text is not None and help_text.text.startswith("Hướng dẫn sử dụng")
    # Nothing stays claimed: the next start (any engine) sends the second reply at once.
    fresh = Database(tg_app.settings.database_url)
    async with fresh.read() as conn:
        rows = await conn.execute(
            select(outbox.c.status, outbox.c.claimed_until)
            .where(outbox.c.chat_id == "5001")
            .order_by(outbox.c.id)  # PostgreSQL returns updated rows in no fixed order
        )
        statuses = [(status, claimed) for status, claimed in rows]
    await fresh.close()
    assert statuses[-2:] == [("sent", None), ("queued", None)]


async def test_403_blocked_marks_unreachable_until_they_write_again(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    fake_telegram.block(5001)
    before = len(fake_telegram.calls("sendMessage"))
    await hoa.send("/trogiup")  # two replies: help, then the menu
    assert await hoa.pop() == []
    calls = fake_telegram.calls("sendMessage")[before:]
    assert [c.status for c in calls] == [403]  # the second reply is not even tried
    statuses = [status for status, _ in await outbox_rows(tg_app)]
    assert statuses[-2:] == ["blocked", "blocked"]
    async with tg_app.db.read() as conn:
        assert (await conn.execute(select(identities.c.unreachable_at))).scalar_one() is not None
    fake_telegram.unblock(5001)
    await hoa.send("/trogiup")
    await hoa.expect("Hướng dẫn sử dụng")
    async with tg_app.db.read() as conn:
        assert (await conn.execute(select(identities.c.unreachable_at))).scalar_one() is None


async def test_deactivated_user_is_blocked_too(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    fake_telegram.deactivate(5001)
    await hoa.send("/trogiup")
    assert await hoa.pop() == []
    assert [status for status, _ in await outbox_rows(tg_app)][-1] == "blocked"


@pytest.fixture
async def paced_app(
    settings: Settings, clock: FakeClock, fake_telegram: FakeTelegram
) -> AsyncIterator[Application]:
    """Telegram's real limits: 1 message/s per private chat after a burst of 3."""
    configured = telegram_settings(
        settings, fake_telegram, telegram_chat_rate_per_second=1.0, telegram_rate_per_second=25.0
    )
    app = Application(configured, clock=clock)
    await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def test_pacing_keeps_within_the_flood_limits(
    paced_app: Application, fake_telegram: FakeTelegram, clock: FakeClock
) -> None:
    fake_telegram.set_limits(True)
    code = (
        await cli_ops.create_invite(
            paced_app.db, paced_app.settings, "X-AN-BINH-HPN", "member", 5, 7, clock()
        )
    ).code
    hoa = TelegramUser(paced_app, fake_telegram, 5001, "Hoa")
    await join(hoa, code)
    for text in ("/trogiup", "/trogiup", "/cuatoi"):
        await hoa.send(text)
    await hoa.expect("Hướng dẫn", "Hướng dẫn", "Bạn chưa gửi đề cử nào")
    assert fake_telegram.count_429s() == 0


def test_long_texts_are_split_and_the_keyboard_sits_last() -> None:
    sentence = "Bà Lan nấu cơm cho bệnh nhân nghèo suốt nhiều năm. "
    reply = Reply(text=sentence * 200, choices=[Choice(label="Xong", token="3.done")])
    parts = render(reply)
    assert len(parts) == 3
    assert all(p.text is not None and len(p.text) <= TEXT_LIMIT for p in parts)
    assert [p.markup is not None for p in parts] == [False, False, True]
    assert "".join(p.text or "" for p in parts).replace(" ", "") == reply.text.replace(" ", "")


def test_captions_and_media_from_other_channels() -> None:
    photo = Attachment(kind="photo", file_ref="AgAC-1", channel="telegram")
    web = Attachment(kind="photo", file_ref="abc.jpg", channel="web")
    short = render(Reply(text="Ảnh minh chứng", media=[photo, web]))
    assert [(p.kind, p.file_id) for p in short] == [("photo", "AgAC-1")]
    assert short[0].text is not None and "1 tệp minh chứng không xem được" in short[0].text
    long = render(Reply(text="x" * (CAPTION_LIMIT + 1), media=[photo]))
    assert [p.kind for p in long] == ["photo", "text"] and long[0].text is None
    named = render(
        Reply(
            text="y" * 2000,
            media=[Attachment(kind="document", file_ref="BQ", channel="telegram", file_name="n")],
        )
    )
    assert named[0].text == "n"


async def answered_first(app: Application, fake: FakeTelegram, messages: int) -> int:
    """Wait for the bot's answers to Hoa's messages that made the files; how many it sent."""
    await fake.wait_until_async(lambda: len(fake.sent_messages(5001)) >= messages, 10)
    await app.settle()
    return len(fake.sent_messages(5001))


@pytest.mark.parametrize(("kind", "method"), [("photo", "sendPhoto"), ("voice", "sendVoice")])
async def test_evidence_is_resent_by_file_id_as_its_own_kind(
    tg_app: Application, fake_telegram: FakeTelegram, kind: str, method: str
) -> None:
    fake_telegram.add_user(5001, "Hoa")
    if kind == "photo":
        file_id = fake_telegram.send_photo(5001)["message"]["photo"][-1]["file_id"]  # largest
    else:
        file_id = fake_telegram.send_voice(5001)["message"]["voice"]["file_id"]
    telegram = tg_app.telegram
    assert telegram is not None
    before = await answered_first(tg_app, fake_telegram, 1)
    reply = Reply(
        text="Minh chứng của đề cử GS-2026-000001",
        media=[Attachment(kind=kind, file_ref=file_id, channel="telegram")],
        choices=[Choice(label="Duyệt", token="1.approve")],
    )
    message_id = await telegram.send("5001", reply)
    [sent] = fake_telegram.sent_messages(5001)[before:]
    assert sent.method == method and str(sent.message_id) == message_id
    assert sent.caption == reply.text
    assert sent.reply_markup is not None
    await tg_app.settle()


async def test_a_file_telegram_refuses_does_not_keep_the_card_from_arriving(
    tg_app: Application, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(5001, "Hoa")
    voice = fake_telegram.send_voice(5001)["message"]["voice"]["file_id"]
    photo = fake_telegram.send_photo(5001)["message"]["photo"][-1]["file_id"]
    telegram = tg_app.telegram
    assert telegram is not None
    before = await answered_first(tg_app, fake_telegram, 2)
    wrong = Attachment(kind="photo", file_ref=voice, channel="telegram")  # not a photo
    card = Reply(
        text="Đề cử GS-2026-000003",
        media=[wrong],
        choices=[Choice(label="Duyệt", token="1.approve")],
    )
    await telegram.send("5001", card)
    [alone] = fake_telegram.sent_messages(5001)[before:]
    assert alone.method == "sendMessage" and alone.reply_markup is not None
    assert alone.text is not None and alone.text.startswith(card.text)
    assert t("telegram.media_refused") in alone.text
    good = Attachment(kind="photo", file_ref=photo, channel="telegram")
    long_card = card.model_copy(update={"text": "Thành tích " * 200, "media": [good, wrong]})
    await telegram.send("5001", long_card)
    after = fake_telegram.sent_messages(5001)[before + 1 :]
    assert [m.method for m in after] == ["sendPhoto", "sendMessage", "sendMessage"]
    assert after[1].text == t("telegram.media_refused")
    assert after[2].reply_markup is not None
    await tg_app.settle()


def answered_chats(fake: FakeTelegram) -> list[int]:
    """Chats whose sendMessage Telegram has answered, in the order it answered."""
    return [int(c.params["chat_id"]) for c in fake.calls("sendMessage") if c.status == 200]


async def test_a_slow_chat_does_not_hold_up_another(
    tg_app: Application, tg_user: MakeUser, fake_telegram: FakeTelegram
) -> None:
    """Different chats are served at once: a reply committed while another chat's send hangs
    leaves at once (the lane claims continuously, not batch after batch)."""
    an, binh = tg_user(5001, "An"), tg_user(5002, "Bình")
    # Telegram holds An's answer until the test releases it (well past any client timeout).
    fake_telegram.hang_next("sendMessage", seconds=600)
    await an.send("/start")
    await fake_telegram.wait_until_async(lambda: len(fake_telegram.sent_messages(5001)) == 1)
    await binh.send("/start")
    # Bình's reply is sent and answered while An's is still held.
    await fake_telegram.wait_until_async(lambda: answered_chats(fake_telegram) == [5002], 30)
    fake_telegram.release_hangs()
    await binh.expect("hãy gõ mã mời")
    await an.expect("hãy gõ mã mời")
    calls = [c for c in fake_telegram.calls("sendMessage") if c.status == 200]
    assert [c.params["chat_id"] for c in calls] == [5002, 5001]  # An's answer came back last
