"""Bad input of every kind gets a clear answer and never loses what was stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import func, select

from bot.app import Application
from storage.schema import inbox, memberships, nominations, people
from tests.helpers_flow import join, nominate_until_review
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.media import jpeg

Chat = Callable[..., ChatClient]
Invite = Callable[..., Awaitable[str]]
JPEG = jpeg()


async def rows(app: Application, table: object) -> int:
    async with app.db.read() as conn:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        return int((await conn.execute(query)).scalar_one())


async def test_stranger_is_told_how_to_join(chat: Chat) -> None:
    guest = chat("guest")
    await guest.send("xin chào")
    await guest.expect("hãy gõ mã mời")
    await guest.send("xin chao")  # without diacritics: still a greeting, not a wrong code
    await guest.expect("hãy gõ mã mời")
    await guest.send("/decu")
    await guest.expect("Bạn chưa tham gia đơn vị nào")
    await guest.send("/cuatoi")
    await guest.expect("Bạn chưa tham gia đơn vị nào")
    await guest.send("/khonglenh")
    await guest.expect("Không có lệnh /khonglenh")
    refused = await guest.upload(b"not a known file type at all", "x.exe")
    assert refused.status_code == 403  # not joined: nothing is stored
    assert "chưa cần gửi tệp" in refused.json()["text"]


async def test_wrong_codes_are_limited_per_hour(
    chat: Chat, invite: Invite, clock: FakeClock
) -> None:
    guest = chat("guest")
    for _ in range(5):
        await guest.send("ZZZZ-ZZZZ-ZZZZ")
        await guest.expect("Mã mời không đúng")
    code = await invite()
    await guest.send(code)
    await guest.expect("nhập sai mã quá nhiều lần")
    clock.advance(hours=1, seconds=1)
    await guest.send(code)
    await guest.expect("Mã mời hợp lệ")
    await guest.send("/huy")
    await guest.expect("Đã huỷ")


async def test_expired_and_used_invites(
    app: Application, chat: Chat, invite: Invite, clock: FakeClock
) -> None:
    expiring = await invite(days=1)
    single = await invite(uses=1)
    clock.advance(days=2)
    late = chat("late")
    await late.send(f"/start {expiring}")
    await late.expect("Mã mời này đã hết hạn")
    first, second = chat("first"), chat("second")
    await join(first, single, "Người Thứ Nhất")
    await second.send(f"/start {single}")
    await second.expect("đã được dùng hết lượt")
    assert await rows(app, people) == 1


async def test_two_people_racing_for_the_last_use(
    app: Application, chat: Chat, invite: Invite
) -> None:
    code = await invite(uses=1)
    a, b = chat("a"), chat("b")
    for person, name in ((a, "Nguyễn Văn A"), (b, "Nguyễn Văn B")):
        await person.send(code)
        await person.expect("Mã mời hợp lệ")
        await person.send(name)
        await person.expect("Số điện thoại")
        await person.send("0987654321")
        await person.expect("Bạn có đồng ý không?")
    await asyncio.gather(a.press("Đồng ý"), b.press("Đồng ý"))
    texts = [m.text for m in await a.pop()] + [m.text for m in await b.pop()]
    assert sum("Chào mừng" in t for t in texts) == 1
    assert sum("đã được dùng hết lượt" in t for t in texts) == 1
    assert await rows(app, people) == 1
    assert await rows(app, memberships) == 1


async def test_wrong_kind_of_answer_at_each_kind_of_step(chat: Chat, invite: Invite) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("con mèo")
    await hoa.expect("không có trong danh sách", "Bạn đề cử ai?")
    await hoa.send("9")
    await hoa.expect("không có trong danh sách", "Bạn đề cử ai?")
    await hoa.send("ca nhan")
    await hoa.expect("Họ và tên")
    early = await hoa.upload(JPEG, "a.jpg")  # no step but evidence takes files
    assert early.status_code == 403 and "chưa cần gửi tệp" in early.json()["text"]
    await hoa.send("A")
    await hoa.expect("Nội dung quá ngắn: cần ít nhất 2 ký tự")
    await hoa.send("x" * 121)
    await hoa.expect("tối đa 120 ký tự (bạn gửi 121)")
    # "Huy" is a name, or "huỷ" typed without its mark: asked, never taken silently.
    await hoa.send("Huy")
    await hoa.expect("Bạn vừa gõ «Huy». Ý bạn là gì?")
    await hoa.press("Ghi «Huy» làm câu trả lời")
    await hoa.expect("Hãy gõ cả họ và tên (ít nhất hai chữ)")
    await hoa.send("👍👍")
    await hoa.expect("Tên cần có chữ cái")
    await hoa.send("nguyễn văn huy")
    await hoa.expect("Tôi sẽ ghi tên là: «Nguyễn Văn Huy». Đúng không?")
    await hoa.press("Đúng, ghi là Nguyễn Văn Huy")
    await hoa.expect("Năm sinh")
    await hoa.send("năm 68")
    await hoa.expect("Năm sinh cần là 4 chữ số")
    await hoa.send("2999")
    await hoa.expect("Năm sinh cần là 4 chữ số")
    await hoa.send("1968")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 1")
    await hoa.expect("Lĩnh vực")
    await hoa.send("1")
    await hoa.expect("Hãy kể thành tích")
    await hoa.send("Tốt lắm")
    await hoa.expect("cần ít nhất 20 ký tự")
    await hoa.send("x" * 3001)
    await hoa.expect("tối đa 3.000 ký tự", "bạn không phải gõ lại")
    await hoa.send("Ông Huy cứu hai em nhỏ bị đuối nước ở sông Đà năm 2026.")
    await hoa.expect("Gửi minh chứng")
    await hoa.send("mấy cái ảnh")
    await hoa.expect("không có trong danh sách", "Gửi minh chứng")
    wrong = await hoa.upload(b"MZ\x90\x00 not media", "virus.exe")
    assert wrong.status_code == 415 and "Chỉ nhận ảnh" in wrong.json()["text"]
    await hoa.send("xong")
    await hoa.expect("Số điện thoại liên hệ")
    await hoa.send("12345")
    await hoa.expect("Số điện thoại chưa đúng")
    await hoa.send("+84 912 345 678")
    await hoa.expect("công khai")
    await hoa.send("dong y truc tiep")
    await hoa.expect("Xem lại", "Tên: Nguyễn Văn Huy", "Điện thoại liên hệ: 0912 345 678")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")


async def test_stale_second_and_forged_taps(app: Application, chat: Chat, invite: Invite) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.press("Tập thể")
    await hoa.expect("Tên tập thể")
    await hoa.press("Cá nhân")  # the same old menu, tapped again
    await hoa.expect("Nút này đã cũ", "Tên tập thể")
    await hoa.press_token("999.individual")
    await hoa.expect("Nút này đã cũ", "Tên tập thể")
    await hoa.send("Chi hội Phụ nữ thôn 3")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 3")
    menu = await hoa.expect("Lĩnh vực")
    seq = menu[-1].choices[0]["token"].split(".")[0]
    await hoa.press_token(f"{seq}.not_a_field")
    await hoa.expect("không có trong danh sách", "Lĩnh vực")
    await hoa.press_token("no-dot-at-all")
    await hoa.expect("Nút này đã cũ", "Lĩnh vực")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")


async def test_repeated_delivery_is_applied_once(
    app: Application, chat: Chat, invite: Invite
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    first = await hoa.send("/decu", message_id="same-id")
    again = await hoa.send("/decu", message_id="same-id")
    assert first["duplicate"] is False
    assert again["duplicate"] is True
    replies = await hoa.expect("Bạn đề cử ai?")
    assert sum("Bạn đề cử ai?" in m.text for m in replies) == 1
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")


async def test_empty_and_oversized_messages_are_refused(
    app: Application, http: httpx.AsyncClient, chat: Chat
) -> None:
    guest = chat("guest")
    await guest.open()
    before = await rows(app, inbox)
    empty = await guest.http.post("/api/send", json={"text": "   "})
    huge = await guest.http.post("/api/send", json={"text": "x" * 20_000})
    not_json = await guest.http.post(
        "/api/send", content=b"{nope", headers={"content-type": "application/json"}
    )
    no_session = await http.post(
        "/api/send", json={"text": "hi"}, headers={"origin": "http://127.0.0.1"}
    )
    statuses = [r.status_code for r in (empty, huge, not_json, no_session)]
    assert statuses == [400, 400, 400, 401]
    assert await rows(app, inbox) == before


async def test_back_cancel_and_edit_from_review(
    app: Application, chat: Chat, invite: Invite
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("/quaylai")
    await hoa.expect("bước đầu tiên", "Bạn đề cử ai?")
    await hoa.send("1")
    await hoa.expect("Họ và tên")
    await hoa.send("quay lại")  # where a name is asked: which was meant?
    await hoa.expect("Bạn vừa gõ «quay lại»")
    await hoa.press("Quay lại câu trước")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    await hoa.send("/huy")
    await hoa.expect("Hiện không có việc gì đang làm")
    await nominate_until_review(hoa, "Nguyễn Thị Lan")
    await hoa.send("/quaylai")
    await hoa.expect("công khai")
    await hoa.send("dong y truc tiep")
    await hoa.expect("Xem lại")
    await hoa.press("Sửa")
    await hoa.expect("Bạn muốn sửa mục nào?")
    await hoa.press("Tên")
    await hoa.expect("Họ và tên người được đề cử")
    await hoa.send("Nguyễn Thị Lành")
    await hoa.expect("Xem lại", "Tên: Nguyễn Thị Lành")
    await hoa.send("sua")
    await hoa.expect("sửa mục nào")
    await hoa.send("loai de cu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("tap the")
    summary = await hoa.expect("Xem lại", "Loại: Tập thể", "Tên: Nguyễn Thị Lành")
    assert "Năm sinh" not in summary[0].text  # a collective has none
    await hoa.send("/trogiup")
    await hoa.expect("Hướng dẫn sử dụng", "Bạn đang ở giữa một việc", "Xem lại")
    await hoa.press("Gửi")
    await hoa.expect("GS-2026-000001")
    assert await rows(app, nominations) == 1
