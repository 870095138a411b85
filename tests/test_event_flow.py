"""/sukien: announce a visit, members answer, capacity, the day-before reminder, the list."""

from __future__ import annotations

from bot.app import Application
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.people import Invite, MakeChat, person


async def test_event_announcement_rsvp_reminder_and_list(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HND", "official")
    ba = await person(chat, invite, "ba", "Nguyễn Văn Ba", "X-AN-BINH-HND")
    tu = await person(chat, invite, "tu", "Trần Văn Tư", "X-AN-BINH-HND")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await official.send("/sukien")
    await official.expect("Sự kiện", "Chưa có sự kiện nào")
    await official.press("Tạo sự kiện mới")
    await official.expect("Tên sự kiện?")
    await official.send("Tham quan mô hình nuôi bò của hộ ông Ba")
    await official.expect("Địa điểm?")
    await official.send("Thôn 4, xã An Bình")
    await official.expect("Thời gian?")
    await official.send("ngày mai")
    await official.expect("Chưa đúng")
    await official.send("20/11/2026 8:00")
    await official.expect("phải ở sau bây giờ")
    await official.send("28/11/2026 8h30")
    await official.expect("Số người tối đa?")
    await official.send("mười")
    await official.expect("Hãy gõ một số")
    await official.send("1")
    await official.expect("đơn vị nào")
    await official.press("Hội Nông dân xã An Bình")
    await official.expect(
        "Xem trước", "🗓 Tham quan mô hình", "08:30 28/11/2026", "tối đa 1 người", "tới 3 thành viên"
    )
    await official.press("Gửi thông báo sự kiện")
    await official.expect("Đã thông báo sự kiện", "Đang gửi…", "Tin sẽ bắt đầu gửi lúc")
    await stands(app, clock)
    await official.expect("🗓 Tham quan")
    invitation = await ba.expect("🗓 Tham quan mô hình nuôi bò", "Thôn 4, xã An Bình")
    assert invitation[0].labels == ["Tham gia", "Không tham gia"]
    await tu.expect("🗓")
    assert not await hoa.pop()

    await ba.press("Tham gia")
    await ba.expect("Đã ghi nhận bạn tham gia", "08:30 28/11/2026")
    await tu.send("1")  # typed: the invitation is the last message Tư received
    await tu.expect("đã đủ người")
    await tu.send("2")
    await tu.expect("Đã ghi nhận bạn không tham gia")
    await hoa.press_token("!rsvp.1.yes")  # outside the scope: forged
    await hoa.expect("không dành cho đơn vị của bạn")
    await ba.press("Tham gia")  # answering again keeps the place
    await ba.expect("Đã ghi nhận bạn tham gia")

    await official.send("su kien")
    await official.expect("Tham quan mô hình nuôi bò của hộ ông Ba — 08:30 28/11/2026")
    await official.press("Tham quan mô hình nuôi bò của hộ ông Ba")
    await official.expect("Tham gia: 1 (tối đa 1 người)", "1. Nguyễn Văn Ba", "Không tham gia: 1")

    # The day before (outside quiet hours), only those attending are reminded, once.
    clock.advance(days=1, hours=12)  # 21:00 local on 26/11, quiet
    assert await app.scheduler.fire_interval("event_tick") == {"reminded": 0}
    clock.advance(hours=11)  # 08:00 local on 27/11
    assert await app.scheduler.fire_interval("event_tick") == {"reminded": 1}
    await ba.expect("⏰ Nhắc: ngày mai bạn tham gia «Tham quan mô hình nuôi bò của hộ ông Ba»")
    clock.advance(minutes=1)
    assert await app.scheduler.fire_interval("event_tick") == {"reminded": 0}
    assert not await tu.pop()
    clock.advance(days=2)
    await ba.press("Không tham gia")
    await ba.expect("đã diễn ra")
