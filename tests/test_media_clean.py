"""Pictures from Telegram and Zalo are re-encoded before the bot shows or publishes them: a GPS
position goes in, none comes out; a decompression bomb is refused from its header. Spreadsheet
cells are text, never formulas."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bot.app import Application
from bot.media_fetch import SWEEP_SECONDS
from bot.settings import Settings
from bot.sheets import render_workbook
from handlers.ports import Sheet
from storage.schema import evidence
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_types import Upload
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.chat import ChatClient
from tests.support.people import Invite, MakeChat, person
from tests.support.telegram import TelegramUser
from tests.support.zalo import wall_clock, with_zalo

MakeUser = Callable[..., TelegramUser]
GPS_IFD = 0x8825
CAMERA = "Máy ảnh bí mật"


def photo_with_gps() -> bytes:
    """A real JPEG carrying a GPS position (Hà Nội) and a camera name, as phones write them."""
    image = Image.new("RGB", (320, 240), (30, 140, 200))
    exif = Image.Exif()
    exif[0x0110] = CAMERA  # Model
    exif[0x0112] = 6  # Orientation: rotated, so re-encoding turns it upright
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 1.0, 41.0), 3: "E", 4: (105.0, 51.0, 14.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


def bomb() -> bytes:
    """A small PNG that claims 30,000 × 30,000 pixels."""
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def assert_clean(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {} and not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info and "xmp" not in image.info
    assert CAMERA.encode() not in data and b"Exif" not in data
    assert image.size == (240, 320)  # the orientation applied


async def clean_copies(app: Application) -> list[tuple[str, str | None]]:
    async with app.db.read() as conn:
        rows = await conn.execute(select(evidence.c.kind, evidence.c.clean_file))
        return [(r[0], r[1]) for r in rows]


async def nominate_on_telegram(user: TelegramUser, send: Callable[[], object]) -> None:
    await up_to_review(user, send)
    await user.send("gui")
    await user.expect("Mã đề cử")


async def up_to_review(user: TelegramUser, send: Callable[[], object]) -> None:
    """A nomination with one picture (sent by `send`), up to its review, not yet sent."""
    await user.send("/decu")
    await user.expect("Bạn đề cử ai?")
    await user.send("1")
    await user.expect("Họ và tên")
    await user.send("Nguyễn Thị Lan")
    await user.expect("Năm sinh")
    await user.send("bo qua")
    await user.expect("Nơi sinh sống")
    await user.send("Thôn 3")
    await user.expect("Lĩnh vực")
    await user.send("6")
    await user.expect("thành tích")
    await user.send("Nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện.")
    await user.expect("minh chứng")
    await user.taken(send())  # type: ignore[arg-type]
    await user.expect("Đã nhận 1/10 tệp")
    await user.send("xong")
    await user.expect("Số điện thoại liên hệ")
    await user.send("bo qua")
    await user.expect("công khai")
    await user.send("4")
    await user.expect("Xem lại")


async def test_the_step_that_records_a_picture_wakes_the_maker_of_its_clean_copy(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    """The fetcher of clean copies is woken by the step that recorded the evidence (steps
    that record none leave it asleep): without that wake-up it would wait for its sweep."""
    hoa = tg_user(9304, "Hoa")
    await join_on_telegram(hoa, await tg_invite(), "Trần Thị Hoa")
    await up_to_review(hoa, lambda: fake_telegram.send_photo(9304, content=photo_with_gps()))
    assert await clean_copies(tg_app) == []  # the evidence is recorded when the nomination is
    since = fake_telegram.mark()
    await hoa.send("gui")
    # Nothing in the test fetches: the file is asked for because the step woke the fetcher,
    # well before its sweep (media_fetch.SWEEP_SECONDS, 60 s) would have found it.
    await fake_telegram.wait_for_async("getFile", timeout=SWEEP_SECONDS / 6, since=since)
    await tg_app.settle()
    [(_, clean)] = await clean_copies(tg_app)
    assert clean is not None
    await hoa.expect("Mã đề cử")


async def join_on_telegram(user: TelegramUser, code: str, name: str) -> None:
    await user.send(f"/start {code}")
    await user.expect("họ và tên")
    await user.send(name)
    await user.expect("Số điện thoại")
    await user.send("bo qua")
    await user.expect("Đồng ý lưu thông tin")
    await user.send("1")
    await user.expect(f"Chào mừng {name}")


@pytest.mark.parametrize("as_file", [False, True], ids=["photo", "file"])
async def test_a_telegram_picture_is_shown_without_its_position(
    tg_app: Application,
    tg_user: MakeUser,
    tg_invite: Invite,
    fake_telegram: FakeTelegram,
    as_file: bool,
) -> None:
    hoa = tg_user(9301, "Hoa")
    await join_on_telegram(hoa, await tg_invite(), "Trần Thị Hoa")
    original = photo_with_gps()

    def send() -> object:
        if as_file:  # sent as a file, Telegram keeps every byte
            return fake_telegram.send_document(
                9301, content=original, file_name="anh.jpg", mime_type="image/jpeg"
            )
        return fake_telegram.send_photo(9301, content=original)

    await nominate_on_telegram(hoa, send)
    [(kind, clean)] = await clean_copies(tg_app)
    assert clean is not None, kind
    assert_clean((tg_app.settings.media_dir / clean).read_bytes())
    # A reviewer on Telegram gets the clean copy, uploaded, not the member's file.
    duyet = tg_user(9302, "Duyệt")
    await join_on_telegram(duyet, await tg_invite(unit="X-AN-BINH", role="reviewer"), "Vũ Duyệt")
    await duyet.send("/duyet")
    await duyet.expect("GS-2026-000001")
    sent = [c for c in fake_telegram.calls() if c.method in ("sendPhoto", "sendMediaGroup")]
    uploads = [v for c in sent for v in c.params.values() if isinstance(v, Upload)]
    assert uploads and all(CAMERA.encode() not in f.content for f in uploads)
    assert_clean(uploads[-1].content)
    await duyet.send("/huy")
    await duyet.expect("")


async def test_a_decompression_bomb_from_telegram_is_refused(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, fake_telegram: FakeTelegram
) -> None:
    hoa = tg_user(9311, "Hoa")
    await join_on_telegram(hoa, await tg_invite(), "Trần Thị Hoa")
    payload = bomb()
    assert len(payload) < 500_000

    def send() -> object:
        return fake_telegram.send_document(
            9311, content=payload, file_name="anh.png", mime_type="image/png"
        )

    await nominate_on_telegram(hoa, send)
    assert await clean_copies(tg_app) == [("document", None)]
    async with tg_app.db.read() as conn:
        fetched = (await conn.execute(select(evidence.c.fetched_at))).scalar_one()
    assert fetched is not None  # settled: never fetched again
    assert list(tg_app.settings.media_dir.glob("*.jpg")) == []


@pytest.fixture
def clock() -> object:
    return wall_clock()


@pytest.fixture
def settings(settings: Settings, fake_oa: FakeZaloOA) -> Settings:
    return with_zalo(settings, fake_oa, None)


async def test_a_zalo_picture_is_shown_without_its_position(
    app: Application, fake_oa: FakeZaloOA, served: str, chat: MakeChat, invite: Invite
) -> None:
    url = served + "/zalo/oa/webhook"
    user = "1234567890123456789"

    async def say(text: str) -> None:
        result = await fake_oa.deliver_async(fake_oa.user_send_text(user, text), url=url)
        assert result.status_code == 200

    await say(await invite())
    await say("Trần Thị Hoa")
    await say("bo qua")
    await say("1")
    for text in ("/decu", "1", "Nguyễn Thị Lan", "bo qua", "Thôn 3", "6"):
        await say(text)
    await say("Nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện.")
    picture = fake_oa.cdn_file("evidence.jpg", photo_with_gps())
    result = await fake_oa.deliver_async(fake_oa.user_send_image(user, picture), url=url)
    assert result.status_code == 200
    for text in ("xong", "bo qua", "4", "gui"):
        await say(text)
    await app.settle()
    assert any("Mã đề cử" in (m.text or "") for m in fake_oa.sent_messages(user))
    [(_, clean)] = await clean_copies(app)
    assert clean is not None
    assert_clean((app.settings.media_dir / clean).read_bytes())
    # A reviewer on the web chat sees the clean copy (the platform's link is not theirs).
    reviewer: ChatClient = await person(chat, invite, "duyet", "Vũ Duyệt", "X-AN-BINH", "reviewer")
    await reviewer.send("/duyet")
    card = await reviewer.expect("GS-2026-000001")
    shown = next(m for m in card if m.media).media[0]
    response = await reviewer.http.get(shown["url"])
    assert response.status_code == 200
    assert_clean(response.content)
    await reviewer.send("/huy")
    await reviewer.expect("")


def test_export_cells_are_text_never_formulas(tmp_path: Path) -> None:
    risky = ['=HYPERLINK("http://x.vn","bấm")', "+84912345678", "-1+2", "@SUM(A1)", "\tx", "\ry"]
    data = render_workbook([Sheet("Đề cử", ["Tên", "Số"], [[v, 7] for v in risky])])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    sheet = load_workbook(io.BytesIO(data)).active
    # A carriage return comes back as one (lxml's writer escapes it) or as a line break (the
    # plain XML writer's parser normalises it): the text is the same otherwise.
    wanted = [v.replace("\r", "\n") for v in risky]
    cells = [
        c
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.replace("\r", "\n") in wanted
    ]
    assert [str(c.value).replace("\r", "\n") for c in cells] == wanted
    assert all(c.data_type == "s" for c in cells)
    assert all(sheet.cell(row=c.row, column=2).value == 7 for c in cells)  # numbers stay numbers


async def test_an_export_with_a_formula_typed_as_a_name(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    formula = '=HYPERLINK("http://lua-dao.vn","Nhận quà")'
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("1")
    await hoa.expect("Họ và tên")
    await hoa.send(formula)
    # A name loses its symbols ("=" among them) and is confirmed as tidied; the formula
    # reaches the export through the story instead, which is kept as typed.
    tidied = await hoa.expect("Tôi sẽ ghi tên là")
    assert "=" not in tidied[-1].labels[0]
    await hoa.press(tidied[-1].labels[0])
    await hoa.expect("Năm sinh")
    for answer, then in (
        ("bo qua", "Nơi sinh sống"),
        ("@SUM(1+1)*cmd", "Lĩnh vực"),
        ("6", "thành tích"),
        (formula, "minh chứng"),
        ("bo qua", "Số điện thoại"),
        ("bo qua", "công khai"),
        ("2", "Xem lại"),
        ("gui", "Mã đề cử"),
    ):
        await hoa.send(answer)
        await hoa.expect(then)
    await official.send("/xuat")
    files = await official.expect("Tệp Excel 1 đề cử")
    content = (await official.http.get(files[0].media[0]["url"])).content
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        assert all("<f>" not in book.read(n).decode() for n in book.namelist() if "sheet" in n)
    sheet = load_workbook(io.BytesIO(content)).active
    # The nomination's row, below the title block and the column headers.
    values = next(v for v in sheet.iter_rows(values_only=True) if "GS-2026-000001" in v)
    assert formula in values and "@SUM(1+1)*cmd" in values
    assert "Đã đồng ý (Đồng ý qua điện thoại)" in values  # the consent column, with how
