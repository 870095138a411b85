"""/taikhoan and /thietbi: linking with a confirmation, signing browsers out (one's own, or an
admin's sign-out of a person everywhere, within scope and audited), sessions that end, and the
hourly job that deletes spreadsheets after their retention."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from storage.schema import audit_log
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.people import person

Chat = Callable[..., ChatClient]
Invite = Callable[..., Awaitable[str]]
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")
LINK = "Liên kết ứng dụng khác / đăng nhập web"


async def sign_in_code(client: ChatClient) -> str:
    await client.send("/taikhoan")
    await client.expect("Tài khoản của")
    await client.press(LINK)
    found = CODE.search((await client.expect("Mã đăng nhập của bạn"))[-1].text)
    assert found
    return found.group(1)


async def actions(app: Application) -> list[str]:
    async with app.db.read() as conn:
        return [r[0] for r in await conn.execute(select(audit_log.c.action))]


async def test_a_reviewers_new_browser_is_linked_once_confirmed(
    app: Application, chat: Chat, invite: Invite
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await sign_in_code(lan)
    phone = chat("phone")
    await phone.send(code)
    await phone.expect("cần xác nhận")
    await lan.expect("xin liên kết")
    await lan.send("/taikhoan")
    await lan.expect("xin liên kết với bạn")
    await lan.press("Xác nhận Trình duyệt web (không rõ thiết bị)")
    await lan.expect("Đã xác nhận")
    # The main menu shown with it answers a typed number (Zalo has no buttons).
    await lan.send("1")
    await lan.expect("Bạn đề cử ai?")
    await lan.send("/huy")
    await lan.expect("Đã huỷ")
    await phone.expect("Đã được xác nhận: tài khoản này nay là của Lê Thị Duyệt")
    assert (await phone.session()).person_id == (await lan.session()).person_id
    # A second confirmation (an old menu typed again) finds nothing left to confirm.
    await lan.send("/taikhoan")
    await lan.expect("Tài khoản của Lê Thị Duyệt (2)")
    assert not any(label.startswith("Xác nhận") for label in lan.seen[-1].labels)
    await lan.press("Xong")
    await lan.expect("")
    assert "link_request.confirmed" in await actions(app)


async def test_signing_out_other_browsers_from_devices(
    app: Application, chat: Chat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    others = []
    for n in range(2):
        code = await sign_in_code(hoa)
        other = chat(f"other{n}")
        await other.send(code)
        await other.expect("Đã liên kết")
        await hoa.expect("vừa được liên kết")
        others.append(other)
    await others[0].expect("vừa được liên kết")  # the second browser was announced to it too
    await hoa.send("/thietbi")
    await hoa.expect("Các trình duyệt đang đăng nhập (3)", "(đang dùng)")
    await hoa.press("Đăng xuất mọi thiết bị khác")
    await hoa.expect("Đã đăng xuất 2 thiết bị")
    for other in others:
        # Its session is gone (a page still open there reads the notice in its waiting poll).
        assert await other.pop() == [] and other.signed_out
    await hoa.send("/thietbi")
    await hoa.expect("Các trình duyệt đang đăng nhập (1)")
    await hoa.press("Xong")
    await hoa.expect("")


async def test_an_admin_signs_a_person_out_everywhere_within_scope_only(
    app: Application, chat: Chat, invite: Invite
) -> None:
    admin = await person(chat, invite, "admin", "Phạm Quản Trị", "X-AN-BINH", "admin")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    far = await person(chat, invite, "far", "Trần Thị Xa", "P-HOA-LAC-HPN")
    await admin.send("/thietbi")
    await admin.expect("Các trình duyệt đang đăng nhập (1)")
    await admin.press("Đăng xuất một người khỏi mọi thiết bị")
    await admin.expect("Gõ tên")
    await admin.send("tran thi")  # without diacritics; only people of the admin's scope match
    await admin.expect("Chọn người cần đăng xuất")
    assert admin.seen[-1].labels == ["Trần Thị Hoa — Hội Liên hiệp Phụ nữ xã An Bình", "Huỷ"]
    await admin.press("Trần Thị Hoa — Hội Liên hiệp Phụ nữ xã An Bình")
    await admin.expect("Đăng xuất Trần Thị Hoa")
    await admin.press("Đăng xuất mọi thiết bị")
    await admin.expect("Đã đăng xuất 1 thiết bị", "ghi lại")
    assert await hoa.pop() == [] and hoa.signed_out
    assert not far.signed_out and (await far.http.get("/api/messages")).status_code == 200
    assert "sessions.revoked_everywhere" in await actions(app)
    # A member has no such option.
    await far.send("/thietbi")
    await far.expect("Các trình duyệt đang đăng nhập (1)")
    assert "Đăng xuất một người khỏi mọi thiết bị" not in far.seen[-1].labels
    await far.press("Xong")
    await far.expect("")


async def test_sessions_end_when_idle_and_the_job_unlinks_their_browser(
    app: Application, chat: Chat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    clock.advance(days=app.settings.web_session_idle_days, seconds=1)
    assert (await hoa.http.get("/api/messages")).status_code == 401
    result = await app.scheduler.fire_interval("purge")
    assert result is not None and result["browsers_signed_out"] == 1
    again = await app.scheduler.fire_interval("purge")
    assert again is None or again["browsers_signed_out"] == 0
    hoa.signed_out = True


async def test_spreadsheets_are_deleted_after_their_retention(
    app: Application, chat: Chat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "T-DEMO", "official")
    await official.send("/xuat")
    await official.expect("")
    media = app.settings.media_dir
    assert len(list(media.glob("*.xlsx"))) == 1
    clock.advance(hours=app.settings.export_retention_hours - 1)
    assert (await app.scheduler.fire_interval("purge") or {})["exports_deleted"] == 0
    assert len(list(media.glob("*.xlsx"))) == 1
    clock.advance(hours=1, seconds=1)
    result = await app.scheduler.fire_interval("purge")
    assert result is not None and result["exports_deleted"] == 1
    assert list(media.glob("*.xlsx")) == []
    clock.advance(hours=1)
    assert (await app.scheduler.fire_interval("purge") or {})["exports_deleted"] == 0


async def test_a_browser_that_never_joins_is_forgotten_after_a_day(
    app: Application, chat: Chat, clock: FakeClock
) -> None:
    guest = chat("guest")
    await guest.send("xin chào")
    await guest.expect("hãy gõ mã mời")
    clock.advance(days=1, seconds=1)
    assert (await guest.http.get("/api/messages")).status_code == 401
    result = await app.scheduler.fire_interval("purge")
    assert result is not None and result["sessions_purged"] == 1
    guest.signed_out = True
