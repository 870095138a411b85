"""A member's rights on every channel, with the choices each one offers (buttons, or a
numbered menu answered with typed words): see and correct their data, download it, withdraw
consent and give it again, erase it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.contract.drivers import Driver
from tests.contract.test_conversation import join_typed


async def test_see_correct_download_withdraw_agree_and_erase(
    driver: Driver, invite: Callable[..., Awaitable[str]]
) -> None:
    await join_typed(driver, await invite(), "Đỗ Thị Quyền")
    await driver.send("/dulieu")
    await driver.expect("Dữ liệu Gương Sáng đang lưu về bạn", "Họ tên: Đỗ Thị Quyền")
    await driver.press("Sửa họ tên")
    await driver.expect("Gõ họ và tên đúng")
    await driver.send("Đỗ Thị Quyên")
    await driver.expect("Đã sửa họ tên thành: Đỗ Thị Quyên", "Họ tên: Đỗ Thị Quyên")
    await driver.press("Tải về (tệp JSON)")
    await driver.expect("toàn bộ dữ liệu Gương Sáng lưu về bạn")
    await driver.send("du lieu")
    await driver.expect("Dữ liệu Gương Sáng")
    await driver.press("Rút lại đồng ý")
    await driver.expect("Bạn chắc chắn muốn rút lại?")
    await driver.press("Rút lại đồng ý")
    await driver.expect("Đã ghi nhận bạn rút lại đồng ý")
    await driver.send("/decu")
    await driver.expect("Bạn đã rút lại đồng ý")
    await driver.press("Đồng ý lại")
    await driver.expect("Bạn có đồng ý không?")
    await driver.press("Đồng ý")
    await driver.expect("Đã ghi nhận bạn đồng ý lại")
    await driver.send("xoa du lieu")
    await driver.expect("không thể hoàn tác")
    await driver.press("Xoá vĩnh viễn")
    await driver.expect("gõ chữ XOÁ")
    await driver.send("xoa")
    await driver.expect("Đã xoá dữ liệu của bạn")
    await driver.send("/dulieu")
    await driver.expect("mã mời")
