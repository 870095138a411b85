"""Conversation steps several tests share."""

from __future__ import annotations

from tests.support.chat import ChatClient

ACHIEVEMENT = "Bà Lan nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện."


async def join(chat: ChatClient, code: str, name: str = "Trần Thị Hoa") -> None:
    """Redeem an invite: code, name, phone skipped, consent."""
    await chat.send(f"/start {code}")
    await chat.expect("Mã mời hợp lệ", "họ và tên")
    await chat.send(name)
    await chat.expect("Số điện thoại của bạn")
    await chat.press("Bỏ qua")
    await chat.expect("Đồng ý lưu thông tin cá nhân")
    await chat.press("Đồng ý")
    await chat.expect(f"Chào mừng {name}")


async def nominate_until_review(chat: ChatClient, name: str = "Nguyễn Thị Lan") -> None:
    """Answer every step of /decu up to the review screen, typed only."""
    await chat.send("/decu")
    await chat.expect("Bạn đề cử ai?")
    await chat.send("1")
    await chat.expect("Họ và tên người được đề cử")
    await chat.send(name)
    await chat.expect("Năm sinh")
    await chat.send("bo qua")
    await chat.expect("Nơi sinh sống")
    await chat.send("Thôn 3, xã An Bình")
    await chat.expect("Lĩnh vực")
    await chat.send("6")
    await chat.expect("Hãy kể thành tích")
    await chat.send(ACHIEVEMENT)
    await chat.expect("Gửi minh chứng")
    await chat.send("bo qua")
    await chat.expect("Số điện thoại liên hệ")
    await chat.send("bo qua")
    await chat.expect("công khai")
    await chat.send("1")
    await chat.expect("Xem lại đề cử", name)
