"""Tests for the fake Bot API, driven through python-telegram-bot's real ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from tests.fakes.telegram_api import POLL_CONFLICT, WEBHOOK_CONFLICT, FakeTelegram
from tests.fakes.telegram_types import RecordedCall

USER = 5001
OTHER = 5002


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22.2+ warns (an error under -W error) when RetryAfter.retry_after & co. are read as
    # int; opting in to timedelta values avoids the deprecation path.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.add_user(USER, "An", username="an_nguyen")
        server.add_user(OTHER, "Bình")
        yield server
    assert server.server_errors() == []


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.file_base_url)


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as client:
        yield client


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Chọn", callback_data=data)]])


# -- basics ----------------------------------------------------------------------------------
async def test_get_me(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "guong_sang_bot"
    assert me.is_bot
    assert fake.calls("getMe")[-1].status == 200


async def test_unknown_token_and_method_envelopes(fake: FakeTelegram) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        bad = await client.post(f"{fake.base_url}999:nope/getMe")
        missing = await client.post(f"{fake.base_url}{fake.token}/noSuchMethod")
        as_json = await client.post(
            f"{fake.base_url}{fake.token}/sendMessage", json={"chat_id": USER, "text": "json"}
        )
    assert (bad.status_code, bad.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert (missing.status_code, missing.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert as_json.json()["result"]["text"] == "json"
    with pytest.raises(InvalidToken):
        async with make_bot(fake, "999:nope"):
            pass


# -- getUpdates ------------------------------------------------------------------------------
async def test_get_updates_offset_confirms(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.send_text(USER, "/start ref42")
    fake.send_text(USER, "xin chào")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first["update_id"], first["update_id"] + 1]
    message = updates[0].message
    assert message is not None and message.text == "/start ref42"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in updates]
    rest = await bot.get_updates(offset=updates[0].update_id + 1)
    assert [u.update_id for u in rest] == [updates[1].update_id]
    assert await bot.get_updates(offset=updates[1].update_id + 1) == ()
    assert fake.pending_updates() == []
    for text in ("a", "b", "c"):
        fake.send_text(USER, text)
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["c"]
    assert len(await bot.get_updates(limit=5)) == 1


async def test_long_poll_wakes_on_injection(fake: FakeTelegram, bot: Bot) -> None:
    # A poll that would wait ten minutes answers as soon as an update is injected.
    poll = asyncio.create_task(bot.get_updates(timeout=600))
    await fake.wait_until_async(lambda: fake.parked_polls == 1)
    fake.send_text(USER, "dậy đi")
    updates = await asyncio.wait_for(poll, 60)
    assert updates[0].message is not None and updates[0].message.text == "dậy đi"


async def test_long_poll_times_out_empty(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=1))
    await fake.wait_until_async(lambda: fake.parked_polls == 1)  # it waits, then gives up
    assert await poll == ()
    assert fake.parked_polls == 0


async def test_second_poller_conflicts_first(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_until_async(lambda: fake.parked_polls == 1)
    async with make_bot(fake) as second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict) as err:
        await first
    assert err.value.message == POLL_CONFLICT
    [superseded] = [c for c in fake.calls("getUpdates") if c.status == 409]
    assert superseded.response == {
        "ok": False,
        "error_code": 409,
        "description": POLL_CONFLICT,
    }


# -- sending ---------------------------------------------------------------------------------
async def test_send_message_keyboard_and_validation(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "Bạn chọn gì?", reply_markup=keyboard("vote:1"))
    assert msg.message_id == 1 and msg.chat.id == USER
    assert msg.from_user is not None and msg.from_user.is_bot
    assert msg.reply_markup is not None
    assert msg.reply_markup.inline_keyboard[0][0].callback_data == "vote:1"
    again = await bot.send_message(USER, "Thứ hai")
    assert again.message_id == 2
    sent = fake.sent_messages(USER)
    assert [m.text for m in sent] == ["Bạn chọn gì?", "Thứ hai"]
    assert sent[0].reply_markup == keyboard("vote:1").to_dict()
    # 64 *bytes*: 21 x "ệ" (3 bytes each) = 63 bytes passes, 22 x = 66 bytes fails
    await bot.send_message(USER, "ok", reply_markup=keyboard("ệ" * 21))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "no", reply_markup=keyboard("ệ" * 22))
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    await bot.send_message(USER, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(987654, "ai đó")
    assert fake.calls("sendMessage")[-1].response["description"] == "Bad Request: chat not found"


async def test_parse_modes(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "<b>Gương</b> sáng &amp; đẹp", parse_mode="HTML")
    assert msg.text == "Gương sáng & đẹp"
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [("bold", 0, 5)]
    md = await bot.send_message(USER, "*Chào* bạn\\!", parse_mode="MarkdownV2")
    assert md.text == "Chào bạn!"
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "Chào bạn!", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER, "<div>x</div>", parse_mode="HTML")


async def test_edit_delete_and_callback(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "Câu hỏi", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Câu hỏi", USER, msg.message_id, reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("Đã trả lời", USER, msg.message_id)
    assert isinstance(edited, type(msg)) and edited.text == "Đã trả lời"
    assert edited.reply_markup is None  # editMessageText without reply_markup drops it
    await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=keyboard("b"))
    [record] = fake.sent_messages(USER)
    assert record.edited and record.text == "Đã trả lời" and record.params["text"] == "Câu hỏi"

    update = fake.press_button(USER, msg.message_id, "b")
    query = Update.de_json(update, bot).callback_query
    assert query is not None and query.data == "b" and query.message is not None
    assert await bot.answer_callback_query(query.id, text="Đã ghi nhận")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    late = fake.press_button(USER, msg.message_id, "b")["callback_query"]["id"]
    fake.advance_time(16)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(late)

    assert await bot.delete_message(USER, msg.message_id)
    assert fake.sent_messages(USER)[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, msg.message_id)


async def test_blocked_and_deactivated_are_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    fake.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello")
    assert fake.calls("sendMessage")[-1].response == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    fake.deactivate(OTHER)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_chat_action(OTHER, "typing")
    fake.my_chat_member(USER, "unblocked")
    await bot.send_message(USER, "welcome back")
    fake.add_user(5003, "Chưa bấm Start", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(5003, "hi")


async def test_retry_after_from_fail_next(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(USER, "spam")
    assert err.value.retry_after == dtm.timedelta(seconds=7)
    assert fake.calls("sendMessage")[-1].response["parameters"] == {"retry_after": 7}
    assert fake.count_429s() == 1
    await bot.send_message(USER, "later")
    assert [m.text for m in fake.sent_messages()] == ["later"]


async def test_flood_limits(fake: FakeTelegram, bot: Bot) -> None:
    fake.set_limits(True)
    for i in range(3):  # burst tolerated
        await bot.send_message(USER, f"burst {i}")
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(USER, "too fast")
    assert err.value.retry_after == dtm.timedelta(seconds=1)
    assert fake.calls("sendMessage")[-1].response["description"] == (
        "Too Many Requests: retry after 1"
    )
    fake.advance_time(1.0)
    await bot.send_message(USER, "after a second")

    fake.add_group(-100777, "Chi đoàn")
    for i in range(20):
        fake.advance_time(0.05)  # keep the overall 30/s limit out of the way
        await bot.send_message(-100777, f"group {i}")
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(-100777, "21st in a minute")
    assert isinstance(err.value.retry_after, dtm.timedelta)
    assert err.value.retry_after.total_seconds() > 50

    fake.advance_time(60)
    users = range(6000, 6011)
    for uid in users:
        fake.add_user(uid, f"U{uid}")
    outcomes = []
    for uid in users:
        for _ in range(3):
            try:
                await bot.send_message(uid, "broadcast")
                outcomes.append("ok")
            except RetryAfter:
                outcomes.append("429")
    assert outcomes.count("ok") == 30 and outcomes[-3:] == ["429"] * 3
    assert fake.count_429s() == 5


# -- files -----------------------------------------------------------------------------------
async def test_get_file_and_download(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_file("BQAC-test", b"noi dung", file_unique_id="uniq-1")
    tg_file = await bot.get_file("BQAC-test")
    assert tg_file.file_unique_id == "uniq-1" and tg_file.file_size == 8
    buffer = io.BytesIO()
    await tg_file.download_to_memory(buffer)
    assert buffer.getvalue() == b"noi dung"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")

    jpeg = b"\xff\xd8\xff\xe0" + bytes(5000) + b"\xff\xd9"
    update = Update.de_json(fake.send_photo(USER, caption="Ảnh", content=jpeg), bot)
    assert update.message is not None and update.message.caption == "Ảnh"
    photo = update.message.photo
    assert [p.width for p in photo] == sorted(p.width for p in photo) and len(photo) > 2
    assert [p.file_size for p in photo] == sorted(p.file_size or 0 for p in photo)
    biggest = await (await bot.get_file(photo[-1].file_id)).download_as_bytearray()
    assert bytes(biggest) == jpeg


async def test_bot_uploads(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_photo(USER, b"\xff\xd8photo-bytes", caption="c" * 1024)
    assert sent.photo and sent.caption == "c" * 1024
    assert fake.calls("sendPhoto")[-1].params["photo"].size == len(b"\xff\xd8photo-bytes")
    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"\xff\xd8photo-bytes"
    again = await bot.send_photo(USER, sent.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(USER, b"x", caption="c" * 1025)
    doc = await bot.send_document(USER, b"a,b\n1,2\n", filename="bao_cao.csv")
    assert doc.document is not None and doc.document.file_name == "bao_cao.csv"
    video = await bot.send_video(USER, b"\x00\x00video", width=320, height=240)
    assert video.video is not None and video.video.width == 320
    album = await bot.send_media_group(
        USER, [InputMediaPhoto(b"one", caption="1"), InputMediaPhoto(b"two")]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert [m.method for m in fake.sent_messages(USER)] == [
        "sendPhoto",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendMediaGroup",
        "sendMediaGroup",
    ]


async def test_update_builders_parse(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_group(-100555, "Nhóm")
    builders = [
        fake.send_document(USER, caption="hồ sơ"),
        fake.send_video(USER, media_group_id="g1"),
        fake.send_voice(USER),
        fake.send_sticker(USER),
        fake.send_contact(USER, "+84901234567"),
        fake.send_location(USER, 21.03, 105.85),
        fake.send_group_text(-100555, OTHER, "/help@guong_sang_bot"),
        fake.my_chat_member(USER, "blocked"),
    ]
    updates = [Update.de_json(u, bot) for u in builders]
    assert [u.update_id for u in updates] == sorted({u.update_id for u in updates})
    msgs = [u.message for u in updates[:7]]
    assert all(m is not None for m in msgs)
    assert msgs[0] is not None and msgs[0].document is not None
    assert msgs[4] is not None and msgs[4].contact is not None
    assert msgs[4].contact.user_id == USER
    group = msgs[6]
    assert group is not None and group.chat.type == "supergroup"
    assert group.entities[0].length == len("/help@guong_sang_bot")
    member = updates[7].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "blocked now")
    assert len(await bot.get_updates()) == 8  # my_chat_member is delivered by default


async def test_commands_and_chat_action(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Trợ giúp")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Name", "x")])
    assert await bot.send_chat_action(USER, "typing")


# -- webhook ---------------------------------------------------------------------------------
class _Receiver:
    """A tiny HTTP server on 127.0.0.1 that answers with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), json.loads(body)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tg"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_webhook_delivery_with_secret_and_retry(fake: FakeTelegram, bot: Bot) -> None:
    receiver = _Receiver([500])
    try:
        assert await bot.set_webhook(receiver.url, secret_token="bi-mat_123")
        assert fake.calls("setWebhook")[-1].response["description"] == "Webhook was set"
        sent = fake.send_text(USER, "qua webhook")
        await fake.wait_until_async(lambda: any(d.ok for d in fake.webhook_deliveries()))
        first, second = fake.webhook_deliveries()[:2]
        assert (first.status, first.attempt, second.status, second.attempt) == (500, 1, 200, 2)
        headers, body = receiver.requests[-1]
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == "bi-mat_123"
        assert body == sent
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        with pytest.raises(Conflict) as err:
            await bot.get_updates()
        assert err.value.message == WEBHOOK_CONFLICT
        assert await bot.delete_webhook()
        fake.send_text(USER, "polling again")
        assert len(await bot.get_updates()) == 1
    finally:
        receiver.close()


# -- faults ----------------------------------------------------------------------------------
async def _outcomes(bot: Bot, n: int) -> list[str]:
    out: list[str] = []
    for i in range(n):
        try:
            await bot.send_message(USER, f"m{i}")
            out.append("ok")
        except RetryAfter:
            out.append("429")
        except NetworkError:
            out.append("5xx")
    return out


async def test_seeded_fault_rates_are_reproducible(fake: FakeTelegram, bot: Bot) -> None:
    fake.set_fault_rates(rate_429=0.3, rate_5xx=0.2, seed=1234)
    first = await _outcomes(bot, 25)
    fake.set_fault_rates(rate_429=0.3, rate_5xx=0.2, seed=1234)
    second = await _outcomes(bot, 25)
    assert first == second
    assert {"ok", "429", "5xx"} <= set(first)
    assert fake.count_429s() == 2 * first.count("429")
    for _ in range(5):
        await bot.get_me()  # not a send method: never faulted
    fake.set_fault_rates(0, 0)
    assert await _outcomes(bot, 3) == ["ok"] * 3


async def test_latency_is_concurrent_and_hang_times_out(fake: FakeTelegram, bot: Bot) -> None:
    fake.set_latency(0.2)
    calls = asyncio.gather(*(bot.get_me() for _ in range(5)))
    await fake.wait_until_async(lambda: fake.in_latency == 5)  # all five wait at once
    await calls
    fake.set_latency(0)

    fake.hang_next("sendMessage", seconds=30)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "có tới không?", read_timeout=0.3)
    assert [m.text for m in fake.sent_messages(USER)] == ["có tới không?"]
    fake.hang_next("sendMessage", seconds=30, process=False)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "mất", read_timeout=0.3)
    assert len(fake.sent_messages(USER)) == 1


# -- waiting / processes ---------------------------------------------------------------------
async def test_wait_for_sync_and_async(fake: FakeTelegram, bot: Bot) -> None:
    found: list[RecordedCall] = []
    mark = fake.mark()
    waiter = threading.Thread(
        target=lambda: found.append(
            fake.wait_for(lambda c: c.params.get("text") == "ping", timeout=5, since=mark)
        )
    )
    waiter.start()
    await bot.send_message(USER, "ping")
    await asyncio.to_thread(waiter.join, 5)
    assert found and found[0].method == "sendMessage" and found[0].status == 200
    task = asyncio.create_task(bot.get_me())
    call = await fake.wait_for_async("getMe", timeout=5, since=fake.mark())
    await task
    assert call.response["result"]["username"] == "guong_sang_bot"
    with pytest.raises(TimeoutError):
        await fake.wait_for_async("sendPhoto", timeout=0.05)


def test_reachable_from_subprocess(fake: FakeTelegram) -> None:
    script = (
        "import json, sys, urllib.request\n"
        "url = sys.argv[1] + '/getMe'\n"
        "opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\n"
        "print(json.load(opener.open(url, data=b''))['result']['username'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, f"{fake.base_url}{fake.token}"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    assert out.stdout.strip() == "guong_sang_bot"
    assert fake.calls("getMe")[-1].status == 200
