"""Issue 11's findings replayed from outside (1 of 2: accounts, sessions, files, bodies,
origins, headers, stored content), as plain HTTP clients over loopback with no session or with
someone else's, against the real app under the bot's own uvicorn settings. Each test is one
finding (numbered as in the issue's list) and asserts it is refused, with the number of
attempts and refusals in its assertion."""

from __future__ import annotations

import asyncio
import io
import json

import httpx
from PIL import Image

from bot.app import Application
from bot.settings import Settings
from storage.schema import inbox, people, web_uploads
from tests.helpers_flow import join
from tests.support.attack import (
    Chat,
    Invite,
    count,
    nominate_until_evidence,
    official_with_export,
    outsider,
)
from tests.support.clock import FakeClock
from tests.support.media import jpeg
from tests.support.people import person


async def test_f01_the_web_chat_names_nobody_and_lists_nobody(
    app: Application, chat: Chat, invite: Invite, served: str
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "T-DEMO", "official")
    victim_chat = await official.chat_id()
    attempts = [
        ("GET", "/api/people", None),
        ("GET", f"/api/chat/{victim_chat}/messages?after=0", None),
        ("POST", f"/api/chat/{victim_chat}/send", {"text": "/xuat"}),
        ("GET", "/api/messages?after=0", None),
        ("POST", "/api/send", {"text": "/xuat"}),
        ("POST", "/api/send", {"text": "/vinhdanh", "chat_id": victim_chat}),
        ("POST", "/api/upload", None),
    ]
    statuses = []
    async with outsider(served, page=True) as client:
        for method, path, body in attempts:
            response = await client.request(method, path, json=body)
            statuses.append(response.status_code)
            assert victim_chat not in response.text and "Lê Văn Cán" not in response.text
    refused = [s for s in statuses if s in (401, 403, 404, 405, 415)]
    assert len(refused) == len(attempts) == 7, statuses
    # With a session of its own, an outsider is a stranger: /xuat exports nothing.
    async with outsider(served, page=True) as client:
        assert (await client.post("/api/session", json={})).status_code == 200
        sent = await client.post("/api/send", json={"text": "/xuat"})
        assert sent.status_code == 200
        await app.settle()
        read = (await client.get("/api/messages?after=0")).json()
    texts = [m["text"] for m in read["messages"]]
    assert any("chưa tham gia" in text for text in texts), texts
    assert all(not m["media"] for m in read["messages"])
    assert not list(app.settings.media_dir.glob("*.xlsx"))
    await official.assert_no_unread()


async def test_f01_namesakes_are_two_people(chat: Chat, invite: Invite, app: Application) -> None:
    first = await person(chat, invite, "lan1", "Nguyễn Thị Lan", "X-AN-BINH-HPN")
    second = await person(chat, invite, "lan2", "Nguyễn Thị Lan", "X-AN-BINH-DTN")
    one, two = await first.session(), await second.session()
    assert one.person_id != two.person_id and one.chat_id != two.chat_id
    assert await count(app, people) == 2


async def test_f02_an_admins_code_on_another_account_needs_a_confirmation(
    app: Application, chat: Chat, invite: Invite
) -> None:
    admin = await person(chat, invite, "admin", "Phạm Quản Trị", "T-DEMO", "admin")
    await admin.send("/taikhoan")
    await admin.expect("Tài khoản của Phạm Quản Trị (1)")
    await admin.press("Liên kết ứng dụng khác / đăng nhập web")
    shown = await admin.expect("Mã đăng nhập của bạn")
    code = shown[-1].text.split(": ", 1)[1].split("\n", 1)[0]
    intruder = chat("intruder")
    await intruder.send(code)
    await intruder.expect("cần xác nhận từ một tài khoản đã liên kết")
    # Not linked: still a stranger, no admin command works.
    await intruder.send("/thietbi")
    await intruder.expect("Bạn chưa tham gia đơn vị nào")
    assert (await intruder.session()).person_id is None
    # The admin is told at once, and refuses.
    await admin.expect("vừa gõ mã đăng nhập của bạn và xin liên kết")
    await admin.send("/taikhoan")
    await admin.expect("xin liên kết với bạn")
    await admin.press("Từ chối " + "Trình duyệt web (không rõ thiết bị)")
    await admin.expect("yêu cầu liên kết", "Đã từ chối")
    assert (await intruder.session()).person_id is None


async def test_f02_a_linked_account_is_announced_listed_and_undone(
    app: Application, chat: Chat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send("/taikhoan")
    await hoa.expect("Tài khoản của Trần Thị Hoa (1)")
    await hoa.press("Liên kết ứng dụng khác / đăng nhập web")
    code = (await hoa.expect("Mã đăng nhập"))[-1].text.split(": ", 1)[1].split("\n", 1)[0]
    other = chat("other")
    await other.send(code.lower())
    await other.expect("Đã liên kết tài khoản này với Trần Thị Hoa")
    await hoa.expect("vừa được liên kết", "gõ /taikhoan ngay")
    await hoa.send("/taikhoan")
    await hoa.expect("Tài khoản của Trần Thị Hoa (2)")
    await hoa.press("Gỡ một tài khoản")
    await hoa.expect("Gỡ tài khoản nào?")
    labels = [label for label in hoa.seen[-1].labels if "(đang dùng)" not in label]
    await hoa.press(labels[0])
    await hoa.expect("Gỡ Trình duyệt web")
    await hoa.press("Gỡ tài khoản")
    await hoa.expect("Đã gỡ")
    # The unlinked browser is signed out: its session is gone.
    response = await other.http.get("/api/messages", params={"after": 0})
    assert response.status_code == 401


async def test_f03_files_only_to_their_recipient_through_short_lived_links(
    app: Application, chat: Chat, invite: Invite, served: str, clock: FakeClock
) -> None:
    official, link = await official_with_export(chat, invite)
    name = link.split("?", 1)[0].rsplit("/", 1)[1]
    own = await official.http.get(link)
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-store"
    assert own.headers["content-disposition"].startswith("attachment; filename=")
    assert "sandbox" in own.headers["content-security-policy"]
    member = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    tries = [
        (None, f"/media/{name}"),  # the old public path
        (None, link),  # the link itself, no session
        (member, link),  # someone else's session
        (member, f"/media/{name}"),
        (official, f"/media/{name}"),  # without its signature
        (official, link.replace("&s=", "&s=A")),  # tampered
    ]
    refused = 0
    async with outsider(served) as anyone:
        for who, path in tries:
            client = who.http if who is not None else anyone
            response = await client.get(path)
            refused += response.status_code == 404 and b"PK" not in response.content
    clock.advance(hours=1, seconds=1)
    expired = await official.http.get(link)
    refused += expired.status_code == 404
    assert refused == len(tries) + 1 == 7


async def test_f04_oversized_bodies_are_refused_before_they_are_read(
    app: Application, served: str
) -> None:
    huge = 150 * 1024 * 1024
    paths = [
        "/api/send",
        "/api/upload",
        "/zalo/oa/webhook",
        "/zalo/bot/webhook",
        "/telegram/webhook",
    ]
    statuses = []
    for path in paths:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(served.rsplit(":", 1)[1]))
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {huge}\r\n\r\n"
        )
        writer.write(head.encode() + b"{" * 1000)  # a start, nowhere near 150 MB
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 5)
        statuses.append(int(status.split()[1]))
        writer.close()
    assert statuses == [413] * len(paths) == [413] * 5


async def test_f04_uploads_only_from_members_at_an_evidence_step_within_a_quota(
    app: Application, chat: Chat, invite: Invite, served: str, settings: Settings
) -> None:
    statuses = []
    async with outsider(served, page=True) as stranger:
        await stranger.post("/api/session", json={})
        for _ in range(70):
            response = await stranger.post(
                "/api/upload", content=jpeg(), headers={"content-type": "image/jpeg"}
            )
            statuses.append(response.status_code)
    assert statuses == [403] * 70
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    assert (await hoa.upload(jpeg())).status_code == 403  # not at an evidence step
    assert not any(settings.media_dir.iterdir())
    assert await count(app, web_uploads) == 0


async def test_f05_foreign_hosts_origins_and_form_posts_are_refused(
    app: Application, chat: Chat, invite: Invite, served: str
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    cookie = {hoa.app.sessions.cookie: hoa.token or ""}
    before = await count(app, inbox)
    results = []
    async with httpx.AsyncClient(base_url=served, cookies=cookie) as client:
        # DNS rebinding: the page was loaded from another name that points here.
        results.append(await client.get("/", headers={"host": "evil.example"}))
        results.append(
            await client.post(
                "/api/send",
                json={"text": "/decu"},
                headers={"host": "evil.example", "origin": served},
            )
        )
        # CSRF: a form or a text/plain post from another site, with the victim's cookie.
        results.append(
            await client.post(
                "/api/send", json={"text": "/decu"}, headers={"origin": "https://evil.example"}
            )
        )
        results.append(
            await client.post(
                "/api/send",
                content=json.dumps({"text": "/decu"}),
                headers={"content-type": "text/plain", "origin": served},
            )
        )
        results.append(await client.post("/api/send", json={"text": "/decu"}))  # no Origin
        results.append(
            await client.post(
                "/api/upload",
                content=jpeg(),
                headers={"content-type": "multipart/form-data; boundary=x", "origin": served},
            )
        )
    statuses = [r.status_code for r in results]
    assert statuses == [400, 400, 403, 415, 403, 415], statuses
    assert await count(app, inbox) == before


async def test_f06_security_headers_on_every_page(
    app: Application, chat: Chat, invite: Invite, served: str
) -> None:
    official, link = await official_with_export(chat, invite)
    async with outsider(served) as client:
        pages = [await client.get(p) for p in ("/", "/vinh-danh", "/static/webchat.js", "/healthz")]
    pages.append(await official.http.get(link))
    for page in pages:
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in pages[0].text and 'src="/static/webchat.js"' in pages[0].text
    assert pages[2].headers["content-type"].startswith("text/javascript")
    assert len(pages) == 5


async def test_f07_polyglots_and_containers_are_not_stored(
    app: Application, chat: Chat, invite: Invite, settings: Settings
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite(), "Trần Thị Hoa")
    await nominate_until_evidence(hoa)
    polyglot = jpeg() + b"<html><script>alert(document.cookie)</script></html>"
    zip_file = b"PK\x03\x04" + b"\x00" * 200
    pdf_zip = b"%PDF-1.4\n%%EOF\n" + b"PK\x05\x06" + b"\x00" * 18
    refused = [(await hoa.upload(data)).status_code for data in (zip_file, pdf_zip, b"MZ\x90")]
    assert refused == [415, 415, 415]
    assert (await hoa.upload(polyglot)).status_code == 200
    await hoa.expect("Đã nhận 1")
    stored = list(settings.media_dir.iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".jpg"
    data = stored[0].read_bytes()
    assert b"<html" not in data and b"script" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()
