"""Tests of the Zalo fakes themselves, driven with plain httpx."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import DEFAULT_USER_ID, FakeZaloOA
from tests.fakes.zalo_webhook_sink import WebhookSink

HOUR = 3600
DAY = 24 * HOUR
USER = DEFAULT_USER_ID


@pytest.fixture
def oa() -> Iterator[FakeZaloOA]:
    with FakeZaloOA() as fake:
        yield fake


@pytest.fixture
def bot() -> Iterator[FakeZaloBot]:
    with FakeZaloBot() as fake:
        yield fake


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as fake:
        yield fake


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def refresh(c: httpx.Client, oa: FakeZaloOA, token: str) -> dict[str, Any]:
    resp = c.post(
        f"{oa.base_url}/v4/oa/access_token",
        data={"app_id": oa.app_id, "grant_type": "refresh_token", "refresh_token": token},
        headers={"secret_key": oa.app_secret},
    )
    assert resp.status_code == 200
    body: dict[str, Any] = resp.json()
    return body


def send(
    c: httpx.Client, oa: FakeZaloOA, message: dict[str, Any], *, user: str = USER, token: str = ""
) -> dict[str, Any]:
    resp = c.post(
        f"{oa.base_url}/v3.0/oa/message/cs",
        json={"recipient": {"user_id": user}, "message": message},
        headers={"access_token": token or oa.access_token},
    )
    assert resp.status_code == 200  # A.5: errors are HTTP 200 too
    body: dict[str, Any] = resp.json()
    return body


def upload(
    c: httpx.Client, oa: FakeZaloOA, kind: str, name: str, size: int, ctype: str
) -> dict[str, Any]:
    resp = c.post(
        f"{oa.base_url}/v2.0/oa/upload/{kind}",
        files={"file": (name, b"\x89" * size, ctype)},
        headers={"access_token": oa.access_token},
    )
    body: dict[str, Any] = resp.json()
    return body


# ------------------------------------------------------------------ OAuth
def test_refresh_rotates_and_is_single_use(oa: FakeZaloOA, client: httpx.Client) -> None:
    first = oa.initial_tokens
    body = refresh(client, oa, first.refresh_token)
    assert set(body) == {"access_token", "refresh_token", "expires_in"}
    assert body["expires_in"] == "90000"  # a string, 25 h
    assert body["refresh_token"] != first.refresh_token
    assert oa.refresh_count == 1
    assert oa.tokens.refresh_token == body["refresh_token"]

    reused = refresh(client, oa, first.refresh_token)
    assert reused["error"] == -14014
    assert {"error_name", "error_reason"} <= set(reused)
    assert refresh(client, oa, "rt-never-issued")["error"] == -14014
    assert oa.refresh_count == 1

    # the old access token stopped working at once; the new one works
    oa.user_interacted(USER)
    assert send(client, oa, {"text": "a"}, token=first.access_token)["error"] == -220
    assert send(client, oa, {"text": "a"}, token=body["access_token"])["error"] == 0
    assert send(client, oa, {"text": "a"}, token="garbage")["error"] == -216

    second = refresh(client, oa, body["refresh_token"])
    assert "access_token" in second and oa.refresh_count == 2


def test_refresh_needs_secret_key_and_app_id(oa: FakeZaloOA, client: httpx.Client) -> None:
    url = f"{oa.base_url}/v4/oa/access_token"
    form = {"app_id": oa.app_id, "grant_type": "refresh_token", "refresh_token": oa.refresh_token}
    assert client.post(url, data=form, headers={"secret_key": "wrong"}).json()["error"] < 0
    bad_app = {**form, "app_id": "1"}
    resp = client.post(url, data=bad_app, headers={"secret_key": oa.app_secret})
    assert resp.json()["error"] == -14002
    assert oa.refresh_count == 0  # the refresh token was not spent by the failures
    assert "access_token" in refresh(client, oa, oa.refresh_token)


def test_access_token_expires_on_fake_clock(oa: FakeZaloOA, client: httpx.Client) -> None:
    oa.user_interacted(USER)
    oa.advance(24 * HOUR)
    oa.user_interacted(USER)
    assert send(client, oa, {"text": "still valid"})["error"] == 0
    oa.advance(HOUR + 1)
    oa.user_interacted(USER)
    assert send(client, oa, {"text": "expired"})["error"] == -220
    assert "access_token" in refresh(client, oa, oa.refresh_token)
    assert send(client, oa, {"text": "fresh"})["error"] == 0
    oa.expire_access_tokens()
    assert send(client, oa, {"text": "forced"})["error"] == -220


def test_fail_refresh_and_lost_rotation(oa: FakeZaloOA, client: httpx.Client) -> None:
    url = f"{oa.base_url}/v4/oa/access_token"
    form = {"app_id": oa.app_id, "grant_type": "refresh_token", "refresh_token": oa.refresh_token}
    oa.fail_refresh(1)
    assert client.post(url, data=form, headers={"secret_key": oa.app_secret}).status_code == 500
    oa.fail_refresh(1, consume=True)  # rotated, but the answer is lost
    assert client.post(url, data=form, headers={"secret_key": oa.app_secret}).status_code == 500
    assert refresh(client, oa, form["refresh_token"])["error"] == -14014
    assert oa.refresh_count == 1 and oa.refresh_token != form["refresh_token"]


@pytest.mark.asyncio
async def test_concurrent_refreshes_overlap() -> None:
    async with FakeZaloOA(refresh_delay=0.3) as oa:
        token = oa.refresh_token
        form = {"app_id": oa.app_id, "grant_type": "refresh_token", "refresh_token": token}
        async with httpx.AsyncClient(base_url=oa.base_url, timeout=10) as c:
            responses = await asyncio.gather(
                *(
                    c.post("/v4/oa/access_token", data=form, headers={"secret_key": oa.app_secret})
                    for _ in range(2)
                )
            )
        bodies = [r.json() for r in responses]
        assert sorted("access_token" in b for b in bodies) == [False, True]
        assert [b["error"] for b in bodies if "error" in b] == [-14014]
        assert oa.max_concurrent_refreshes == 2
        assert oa.refresh_count == 1


# ------------------------------------------------------------------ sending
def test_send_text_ok_and_recorded(oa: FakeZaloOA, client: httpx.Client) -> None:
    event = oa.user_send_text(USER, "chào")
    assert event["sender"]["id"] == USER
    body = send(client, oa, {"text": "Cảm ơn bạn"})
    assert body["error"] == 0 and body["message"] == "Success"
    assert body["data"]["user_id"] == USER and body["data"]["message_id"]
    assert body["data"]["quota"]["quota_type"] == "reply"
    [sent] = oa.sent_messages(USER)
    assert sent.text == "Cảm ơn bạn" and sent.kind == "text"
    call = oa.calls("/v3.0/oa/message/cs")[-1]
    assert call.headers["access_token"] == oa.access_token
    assert call.json["recipient"] == {"user_id": USER}

    assert send(client, oa, {"text": "x" * 2000})["error"] == 0
    assert send(client, oa, {"text": "x" * 2001})["error"] == -210
    element = {"media_type": "image", "url": "https://x.test/a.png"}
    image = {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
    assert send(client, oa, {"text": "ảnh", "attachment": image})["error"] == 0
    assert oa.sent_messages()[-1].kind == "image"
    numeric = client.post(
        f"{oa.base_url}/v3.0/oa/message/cs",
        content=b'{"recipient":{"user_id":3929380218593829012},"message":{"text":"a"}}',
        headers={"access_token": oa.access_token, "content-type": "application/json"},
    )
    assert numeric.json()["error"] == -201


def test_seven_day_window(oa: FakeZaloOA, client: httpx.Client) -> None:
    assert send(client, oa, {"text": "never wrote"}, user="111")["error"] == -230
    oa.user_interacted(USER, seconds_ago=7 * DAY + 1)
    assert send(client, oa, {"text": "too late"})["error"] == -230
    oa.user_interacted(USER, seconds_ago=3 * DAY)
    body = send(client, oa, {"text": "billed"})
    assert body["error"] == 0 and "quota" not in body["data"]
    oa.set_zca(linked=False)
    assert send(client, oa, {"text": "no ZCA"})["error"] == -320
    oa.follow(USER)  # following is an interaction: back inside the free 48 h
    assert send(client, oa, {"text": "free"})["data"]["quota"]["quota_type"] == "reply"
    oa.advance(7 * DAY + 60)
    refresh(client, oa, oa.refresh_token)  # the access token (25 h) ran out as well
    assert send(client, oa, {"text": "window over"})["error"] == -230


def test_blocked_and_forced_user_errors(oa: FakeZaloOA, client: httpx.Client) -> None:
    oa.user_send_text(USER)
    oa.block_user(USER)
    assert send(client, oa, {"text": "a"}) == {
        "error": -244,
        "message": "User has restricted this message type from your OA",
    }
    oa.block_user(USER, False)
    oa.set_user_error(USER, -227)
    assert send(client, oa, {"text": "a"})["error"] == -227
    oa.set_user_error(USER, None)
    assert send(client, oa, {"text": "a"})["error"] == 0
    assert len(oa.sent_messages()) == 1
    oa.unfollow(USER)
    assert send(client, oa, {"text": "a"})["error"] == 0  # default: window still open
    oa.unfollowed_error_code = -213
    assert send(client, oa, {"text": "a"})["error"] == -213


def test_upload_and_attachment_expiry(oa: FakeZaloOA, client: httpx.Client) -> None:
    oa.user_send_image(USER)
    body = upload(client, oa, "image", "a.png", 2048, "image/png")
    assert body["error"] == 0
    attachment_id = body["data"]["attachment_id"]
    element = {"media_type": "image", "attachment_id": attachment_id}
    media = {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
    assert send(client, oa, {"attachment": media})["error"] == 0

    oa.expire_attachments()
    assert send(client, oa, {"attachment": media})["error"] == -100
    fresh = upload(client, oa, "image", "a.png", 2048, "image/png")["data"]["attachment_id"]
    element["attachment_id"] = fresh
    assert send(client, oa, {"attachment": media})["error"] == 0
    oa.advance(7 * DAY + 1)
    oa.user_interacted(USER)
    refresh(client, oa, oa.refresh_token)  # the 25 h access token also ran out
    assert send(client, oa, {"attachment": media})["error"] == -100  # 7-day id lifetime

    assert upload(client, oa, "image", "big.jpg", 1024 * 1024 + 1, "image/jpeg")["error"] == -210
    assert upload(client, oa, "image", "doc.pdf", 10, "application/pdf")["error"] == -201
    token = upload(client, oa, "file", "ho-so.pdf", 4 * 1024 * 1024, "application/pdf")
    assert token["error"] == 0
    file_msg = {"attachment": {"type": "file", "payload": {"token": token["data"]["token"]}}}
    assert send(client, oa, file_msg)["error"] == 0
    big = upload(client, oa, "file", "big.pdf", 5 * 1024 * 1024 + 1, "application/pdf")
    assert big["error"] == -210
    assert [u.kind for u in oa.uploads()] == ["image", "image", "file"]


def test_rate_limit_and_injected_faults(client: httpx.Client) -> None:
    with FakeZaloOA(rate_limit_per_minute=2) as oa:
        oa.user_interacted(USER)
        resp = client.post(
            f"{oa.base_url}/v3.0/oa/message/cs",
            json={"recipient": {"user_id": USER}, "message": {"text": "a"}},
            headers={"access_token": oa.access_token},
        )
        assert resp.headers["x-ratelimit-limit"] == "2"
        assert send(client, oa, {"text": "b"})["error"] == 0
        assert send(client, oa, {"text": "c"})["error"] == -32
        oa.advance(60)
        oa.user_interacted(USER)
        assert send(client, oa, {"text": "d"})["error"] == 0

        oa.fail_next("/v3.0/oa/message/cs", error=-32)
        assert send(client, oa, {"text": "e"})["error"] == -32
        assert oa.calls("/v3.0/oa/message/cs")[-1].fault == "injected"

    def pattern(seed: int) -> list[int]:
        with FakeZaloOA() as fake:
            fake.user_interacted(USER)
            fake.random_faults(0.5, seed=seed, paths=["/v3.0/oa/message/cs"], status=503)
            codes = []
            for _ in range(12):
                r = client.post(
                    f"{fake.base_url}/v3.0/oa/message/cs",
                    json={"recipient": {"user_id": USER}, "message": {"text": "a"}},
                    headers={"access_token": fake.access_token},
                )
                codes.append(r.status_code)
            return codes

    first = pattern(7)
    assert first == pattern(7) and {200, 503} == set(first)

    with FakeZaloOA() as oa:
        oa.set_latency(600)  # held far longer than the client waits
        with pytest.raises(httpx.ReadTimeout):
            client.get(
                f"{oa.base_url}/v2.0/oa/getoa",
                headers={"access_token": oa.access_token},
                timeout=0.2,
            )


# ----------------------------------------------------------------- webhooks
def test_webhook_signature(oa: FakeZaloOA, sink: WebhookSink) -> None:
    event = oa.user_send_text(USER, "Tôi muốn đề cử")
    assert isinstance(event["timestamp"], str) and len(event["timestamp"]) == 13
    assert int(event["sender"]["id"]) > 2**53 and int(event["recipient"]["id"]) > 2**53
    result = oa.deliver(event, url=f"{sink.base_url}/zalo/webhook")
    assert result.status_code == 200 and result.elapsed >= 0

    [call] = sink.calls("/zalo/webhook")
    assert json.loads(call.body) == event
    expected = hashlib.sha256(
        (oa.app_id + call.body.decode() + event["timestamp"] + oa.oa_secret_key).encode()
    ).hexdigest()
    assert call.headers["x-zevent-signature"] == f"mac={expected}"

    oa.deliver(event, url=f"{sink.base_url}/raw", mac_prefix=False, secret_key="other")
    raw = sink.calls("/raw")[0]
    other = hashlib.sha256(
        (oa.app_id + raw.body.decode() + event["timestamp"] + "other").encode()
    ).hexdigest()
    assert raw.headers["x-zevent-signature"] == other

    oa.deliver(event, url=f"{sink.base_url}/tampered", tamper=lambda b: b.replace(b"}", b" }", 1))
    tampered = sink.calls("/tampered")[0]
    recomputed = hashlib.sha256(
        (oa.app_id + tampered.body.decode() + event["timestamp"] + oa.oa_secret_key).encode()
    ).hexdigest()
    assert tampered.headers["x-zevent-signature"] != f"mac={recomputed}"

    oa.deliver(event, url=f"{sink.base_url}/unsigned", sign=False)
    assert "x-zevent-signature" not in sink.calls("/unsigned")[0].headers


@pytest.mark.asyncio
async def test_deliver_async_and_event_shapes(oa: FakeZaloOA, sink: WebhookSink) -> None:
    follow = oa.follow("5550000000000000001")
    assert set(follow) >= {"oa_id", "follower", "user_id_by_app", "source", "timestamp"}
    assert "sender" not in follow
    assert oa.last_interaction("5550000000000000001") is not None
    info = oa.user_submit_info(USER, "84901234567")
    assert info["info"]["phone"] == "84901234567"
    location = oa.user_send_location(USER)["message"]["attachments"][0]
    assert location["payload"]["coordinates"]["latitude"] == "10.7769"
    for builder in (oa.user_send_file, oa.user_send_video, oa.user_send_sticker, oa.unfollow):
        event = builder(USER)
        result = await oa.deliver_async(event, url=f"{sink.base_url}/hook")
        assert result.status_code == 200
    assert [c.json["event_name"] for c in sink.calls("/hook")] == [
        "user_send_file",
        "user_send_video",
        "user_send_sticker",
        "unfollow",
    ]


# ----------------------------------------------------------------- Zalo Bot
def api(bot: FakeZaloBot, method: str) -> str:
    return f"{bot.base_url}/bot{bot.token}/{method}"


def test_bot_get_updates_long_poll(bot: FakeZaloBot, client: httpx.Client) -> None:
    me = client.post(api(bot, "getMe"), json={}).json()
    assert me["ok"] and me["result"]["id"] == bot.bot_id

    empty = client.post(api(bot, "getUpdates"), json={"timeout": "0.3"})
    assert empty.json() == {"ok": False, "error_code": 408, "description": "Request timeout"}

    # A poll that would wait ten minutes is answered as soon as a message arrives.
    answers: list[httpx.Response] = []
    waiting = threading.Thread(
        target=lambda: answers.append(
            client.post(api(bot, "getUpdates"), json={"timeout": 600}, timeout=60)
        )
    )
    waiting.start()
    bot.wait_for(lambda: bot.polls_in_flight)
    bot.send_text("u1", "Xin chào")
    waiting.join(60)
    result = answers.pop().json()["result"]
    assert result["event_name"] == "message.text.received"
    assert result["message"]["text"] == "Xin chào"
    assert result["message"]["chat"] == {"id": "u1", "chat_type": "PRIVATE"}
    assert "update_id" not in result and bot.pending_updates() == []

    bot.send_image("u1", caption="ảnh")
    bot.send_sticker("u1")
    first = client.post(api(bot, "getUpdates"), json={"timeout": 1}).json()["result"]
    second = client.post(api(bot, "getUpdates"), json={"timeout": 1}).json()["result"]
    assert [first["event_name"], second["event_name"]] == [
        "message.image.received",
        "message.sticker.received",
    ]
    assert bot.max_concurrent_polls == 1

    bot.lose_next_poll_response()
    bot.send_text("u1", "lost")
    assert client.post(api(bot, "getUpdates"), json={"timeout": 1}).status_code == 502
    assert bot.pending_updates() == []  # at-most-once: no offset to re-ask for it


def test_bot_send_message_and_errors(bot: FakeZaloBot, client: httpx.Client) -> None:
    ok = client.post(api(bot, "sendMessage"), json={"chat_id": "u1", "text": "Chào bạn"}).json()
    assert ok["ok"] and set(ok["result"]) == {"message_id", "date"}
    assert bot.sent_messages("u1")[0].text == "Chào bạn"

    too_long = client.post(api(bot, "sendMessage"), json={"chat_id": "u1", "text": "x" * 2001})
    assert too_long.status_code == 400 and too_long.json()["ok"] is False
    assert (
        client.post(api(bot, "sendMessage"), json={"chat_id": "u1", "text": ""}).status_code == 400
    )

    bot.block_chat("u2")
    blocked = client.post(api(bot, "sendMessage"), json={"chat_id": "u2", "text": "a"})
    assert blocked.status_code == 403 and blocked.json()["error_code"] == 403
    bot.invalidate_chat("u3")
    assert (
        client.post(api(bot, "sendMessage"), json={"chat_id": "u3", "text": "a"}).status_code == 400
    )

    photo = {"chat_id": "u1", "photo": "https://x.test/p.jpg", "caption": "Ảnh"}
    assert client.post(api(bot, "sendPhoto"), json=photo).json()["ok"]
    action = client.post(api(bot, "sendChatAction"), json={"chat_id": "u1", "action": "typing"})
    assert action.json() == {"ok": True}
    assert bot.chat_actions_sent("u1") == [("u1", "typing")]

    bad = client.post(f"{bot.base_url}/botWRONG:token/sendMessage", json={"chat_id": "u1"})
    assert bad.status_code == 401
    bot.fail_next("sendMessage", error_code=429, description="Too many requests")
    limited = client.post(api(bot, "sendMessage"), json={"chat_id": "u1", "text": "a"})
    assert limited.status_code == 429 and limited.json()["error_code"] == 429
    assert [c.key for c in bot.calls("sendMessage")][-1] == "sendMessage"


def test_bot_webhook_mode(bot: FakeZaloBot, sink: WebhookSink, client: httpx.Client) -> None:
    short = client.post(api(bot, "setWebhook"), json={"url": sink.base_url, "secret_token": "x"})
    assert short.status_code == 400
    hook = f"{sink.base_url}/zalo-bot"
    body = {"url": hook, "secret_token": "s3cret-token"}
    assert client.post(api(bot, "setWebhook"), json=body).json()["result"]["url"] == hook
    assert client.post(api(bot, "getWebhookInfo"), json={}).json()["result"]["url"] == hook
    assert client.post(api(bot, "getUpdates"), json={"timeout": 1}).status_code == 409

    bot.send_text("u1", "một")
    bot.send_text("u1", "hai")
    sink.wait_for(lambda: len(sink.calls("/zalo-bot")) == 2)
    calls = sink.calls("/zalo-bot")
    assert [c.json["result"]["message"]["text"] for c in calls] == ["một", "hai"]
    assert calls[0].json["ok"] is True
    assert calls[0].headers["x-bot-api-secret-token"] == "s3cret-token"

    update = {"event_name": "message.text.received", "message": {"text": "forged"}}
    assert bot.deliver(update, secret_token="bad").status_code == 200
    assert sink.calls("/zalo-bot")[-1].headers["x-bot-api-secret-token"] == "bad"

    cleared = client.post(api(bot, "deleteWebhook"), json={}).json()["result"]
    assert cleared["url"] == ""
    strict = FakeZaloBot(require_public_https_webhook=True)
    with strict:
        local = {"url": "https://127.0.0.1/hook", "secret_token": "12345678"}
        assert client.post(api(strict, "setWebhook"), json=local).status_code == 400


@pytest.mark.asyncio
async def test_bot_long_poll_from_async_client(bot: FakeZaloBot) -> None:
    async with httpx.AsyncClient(timeout=10) as c:
        poll = asyncio.create_task(c.post(api(bot, "getUpdates"), json={"timeout": 5}))
        await bot.wait_for_async(lambda: bot.polls_in_flight)  # the poll is parked
        bot.send_text("u9", "async")
        resp = await poll
    assert resp.json()["result"]["message"]["text"] == "async"


def test_bot_poll_abandoned_by_client_consumes_nothing(client: httpx.Client) -> None:
    with FakeZaloBot(result_shape="list", empty_poll="ok_empty") as bot:
        with pytest.raises(httpx.ReadTimeout):
            client.post(api(bot, "getUpdates"), json={"timeout": 5}, timeout=0.2)
        bot.wait_for(lambda: bot.calls("getUpdates"))  # the server noticed the disconnect
        bot.send_text("u1", "một")
        bot.send_text("u1", "hai")
        assert len(bot.pending_updates()) == 2
        batch = client.post(api(bot, "getUpdates"), json={"timeout": 1}).json()["result"]
        assert [u["message"]["text"] for u in batch] == ["một", "hai"]
        assert client.post(api(bot, "getUpdates"), json={"timeout": 0.1}).json() == {
            "ok": True,
            "result": [],
        }

        # stopping the fake releases a parked long poll at once
        result: list[int] = []
        poller = threading.Thread(
            target=lambda: result.append(
                client.post(api(bot, "getUpdates"), json={"timeout": 30}).status_code
            )
        )
        poller.start()
        bot.wait_for(lambda: bot.polls_in_flight)
        bot.stop()
        poller.join(10)
        assert result == [200]
