"""The Zalo Bot channel: long polling, webhook mode with its secret header, sending, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.app import Application
from bot.settings import Settings
from handlers.types import Reply
from tests.contract.drivers import ZaloBotDriver, new_user
from tests.contract.test_conversation import join_typed
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.clock import FakeClock
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import identity, inbox_payloads, outbox_rows, queue_message

SECRET = "webhook-secret-123"
PUBLIC_URL = "https://bot.example.vn/zalo/bot/webhook"


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def webhook_mode() -> bool:
    return False


@pytest.fixture
def settings(
    settings: Settings, fake_oa: FakeZaloOA, fake_bot: FakeZaloBot, webhook_mode: bool
) -> Settings:
    extra: dict[str, Any] = {}
    if webhook_mode:
        extra = {"zalo_bot_webhook_secret": SecretStr(SECRET), "zalo_bot_webhook_url": PUBLIC_URL}
    return with_zalo(settings, None, fake_bot, **extra)


async def test_polling_translates_text_images_and_stickers(
    app: Application, fake_bot: FakeZaloBot, invite: Callable[..., Awaitable[str]]
) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    await join_typed(person, await invite(), "Lê Văn Nam")
    await person.recorded(fake_bot.send_sticker(person.user))
    await person.expect("chưa đọc được loại tin nhắn này", "1. Đề cử")
    await person.send_image()
    await person.expect("1. Đề cử")
    got = await inbox_payloads(app, "zalo_bot")
    # The first one, the invite code, was stripped as soon as it was read (issue 12).
    assert got[0] == {"redacted": True}
    # The platform's display name has no purpose here: it is not stored (issue 12).
    assert "sender_name" not in got[1] and "Người thử" not in str(got)
    assert [p["kind"] for p in got[-2:]] == ["unsupported", "media"]
    assert got[-1]["attachments"][0]["file_ref"].startswith("https://")
    assert {p["sender_id"] for p in got if not p.get("redacted")} == {person.user}
    assert fake_bot.calls("setWebhook") == []
    await person.assert_no_unread()


async def test_polling_applies_a_repeated_update_once(
    app: Application, fake_bot: FakeZaloBot
) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    update = fake_bot.send_text(person.user, "xin chào")
    await person.recorded(update)
    # getUpdates has no offset (A.11): should Zalo hand the same update out again, the
    # inbox's unique message id drops it
    with fake_bot._lock:
        fake_bot._queue.append(update)
        fake_bot._changes.notify()  # a poll already parked takes it (else it waits its timeout)
    channel = app.zalo_bot
    assert channel is not None
    await fake_bot.wait_for_async(lambda: channel.metrics["duplicate"] == 1)
    await person.expect("hãy gõ mã mời")
    assert len(await inbox_payloads(app, "zalo_bot")) == 1
    await person.assert_no_unread()


async def test_polling_survives_a_failed_poll(app: Application, fake_bot: FakeZaloBot) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    fake_bot.fail_next("getUpdates", status=502)
    await person.send("xin chào")  # takes the poll that was parked; the next one fails
    await person.expect("hãy gõ mã mời")
    await person.send("chào lần nữa")  # answered once the loop has backed off and polled again
    await person.expect("hãy gõ mã mời")
    assert 502 in [c.status for c in fake_bot.calls("getUpdates")]


async def test_long_texts_are_split(app: Application, fake_bot: FakeZaloBot) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    await person.send("xin chào")
    await person.expect("hãy gõ mã mời")
    text = ("Một câu khá dài để thử cắt tin nhắn đúng chỗ. " * 100).strip()
    await queue_message(app, "zalo_bot", person.user, Reply(text=text))
    pieces = await person.pop()
    assert len(pieces) == 3 and all(len(p) <= 2000 for p in pieces)
    assert " ".join(pieces) == text


@pytest.mark.parametrize(
    ("fault", "status", "attempts", "unreachable"),
    [
        ("block", "blocked", 1, True),
        ("invalid", "unreachable", 1, True),
        ("server", "retrying", 1, False),
        ("rate", "retrying", 0, False),
        ("bad", "failed", 1, False),
    ],
)
async def test_send_errors_are_mapped(
    app: Application,
    fake_bot: FakeZaloBot,
    fault: str,
    status: str,
    attempts: int,
    unreachable: bool,
) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    await person.send("xin chào")
    await person.expect("hãy gõ mã mời")
    if fault == "block":
        fake_bot.block_chat(person.user)
    elif fault == "invalid":
        fake_bot.invalidate_chat(person.user)
    elif fault == "server":
        fake_bot.fail_next("sendMessage", status=500)
    elif fault == "rate":
        fake_bot.fail_next("sendMessage", error_code=429, description="Too Many Requests")
    else:
        fake_bot.fail_next("sendMessage", error_code=400, description="Bad Request: text")
    await queue_message(app, "zalo_bot", person.user, Reply(text="Thông báo"))
    await app.settle()
    row = (await outbox_rows(app, "zalo_bot"))[-1]
    assert (row.status, row.attempts) == (status, attempts)
    assert (
        (await identity(app, "zalo_bot", person.user)).unreachable_at is not None
    ) is unreachable


@pytest.mark.parametrize("webhook_mode", [True])
async def test_webhook_mode_checks_the_secret_and_dedupes(
    app: Application, fake_bot: FakeZaloBot, served: str, webhook_mode: bool
) -> None:
    assert fake_bot.webhook == (PUBLIC_URL, SECRET)  # registered at start
    url = served + "/zalo/bot/webhook"
    fake_bot.set_webhook(url, SECRET)
    user = new_user()
    update = fake_bot.send_text(user, "xin chào")  # delivered by the fake in the background
    person = ZaloBotDriver(app, fake_bot, user)
    await person.recorded(update)
    replays = [await fake_bot.deliver_async(update, url=url) for _ in range(2)]
    wrong = await fake_bot.deliver_async(update, url=url, secret_token="not-the-secret")
    async with httpx.AsyncClient() as client:
        missing = await client.post(url, json={"ok": True, "result": update})
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient() as client:
        broken = await client.post(url, content=b"{oops", headers=headers)
        odd = await client.post(url, json={"ok": True, "result": {"message": 5}}, headers=headers)
    assert (broken.status_code, odd.status_code) == (400, 200)
    assert [r.status_code for r in replays] == [200, 200]
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert app.zalo_bot is not None
    assert dict(app.zalo_bot.metrics) == {
        "accepted": 1,
        "duplicate": 2,
        "bad_secret": 2,
        "unreadable": 1,
        "ignored": 1,
    }
    assert len(await inbox_payloads(app, "zalo_bot")) == 1
    await person.expect("hãy gõ mã mời")
    assert fake_bot.calls("getUpdates") == []  # no polling in webhook mode
    await person.assert_no_unread()


async def test_a_display_name_longer_than_its_column_is_cut_not_fatal(
    app: Application, fake_bot: FakeZaloBot, invite: Callable[..., Awaitable[str]]
) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    long_name = "Nguyễn Thị Thanh Hương " * 20  # Zalo sends names this long
    code = await invite()
    await person.recorded(fake_bot.send_text(person.user, f"/start {code}", display_name=long_name))
    await person.expect("Mã mời hợp lệ")
    stored = await identity(app, "zalo_bot", person.user)
    # Not fatal, and not kept: an app's display name has no purpose here (issue 12).
    assert stored.display_name is None


async def test_phone_numbers_are_sent_with_no_break_spaces(
    app: Application, fake_bot: FakeZaloBot
) -> None:
    person = ZaloBotDriver(app, fake_bot, new_user())
    await person.send("xin chào")
    await person.expect("hãy gõ mã mời")
    await queue_message(app, "zalo_bot", person.user, Reply(text="Gọi 0905 111 222 nhé."))
    await app.settle()
    # Zalo wraps where it likes: a no-break space keeps the number on one line.
    assert fake_bot.sent_messages(person.user)[-1].text == "Gọi 0905\u00a0111\u00a0222 nhé."
