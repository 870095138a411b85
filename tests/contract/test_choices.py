"""Conversations that pick from menus, tapped and typed, on every channel (see drivers.py).

`press` taps a button on the web chat and on Telegram and types the option's words on Zalo OA
and Zalo Bot (numbered menus, no buttons); `send` types on every channel, here often without
diacritics. Each test also checks what was stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from storage.schema import nominations
from tests.contract.drivers import Driver
from tests.helpers_flow import ACHIEVEMENT

Invite = Callable[..., Awaitable[str]]


async def join(who: Driver, code: str, name: str) -> None:
    """Redeem an invite with '/start CODE' (PRODUCT.md), then pick the consent options.

    The product takes '/start CODE' on all four channels: Telegram sends it for a
    t.me/<bot>?start= link, and the web chat, Zalo OA and Zalo Bot read a typed leading '/'
    as a command. The bare code, typed, is covered by `join_typed` in test_conversation.py
    and by test_nominate_typed_without_diacritics below.
    """
    await who.send(f"/start {code}")
    await who.expect("Mã mời hợp lệ", "họ và tên")
    await who.send(name)
    await who.expect("Số điện thoại của bạn")
    await who.press("Bỏ qua")
    await who.expect("Đồng ý lưu thông tin cá nhân")
    await who.press("Đồng ý")
    await who.expect(f"Chào mừng {name}")


async def submitted(app: Application) -> list[str]:
    """The nominee names stored so far."""
    async with app.db.read() as conn:
        return list((await conn.execute(select(nominations.c.nominee_name))).scalars().all())


async def test_nominate_with_choices(driver: Driver, app: Application, invite: Invite) -> None:
    await join(driver, await invite(), "Trần Thị Hoa")
    await driver.press("Đề cử người tốt")
    await driver.expect("Bạn đề cử ai?")
    await driver.press("Cá nhân")
    await driver.expect("Họ và tên người được đề cử")
    await driver.send("Nguyễn Thị Lan")
    await driver.expect("Năm sinh")
    await driver.press("Bỏ qua")
    await driver.expect("Nơi sinh sống")
    await driver.send("Thôn 3, xã An Bình")
    await driver.expect("Lĩnh vực")
    await driver.press("Học tập")
    await driver.expect("Hãy kể thành tích")
    await driver.send(ACHIEVEMENT)
    await driver.expect("Gửi minh chứng")
    await driver.press("Bỏ qua")
    await driver.expect("Số điện thoại liên hệ")
    await driver.press("Bỏ qua")
    await driver.expect("công khai")
    await driver.press("Đồng ý trực tiếp với tôi")
    await driver.expect("Xem lại đề cử", "Lĩnh vực: Học tập")
    await driver.press("Gửi")
    await driver.expect("Mã đề cử của bạn: GS-2026-000001")
    assert await submitted(app) == ["Nguyễn Thị Lan"]


async def test_nominate_typed_without_diacritics(
    driver: Driver, app: Application, invite: Invite
) -> None:
    await driver.send(await invite())
    await driver.expect("Mã mời hợp lệ")
    await driver.send("Le Van Nam")
    await driver.expect("Số điện thoại")
    await driver.send("0912345678")
    await driver.expect("Bạn có đồng ý không?")
    await driver.send("dong y")
    await driver.expect("Chào mừng Le Van Nam")
    await driver.send("de cu")
    await driver.expect("Bạn đề cử ai?")
    await driver.send("tap the")
    await driver.expect("Tên tập thể")
    await driver.send("Chi hội Phụ nữ thôn 3")
    await driver.expect("Nơi sinh sống")
    await driver.send("Thôn 3")
    await driver.expect("Lĩnh vực")
    await driver.send("nguoi tot viec tot")
    await driver.expect("Hãy kể thành tích")
    await driver.send(ACHIEVEMENT)
    await driver.expect("Gửi minh chứng")
    await driver.send("bo qua")
    await driver.expect("Số điện thoại liên hệ")
    await driver.send("0987 654 321")
    await driver.expect("công khai")
    await driver.send("dong y qua dien thoai")
    await driver.expect("Xem lại", "Loại: Tập thể", "0987 654 321")
    await driver.send("gui")
    await driver.expect("GS-2026-000001")
    assert await submitted(app) == ["Chi hội Phụ nữ thôn 3"]


async def test_back_cancel_and_bad_answers(
    driver: Driver, app: Application, invite: Invite
) -> None:
    await join(driver, await invite(), "Phạm Thị Lan")
    await driver.send("/decu")
    await driver.expect("Bạn đề cử ai?")
    await driver.send("7")
    await driver.expect("không có trong danh sách", "Bạn đề cử ai?")
    await driver.send("ca nhan")
    await driver.expect("Họ và tên")
    await driver.send("A")
    await driver.expect("quá ngắn")
    await driver.send("/quaylai")
    await driver.expect("Bạn đề cử ai?")
    await driver.send("/huy")
    await driver.expect("Đã huỷ")
    assert await submitted(app) == []
