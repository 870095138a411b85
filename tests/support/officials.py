"""Officials' conversations used by several tests."""

from __future__ import annotations

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands

BODY = "Mời các hội viên đề cử những tấm gương người tốt, việc tốt ở địa phương mình."
ACHIEVEMENT = "Chị Mai nhiều năm dạy chữ miễn phí cho trẻ em nghèo trong thôn vào buổi tối."


async def open_call(
    official: ChatClient,
    app: Application,
    clock: FakeClock,
    title: str = "Đề cử người tốt năm 2026",
    count: int = 3,
    deadline: str = "31/12/2026",
) -> None:
    """Go through /dotphatdong to the opened call (scope: Xã An Bình, no photo), and let
    its undo window pass so that it goes out."""
    await official.send("/dotphatdong")
    await official.expect("Đợt phát động")
    await official.press("Tạo đợt mới")
    await official.expect("Tên đợt phát động?")
    await official.send(title)
    await official.expect("Nội dung lời kêu gọi")
    await official.send(BODY)
    await official.expect("lĩnh vực nào", "Đã chọn: Tất cả lĩnh vực")
    await official.press("Học tập")
    await official.expect("Đã chọn: Học tập")
    await official.press("Người tốt, việc tốt")
    await official.expect("Đã chọn: Học tập, Người tốt, việc tốt")
    await official.press("Xong")
    await official.expect("Hạn cuối nhận đề cử?")
    await official.send(deadline)
    await official.expect("Gửi tới thành viên của đơn vị nào?")
    await official.press("Xã An Bình")
    await official.expect("Gửi một ảnh")
    await official.press("Bỏ qua")
    preview = await official.expect(
        "Xem trước",
        title,
        BODY,
        "Lĩnh vực: Học tập, Người tốt, việc tốt",
        f"Hạn cuối: hết ngày {deadline}",
        f"sẽ gửi tới {count} thành viên của Xã An Bình",
    )
    assert preview[-1].labels == ["Mở đợt và gửi", "Huỷ"]
    await official.press("Mở đợt và gửi")
    opened = await official.expect(
        f"Đã mở đợt «{title}»", "Đang gửi…", f"Đã gửi 0/{count}", "Tin sẽ bắt đầu gửi lúc"
    )
    assert opened[-1].labels[0] == "↩ Hoàn tác mở đợt"
    await stands(app, clock)
    # The official is in scope too: the call reaches them once it stands.
    await official.expect(f"📣 {title}")


async def nominate_in_call(member: ChatClient, name: str = "Nguyễn Thị Mai") -> str:
    """From the call's "Đề cử ngay" to the receipt, with typed answers; returns the text."""
    await member.press("Đề cử ngay")
    await member.expect("Bạn đề cử ai?")
    await member.send("ca nhan")
    await member.expect("Họ và tên")
    await member.send(name)
    await member.expect("Năm sinh")
    await member.send("1980")
    await member.expect("Nơi sinh sống")
    await member.send("Thôn 2, xã An Bình")
    await member.expect("Lĩnh vực")
    await member.send("hoc tap")
    await member.expect("thành tích")
    await member.send(ACHIEVEMENT)
    await member.expect("minh chứng")
    await member.send("bo qua")
    await member.expect("Số điện thoại liên hệ")
    await member.send("0912345678")
    await member.expect("công khai")
    await member.send("dong y truc tiep")
    await member.expect("Xem lại")
    await member.send("gui")
    receipt = await member.expect("Mã đề cử của bạn")
    return receipt[0].text
