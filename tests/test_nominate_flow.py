"""The member's journey on the web chat: join with an invite, nominate, follow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from bot.app import Application
from storage.schema import consents, evidence, nominations
from tests.helpers_flow import ACHIEVEMENT, join
from tests.support.chat import ChatClient
from tests.support.media import jpeg

JPEG = jpeg()


async def count(app: Application, table: object) -> int:
    async with app.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_member_joins_and_nominates_with_buttons(
    app: Application, chat: Callable[..., ChatClient], invite: Callable[..., Awaitable[str]]
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    await hoa.send("/decu")
    await hoa.expect("Đề cử người tốt", "Bạn đề cử ai?")
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên người được đề cử")
    await hoa.send("Nguyễn Thị Lan")
    await hoa.expect("Năm sinh")
    await hoa.send("1968")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 3, xã An Bình")
    await hoa.expect("Lĩnh vực")
    await hoa.press("Người tốt, việc tốt")
    await hoa.expect("Hãy kể thành tích")
    await hoa.send(ACHIEVEMENT)
    await hoa.expect("Gửi minh chứng")
    upload = await hoa.upload(JPEG, "anh.jpg")
    assert upload.status_code == 200
    await hoa.expect("Đã nhận 1/10 tệp")
    await hoa.press("Xong")
    await hoa.expect("Số điện thoại liên hệ")
    await hoa.send("0912 345 678")
    await hoa.expect("đã đồng ý cho công khai chưa")
    await hoa.press("Đồng ý trực tiếp với tôi")
    review = await hoa.expect(
        "Xem lại đề cử", "Nguyễn Thị Lan", "1968", "Minh chứng: 1 tệp", "0912 345 678"
    )
    assert review[-1].labels == ["Gửi", "Sửa", "Huỷ"]
    await hoa.press("Gửi")
    await hoa.expect("Đã gửi đề cử! Mã đề cử của bạn: GS-2026-000001")
    await hoa.send("/cuatoi")
    await hoa.expect("Các đề cử của bạn (1)", "GS-2026-000001 — Nguyễn Thị Lan — Đã gửi, chờ duyệt")
    async with app.db.read() as conn:
        row = (await conn.execute(select(nominations))).one()
        files = (await conn.execute(select(evidence))).all()
        consent = (await conn.execute(select(consents))).one()
    assert row.contact_phone == "+84912345678"
    assert row.nominee_key == "nguyen thi lan"
    assert row.birth_year == 1968
    assert row.consent_public is True
    assert len(files) == 1 and files[0].mime == "image/jpeg"
    assert consent.text_version and "lưu họ tên" in consent.text


async def test_typed_answers_without_diacritics(
    app: Application, chat: Callable[..., ChatClient], invite: Callable[..., Awaitable[str]]
) -> None:
    """Zalo has no buttons: numbers and words typed without diacritics do everything."""
    nam = chat("nam")
    await nam.send(await invite())  # a code typed plainly works like /start CODE
    await nam.expect("Mã mời hợp lệ")
    await nam.send("Le Van Nam")
    await nam.expect("Số điện thoại")
    await nam.send("bo qua")
    await nam.expect("Bạn có đồng ý không?")
    await nam.send("1")
    await nam.expect("Chào mừng Le Van Nam")
    await nam.send("de cu")
    await nam.expect("Bạn đề cử ai?")
    await nam.send("ho gia dinh")
    await nam.expect("Tên hộ gia đình")
    await nam.send("Hộ ông Ba")
    await nam.expect("Nơi sinh sống")  # no birth year for a household
    await nam.send("Tổ 5, phường Hoà Lạc")
    await nam.expect("Lĩnh vực")
    await nam.send("2")
    await nam.expect("Hãy kể thành tích")
    await nam.send("Gia đình ông Ba nuôi bò giỏi, giúp 10 hộ nghèo thoát nghèo.")
    await nam.expect("Gửi minh chứng")
    await nam.send("bo qua")
    await nam.expect("Số điện thoại liên hệ")
    await nam.send("bỏ qua")
    await nam.expect("công khai")
    await nam.send("chua")
    await nam.expect(
        "Xem lại", "Loại: Hộ gia đình", "Lĩnh vực: Kinh doanh", "Đồng ý công khai: Chưa"
    )
    await nam.send("gui")
    await nam.expect("GS-2026-000001")
    assert await count(app, nominations) == 1
