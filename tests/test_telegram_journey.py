"""The member's journey on Telegram: deep link, buttons, typed answers, evidence, contacts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.app import Application
from storage.schema import evidence, nominations, people
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers_flow import ACHIEVEMENT
from tests.support.media import PDF, jpeg
from tests.support.telegram import TelegramUser, buttons_of, join

Invite = Callable[..., Awaitable[str]]
JPEG = jpeg()
MakeUser = Callable[..., TelegramUser]


async def test_nomination_through_buttons(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(5001, "Hoa")
    await join(hoa, await tg_invite())
    await hoa.send("/decu@guong_sang_bot")
    messages = await hoa.expect("Đề cử người tốt", "Bạn đề cử ai?")
    tokens = [b["callback_data"] for b in buttons_of(messages[-1])]
    assert all(len(token.encode()) <= 64 for token in tokens)
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên người được đề cử")
    # The pressed menu lost its keyboard; the press was answered.
    pressed = fake_telegram.message(5001, messages[-1].message_id)
    assert pressed is not None and "reply_markup" not in pressed
    assert fake_telegram.calls("answerCallbackQuery")[-1].status == 200
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
    await hoa.taken(fake_telegram.send_photo(5001, caption="Ảnh bà Lan", content=JPEG))
    await hoa.expect("Đã nhận 1/10 tệp")
    await hoa.taken(fake_telegram.send_voice(5001))
    await hoa.expect("Đã nhận 2/10 tệp")
    await hoa.upload(PDF, "giay_khen.pdf")
    await hoa.expect("Đã nhận 3/10 tệp")
    await hoa.taken(fake_telegram.send_video(5001))
    await hoa.expect("Đã nhận 4/10 tệp")
    await hoa.press("Xong")
    await hoa.expect("Số điện thoại liên hệ")
    await hoa.send("0912 345 678")
    await hoa.expect("đã đồng ý cho công khai chưa")
    await hoa.press("Đồng ý trực tiếp với tôi")
    review = await hoa.expect("Xem lại đề cử", "Nguyễn Thị Lan", "Minh chứng: 4 tệp")
    assert [b["text"] for b in buttons_of(review[-1])] == ["Gửi", "Sửa", "Huỷ"]
    await hoa.press("Gửi")
    await hoa.expect("Đã gửi đề cử! Mã đề cử của bạn: GS-2026-000001")
    async with tg_app.db.read() as conn:
        row = (await conn.execute(select(nominations))).one()
        files = (await conn.execute(select(evidence).order_by(evidence.c.id))).all()
    assert row.contact_phone == "+84912345678"
    assert [f.kind for f in files] == ["photo", "voice", "document", "video"]
    assert {f.channel for f in files} == {"telegram"}
    # The largest photo size is kept: the full-quality file.
    assert fake_telegram.file_content(files[0].file_ref) == JPEG
    assert files[2].file_name == "giay_khen.pdf"


async def test_nomination_through_typed_answers(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite
) -> None:
    nam = tg_user(5002, "Nam")
    await nam.send(await tg_invite())  # the code typed plainly
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
    await nam.expect("Nơi sinh sống")
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
    await nam.expect("Xem lại", "Loại: Hộ gia đình", "Đồng ý công khai: Chưa")
    await nam.send("gui")
    await nam.expect("GS-2026-000001")
    async with tg_app.db.read() as conn:
        assert len((await conn.execute(select(nominations))).all()) == 1


async def test_own_contact_accepted_someone_elses_refused(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    lan = tg_user(5003, "Lan")
    fake_telegram.add_user(5999, "Người khác")
    await lan.send(f"/start {await tg_invite()}")
    await lan.expect("Mã mời hợp lệ")
    await lan.send("Phạm Thị Lan")
    await lan.expect("Số điện thoại của bạn")
    await lan.share_phone("+84987654321", owner=5999)
    await lan.expect("không phải số của bạn")
    await lan.share_phone("+84912000111")
    await lan.expect("Đồng ý lưu thông tin cá nhân")
    await lan.press("Đồng ý")
    await lan.expect("Chào mừng Phạm Thị Lan")
    async with tg_app.db.read() as conn:
        phones = (await conn.execute(select(people.c.phone))).scalars().all()
    assert phones == ["+84912000111"]


async def test_the_command_menu_is_vietnamese(
    tg_app: Application, fake_telegram: FakeTelegram
) -> None:
    [call] = fake_telegram.calls("setMyCommands")
    assert call.status == 200
    commands = {c["command"]: c["description"] for c in call.params["commands"]}
    assert list(commands) == [
        "start",
        "decu",
        "cuatoi",
        "taikhoan",
        "dulieu",
        "quaylai",
        "huy",
        "trogiup",
    ]
    assert commands["decu"] == "Đề cử người tốt, việc tốt"
