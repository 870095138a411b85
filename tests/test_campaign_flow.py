"""An official opens a call; members in scope get it and nominate from its button."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Application
from storage.schema import audit_log, campaigns, nominations, outbox
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.media import PDF, jpeg
from tests.support.officials import BODY, open_call
from tests.support.people import Invite, MakeChat, person

JPEG = jpeg()

ACHIEVEMENT = "Chị Mai nhiều năm dạy chữ miễn phí cho trẻ em nghèo trong thôn vào buổi tối."


async def test_call_reaches_members_in_scope_who_nominate_from_it(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    nam = await person(chat, invite, "nam", "Phạm Văn Nam", "X-AN-BINH-DTN")
    outside = await person(chat, invite, "xa", "Đỗ Thị Xa", "P-HOA-LAC-HPN")
    await open_call(official, app, clock)

    call = await hoa.expect("📣 Đề cử người tốt năm 2026", BODY, "Hạn cuối: hết ngày 31/12/2026")
    assert call[-1].labels == ["Đề cử ngay"]
    await nam.expect("📣 Đề cử người tốt năm 2026")
    assert not await outside.pop()

    # Progress: the job edits the official's message, then reports the end.
    clock.advance(seconds=10)
    await app.scheduler.fire_interval("bulk_progress")
    progress = await official.expect(
        "Đã gửi xong.", "Đã gửi 3/3 · lỗi 0 · đã chặn 0", "Báo cáo gửi"
    )
    assert progress[0].id > 0

    # "Đề cử ngay" starts a nomination tied to the call, without asking which call.
    await hoa.press("Đề cử ngay")
    await hoa.expect("Đề cử người tốt", "Bạn đề cử ai?")
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên")
    await hoa.send("Nguyễn Thị Mai")
    await hoa.expect("Năm sinh")
    await hoa.press("Bỏ qua")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 2, xã An Bình")
    await hoa.expect("Lĩnh vực")
    await hoa.press("Học tập")
    await hoa.expect("thành tích")
    await hoa.send(ACHIEVEMENT)
    await hoa.expect("minh chứng")
    await hoa.press("Bỏ qua")
    await hoa.expect("Số điện thoại liên hệ")
    await hoa.press("Bỏ qua")
    await hoa.expect("công khai")
    await hoa.press("Đồng ý qua điện thoại")
    await hoa.expect("Xem lại", "Đợt phát động: Đề cử người tốt năm 2026")
    await hoa.press("Gửi")
    await hoa.expect("GS-2026-000001")

    # Without buttons (Zalo): the idle member types the option's number.
    await nam.send("1")
    await nam.expect("Bạn đề cử ai?")
    await nam.send("/huy")
    await nam.expect("Đã huỷ")

    async with app.db.read() as conn:
        row = (await conn.execute(select(nominations))).one()
        call_row = (await conn.execute(select(campaigns))).one()
        keys = [r.dedupe_key for r in await conn.execute(select(outbox.c.dedupe_key))]
    assert row.campaign_id == call_row.id
    assert call_row.fields == ["study", "good_deed"]
    assert call_row.status == "open"
    assert sum(1 for k in keys if k and k.startswith(f"call:{call_row.id}:")) == 3


async def test_forged_and_closed_call_buttons_are_answered_politely(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    outside = await person(chat, invite, "xa", "Đỗ Thị Xa", "P-HOA-LAC-HPN")
    await open_call(official, app, clock, count=2)
    await hoa.expect("📣")
    # A member outside the call's scope forges its button: refused, nothing starts.
    await outside.press_token("!call.1")
    await outside.expect("đã kết thúc hoặc không dành cho đơn vị của bạn")
    await outside.press_token("!nonsense.1")
    await outside.expect("Nút này đã cũ")
    # The official closes the call; its button then no longer starts a nomination.
    await official.send("dot phat dong")
    await official.expect("Các đợt gần đây", "Đề cử người tốt năm 2026 — đang mở")
    await official.press("Đề cử người tốt năm 2026")
    await official.expect("Trạng thái: đang mở", "Số người đã đề cử: 0")
    await official.press("Kết thúc đợt")
    await official.expect("Kết thúc đợt ngay bây giờ?")
    await official.press("Kết thúc ngay")
    await official.expect("Tổng kết đợt «Đề cử người tốt năm 2026»", "Chưa có", "Đã kết thúc đợt")
    await hoa.press("Đề cử ngay")
    await hoa.expect("đã kết thúc hoặc không dành cho đơn vị của bạn")
    async with app.db.read() as conn:
        actions = [r.action for r in await conn.execute(select(audit_log.c.action))]
    assert "campaign.opened" in actions and "campaign.closed" in actions


async def test_members_cannot_open_calls_and_bad_dates_are_explained(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send("/campaign")
    await hoa.expect("không có quyền")
    await hoa.send("/thongbao")
    await hoa.expect("không có quyền")
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    await official.send("/dotphatdong")
    await official.expect("Đợt phát động")
    await official.press("Tạo đợt mới")
    await official.expect("Tên đợt")
    await official.send("Đợt")
    await official.expect("quá ngắn")
    await official.send("Đợt thi đua mùa xuân")
    await official.expect("Nội dung")
    await official.send(BODY)
    await official.expect("lĩnh vực nào")
    await official.press("Tất cả lĩnh vực")
    await official.expect("Hạn cuối")
    await official.send("31/02/2027")
    await official.expect("Ngày chưa đúng")
    await official.send("01/01/2020")
    await official.expect("phải sau hôm nay")
    await official.send("25/11/2026")
    await official.expect("phải sau hôm nay")
    await official.send("01/01/2029")
    await official.expect("quá một năm")
    await official.send("mai")
    await official.expect("Ngày chưa đúng")
    await official.send("26/11/2026")
    await official.expect("đơn vị nào")
    await official.send("/quaylai")
    await official.expect("Hạn cuối")
    await official.send("/huy")
    await official.expect("Đã huỷ")
    async with app.db.read() as conn:
        assert (await conn.execute(select(campaigns))).first() is None


async def test_call_with_a_photo(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-CCB", "official")
    ba = await person(chat, invite, "ba", "Nguyễn Văn Ba", "X-AN-BINH-CCB")
    await official.send("/dotphatdong")
    await official.expect("Đợt phát động")
    await official.press("Tạo đợt mới")
    await official.expect("Tên đợt")
    await official.send("Cựu chiến binh gương mẫu")
    await official.expect("Nội dung")
    await official.send("Đề cử hội viên cựu chiến binh gương mẫu trong phong trào ở thôn.")
    await official.expect("lĩnh vực nào")
    await official.send("tat ca linh vuc")
    await official.expect("Hạn cuối")
    await official.send("15/01/2027")
    await official.expect("đơn vị nào")
    await official.send("1")
    await official.expect("Gửi một ảnh")
    await official.send("ảnh đây")
    await official.expect("không có trong danh sách", "Gửi một ảnh")
    assert (await official.upload(PDF, "kehoach.pdf")).status_code == 200
    await official.expect("hãy gửi một ảnh")
    assert (await official.upload(JPEG, "anh.jpg")).status_code == 200
    preview = await official.expect("Xem trước", "Cựu chiến binh gương mẫu", "tới 2 thành viên")
    assert preview[1].media and preview[1].media[0]["kind"] == "photo"
    await official.send("mo dot va gui")
    await official.expect("Đã mở đợt", "Tin sẽ bắt đầu gửi lúc")
    await stands(app, clock)
    await official.expect("Cựu chiến binh gương mẫu")
    call = await ba.expect("📣 Cựu chiến binh gương mẫu", "Lĩnh vực: Tất cả lĩnh vực")
    assert call[0].media[0]["url"].startswith("/media/")


async def test_call_button_during_a_draft_keeps_the_draft(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.press("Tập thể")
    await hoa.expect("Tên tập thể")
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    await open_call(official, app, clock, count=2)
    await hoa.expect("📣")
    await hoa.press("Đề cử ngay")
    await hoa.expect("được gắn với đợt «Đề cử người tốt năm 2026»", "Tên tập thể")
    await hoa.send("Chi hội Phụ nữ thôn 3")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
