"""Webhook mode: the secret header checked before parsing, 200 only once recorded, repeats once."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from bot.app import Application
from storage.schema import inbox, outbox
from tests.fakes.telegram_api import FakeTelegram
from tests.support.telegram import HEADER, SECRET, TelegramUser


def text_update(update_id: int, text: str) -> dict[str, Any]:
    user = {"id": 5001, "is_bot": False, "first_name": "Hoa"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": user,
            "chat": {"id": 5001, "type": "private", "first_name": "Hoa"},
            "date": 1764036000,
            "text": text,
        },
    }


async def test_secret_is_checked_before_anything_else(
    webhook_app: Application, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(5001, "Hoa")
    transport = httpx.ASGITransport(app=webhook_app.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        url = "/telegram/webhook"
        body = text_update(900001, "xin chào")
        assert (await client.post(url, json=body)).status_code == 403
        wrong = {HEADER: "bi-mat_124"}
        assert (await client.post(url, json=body, headers=wrong)).status_code == 403
        assert (await client.post(url, content=b"{not json", headers=wrong)).status_code == 403
        right = {HEADER: SECRET}
        assert (await client.post(url, content=b"{not json", headers=right)).status_code == 400
        assert (await client.post(url, json={"x": 1}, headers=right)).status_code == 400
        async with webhook_app.db.read() as conn:
            assert (await conn.execute(select(inbox))).all() == []
        for _ in range(2):  # Telegram repeats a delivery it did not see answered
            assert (await client.post(url, json=body, headers=right)).status_code == 200
    await webhook_app.settle()
    async with webhook_app.db.read() as conn:
        recorded = (await conn.execute(select(inbox.c.external_id))).scalars().all()
        replies = (await conn.execute(select(outbox.c.status))).scalars().all()
    assert recorded == ["900001"]
    assert replies == ["sent"]  # the greeting, once
    [greeting] = fake_telegram.sent_messages(5001)
    assert greeting.text is not None and "mã mời" in greeting.text


async def test_updates_arrive_through_the_webhook(
    webhook_app: Application, fake_telegram: FakeTelegram
) -> None:
    [set_hook] = fake_telegram.calls("setWebhook")
    assert set_hook.params["secret_token"] == SECRET
    assert not set_hook.params.get("drop_pending_updates")
    hoa = TelegramUser(webhook_app, fake_telegram, 5001, "Hoa")
    await hoa.send("/start")
    await hoa.expect("hãy gõ mã mời")
    await hoa.send("/trogiup")
    await hoa.expect("Hướng dẫn sử dụng")
    assert fake_telegram.calls("getUpdates") == []
    assert all(d.ok for d in fake_telegram.webhook_deliveries())
    transport = httpx.ASGITransport(app=webhook_app.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        health = await client.get("/healthz")
    assert health.json()["telegram"] == {"mode": "webhook", "ready": True}
