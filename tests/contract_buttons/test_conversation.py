"""The same conversation on every adapter that has buttons, tapped and typed: web chat, Telegram."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from storage.schema import nominations
from tests.contract_buttons.drivers import Driver
from tests.helpers_flow import ACHIEVEMENT

Invite = Callable[..., Awaitable[str]]
Person = Callable[[str], Driver]


async def join(who: Driver, code: str, name: str) -> None:
    await who.send(f"/start {code}")
    await who.expect("Mã mời hợp lệ", "họ và tên")
    await who.send(name)
    await who.expect("Số điện thoại của bạn")
    await who.press("Bỏ qua")
    await who.expect("Đồng ý lưu thông tin cá nhân")
    await who.press("Đồng ý")
    await who.expect(f"Chào mừng {name}")


async def submitted(app: Application) -> list[str]:
    async with app.db.read() as conn:
        return list((await conn.execute(select(nominations.c.nominee_name))).scalars().all())


async def test_nominate_with_choices(
    contract_app: Application, person: Person, contract_invite: Invite
) -> None:
    hoa = person("Hoa")
    await join(hoa, await contract_invite(), "Trần Thị Hoa")
    await hoa.press("Đề cử người tốt")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên người được đề cử")
    await hoa.send("Nguyễn Thị Lan")
    await hoa.expect("Năm sinh")
    await hoa.press("Bỏ qua")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 3, xã An Bình")
    await hoa.expect("Lĩnh vực")
    await hoa.press("Học tập")
    await hoa.expect("Hãy kể thành tích")
    await hoa.send(ACHIEVEMENT)
    await hoa.expect("Gửi minh chứng")
    await hoa.press("Bỏ qua")
    await hoa.expect("Số điện thoại liên hệ")
    await hoa.press("Bỏ qua")
    await hoa.expect("công khai")
    await hoa.press("Có")
    await hoa.expect("Xem lại đề cử", "Lĩnh vực: Học tập")
    await hoa.press("Gửi")
    await hoa.expect("Mã đề cử của bạn: GS-2026-000001")
    assert await submitted(contract_app) == ["Nguyễn Thị Lan"]


async def test_nominate_typed_without_diacritics(
    contract_app: Application, person: Person, contract_invite: Invite
) -> None:
    nam = person("Nam")
    await nam.send(await contract_invite())
    await nam.expect("Mã mời hợp lệ")
    await nam.send("Le Van Nam")
    await nam.expect("Số điện thoại")
    await nam.send("0912345678")
    await nam.expect("Bạn có đồng ý không?")
    await nam.send("dong y")
    await nam.expect("Chào mừng Le Van Nam")
    await nam.send("de cu")
    await nam.expect("Bạn đề cử ai?")
    await nam.send("tap the")
    await nam.expect("Tên tập thể")
    await nam.send("Chi hội Phụ nữ thôn 3")
    await nam.expect("Nơi sinh sống")
    await nam.send("Thôn 3")
    await nam.expect("Lĩnh vực")
    await nam.send("nguoi tot viec tot")
    await nam.expect("Hãy kể thành tích")
    await nam.send(ACHIEVEMENT)
    await nam.expect("Gửi minh chứng")
    await nam.send("bo qua")
    await nam.expect("Số điện thoại liên hệ")
    await nam.send("0987 654 321")
    await nam.expect("công khai")
    await nam.send("co")
    await nam.expect("Xem lại", "Loại: Tập thể", "0987 654 321")
    await nam.send("gui")
    await nam.expect("GS-2026-000001")
    assert await submitted(contract_app) == ["Chi hội Phụ nữ thôn 3"]


async def test_back_cancel_and_bad_answers(
    contract_app: Application, person: Person, contract_invite: Invite
) -> None:
    lan = person("Lan")
    await join(lan, await contract_invite(), "Phạm Thị Lan")
    await lan.send("/decu")
    await lan.expect("Bạn đề cử ai?")
    await lan.send("7")
    await lan.expect("không có trong danh sách", "Bạn đề cử ai?")
    await lan.send("ca nhan")
    await lan.expect("Họ và tên")
    await lan.send("A")
    await lan.expect("quá ngắn")
    await lan.send("/quaylai")
    await lan.expect("Bạn đề cử ai?")
    await lan.send("/huy")
    await lan.expect("Đã huỷ")
    assert await submitted(contract_app) == []
