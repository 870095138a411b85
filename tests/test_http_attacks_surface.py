"""Issue 11's findings replayed from outside (2 of 2: numbers, nesting, bombs, guessing,
secrets and files at rest, the demo, health, poll state). See test_http_attacks.py."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from bot import cli_ops
from bot.app import Application
from bot.cards import render_card
from bot.settings import Settings
from storage import kv
from tests.helpers_flow import join
from tests.support.attack import (
    Chat,
    Invite,
    nominate_until_evidence,
    official_with_export,
    outsider,
)
from tests.support.clock import FakeClock


async def test_f08_non_finite_and_out_of_range_numbers_are_refused(
    app: Application, chat: Chat
) -> None:
    guest = chat("guest")
    await guest.open()
    values = ["nan", "inf", "-inf", "-1", "26", "1e308", "NaN", "0x10"]
    statuses = [
        (await guest.http.get("/api/messages", params={"wait": v})).status_code for v in values
    ]
    afters = ["-1", "1e3", "99999999999999999999999", "abc"]
    statuses += [
        (await guest.http.get("/api/messages", params={"after": v})).status_code for v in afters
    ]
    assert statuses == [400] * 12


async def test_f09_deeply_nested_json_is_a_400_everywhere(
    app: Application, chat: Chat, served: str
) -> None:
    guest = chat("guest")
    await guest.open()
    nested = b"[" * 1000 + b"]" * 1000
    statuses = [
        (
            await guest.http.post(
                "/api/send", content=nested, headers={"content-type": "application/json"}
            )
        ).status_code
    ]
    async with outsider(served) as client:
        # Webhooks of channels that are not configured are not even routed (404).
        for path in ("/telegram/webhook", "/zalo/oa/webhook", "/zalo/bot/webhook"):
            response = await client.post(path, content=nested)
            statuses.append(response.status_code)
            assert "Traceback" not in response.text
    assert statuses[0] == 400 and all(s in (400, 404) for s in statuses), statuses


async def test_f10_a_decompression_bomb_is_refused_before_decoding(
    app: Application, chat: Chat, invite: Invite, settings: Settings
) -> None:
    buffer = io.BytesIO()
    Image.new("L", (12000, 12000)).save(buffer, "PNG")
    bomb = buffer.getvalue()
    assert len(bomb) < 500_000
    hoa = chat("hoa")
    await join(hoa, await invite(), "Trần Thị Hoa")
    await nominate_until_evidence(hoa)
    assert (await hoa.upload(bomb)).status_code == 415
    assert not list(settings.media_dir.iterdir())
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    # A bomb already on disk (stored before this check existed) never reaches the decoder
    # when a share card is drawn: the card is made without the picture.
    planted = settings.media_dir / "planted-bomb-0000.png"
    planted.write_bytes(bomb)
    card = render_card("Nguyễn Thị Lan", "Xã An Bình", "Câu chuyện.", planted.read_bytes())
    with Image.open(io.BytesIO(card)) as drawn:
        assert drawn.size == (1080, 1080)


async def test_f12_guessing_codes_is_limited_per_address_and_overall(
    app: Application, served: str, settings: Settings
) -> None:
    limit = settings.web_guest_messages_per_hour
    statuses = []
    sessions = 0
    async with outsider(served, page=True) as client:
        for n in range(200):
            if n % 5 == 0:  # a fresh browser every five guesses, as the attacker did
                client.cookies.clear()
                opened = await client.post("/api/session", json={})
                sessions += opened.status_code == 200
            response = await client.post("/api/send", json={"text": f"ZZZZ{n:04d}ZZZZ"})
            statuses.append(response.status_code)
    answered = statuses.count(200)
    assert answered <= limit and statuses.count(429) + statuses.count(401) == 200 - answered
    assert sessions <= settings.web_sessions_per_hour
    # A refused guess is not recorded: the inbox holds the answered ones only.
    async with app.db.read() as conn:
        recorded = (await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one()
    assert recorded == answered


async def test_f13_platform_tokens_are_sealed_at_rest(app: Application) -> None:
    from bot.channels.zalo_oa_auth import TOKENS_KEY, TokenPair

    keeper_keys = app.keys
    pair = TokenPair(
        access_token="ACCESS-SECRET", refresh_token="REFRESH-SECRET", expires_at=app.clock()
    )
    sealed = keeper_keys.seal(pair.model_dump_json())
    async with app.db.write() as conn:
        await kv.put_value(conn, TOKENS_KEY, {"sealed": sealed}, app.clock())
    if app.db.is_sqlite:  # the database's own files, write-ahead log included
        database = Path(str(app.settings.database_url).split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    else:  # what the server stores and dumps: the rows as text
        async with app.db.read() as conn:
            rows = await conn.execute(text("SELECT CAST(value AS TEXT) FROM kv"))
            raw = "".join(str(r[0]) for r in rows).encode()
        assert sealed.encode() in raw
    assert b"REFRESH-SECRET" not in raw and b"ACCESS-SECRET" not in raw


async def test_f14_data_files_are_private(
    app: Application, chat: Chat, invite: Invite, settings: Settings
) -> None:
    await official_with_export(chat, invite)
    files = [settings.key_file, *settings.media_dir.iterdir()]
    folders = [settings.media_dir]
    if app.db.is_sqlite:  # PostgreSQL keeps its files in its own data folder (0700, its user)
        database = Path(settings.database_url.split("///", 1)[1])
        files.append(database)
        folders.append(database.parent)
    modes = [stat.S_IMODE(os.stat(f).st_mode) for f in files]
    assert modes == [0o600] * len(files)
    assert len(files) >= 2 + app.db.is_sqlite  # the key, the export (and the database)
    assert [stat.S_IMODE(os.stat(f).st_mode) for f in folders] == [0o700] * len(folders)


async def test_f15_the_demo_hands_out_no_lasting_or_shared_admin_invite(
    tmp_path: Path, database_url: str, clock: FakeClock
) -> None:
    from storage.db import Database

    db = Database(database_url)
    settings = Settings(_env_file=None, database_url=database_url)
    try:
        first = await cli_ops.seed_demo(db, settings, clock())
        again = await cli_ops.seed_demo(db, settings, clock())
        with pytest.raises(ValueError, match="admin invite serves one person"):
            await cli_ops.create_invite(db, settings, "T-DEMO", "admin", 2, 1, clock())
    finally:
        await db.close()
    admin = [i for i in first if i.role == "admin"]
    assert len(first) == 5 and again == []  # codes printed once, on the first start only
    assert admin[0].uses == 1
    assert all(i.expires_at - clock() <= __import__("datetime").timedelta(days=1) for i in first)
    assert not (tmp_path / "demo-invites.json").exists()


async def test_f16_health_details_only_on_this_machine(app: Application, served: str) -> None:
    async with outsider(served) as client:
        local = await client.get("/healthz")
        proxied = await client.get("/healthz", headers={"x-forwarded-for": "203.0.113.9"})
        public_name = await client.get("/healthz", headers={"host": "127.0.0.1"})
    assert "outbox_pending" in local.text and "channels" in public_name.text
    assert proxied.text == "ok"


async def test_f17_polling_any_number_of_accounts_keeps_no_state(
    app: Application, served: str
) -> None:
    assert app.webchat is not None
    async with outsider(served, page=True) as client:
        for _ in range(15):
            client.cookies.clear()
            await client.post("/api/session", json={})
            await client.get("/api/messages", params={"wait": "0"})
        for fake in ("a", "b", "c"):
            assert (await client.get(f"/api/chat/{fake}/messages")).status_code == 404
    assert app.webchat._waiting == {}
