"""The member's whole journey, typed answers only, on every channel (see drivers.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.contract.drivers import Driver
from tests.helpers_flow import ACHIEVEMENT


async def join_typed(driver: Driver, code: str, name: str) -> None:
    """Redeem an invite by typing the code, the name, 'bo qua' and '1'."""
    await driver.send(code)
    await driver.expect("Mã mời hợp lệ", "họ và tên")
    await driver.send(name)
    await driver.expect("Số điện thoại của bạn")
    await driver.send("bo qua")
    await driver.expect("Đồng ý lưu thông tin cá nhân")
    await driver.send("1")
    await driver.expect(f"Chào mừng {name}")


async def test_join_nominate_and_list(
    driver: Driver, invite: Callable[..., Awaitable[str]]
) -> None:
    await join_typed(driver, await invite(), "Trần Thị Hoa")
    await driver.send("/decu")
    await driver.expect("Bạn đề cử ai?")
    await driver.send("1")
    await driver.expect("Họ và tên người được đề cử")
    await driver.send("Nguyễn Thị Lan")
    await driver.expect("Năm sinh")
    await driver.send("1968")
    await driver.expect("Nơi sinh sống")
    await driver.send("Thôn 3, xã An Bình")
    await driver.expect("Lĩnh vực")
    await driver.send("6")
    await driver.expect("Hãy kể thành tích")
    await driver.send(ACHIEVEMENT)
    await driver.expect("Gửi minh chứng")
    await driver.send_image()
    await driver.expect("Đã nhận 1/10 tệp")
    await driver.send("xong")
    await driver.expect("Số điện thoại liên hệ")
    await driver.send("0912 345 678")
    await driver.expect("công khai")
    await driver.send("dong y truc tiep")
    await driver.expect("Xem lại đề cử", "Nguyễn Thị Lan", "1968", "Minh chứng: 1 tệp")
    await driver.send("1")
    await driver.expect("Đã gửi đề cử! Mã đề cử của bạn: GS-2026-000001")
    await driver.send("/cuatoi")
    listed = await driver.expect("Các đề cử của bạn (1)", "GS-2026-000001 — Nguyễn Thị Lan")
    assert not any("Mã đăng nhập" in text for text in listed)
    # Sign-in codes are their own menu item of /taikhoan, never a side effect of /cuatoi.
    await driver.send("/taikhoan")
    await driver.expect("Tài khoản của")
    await driver.press("Liên kết ứng dụng khác / đăng nhập web")
    await driver.expect("Mã đăng nhập của bạn", "dùng được một lần")


async def test_stranger_gets_the_welcome_and_bad_codes_are_answered(driver: Driver) -> None:
    await driver.send("xin chào")
    await driver.expect("hãy gõ mã mời")
    await driver.send("KHONGCOMA22")
    await driver.expect("không đúng")
