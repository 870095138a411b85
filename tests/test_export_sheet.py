"""/xuat's spreadsheet is a document to file and print: a title block, the decision columns,
phones as people write them, text that stays text, long columns wrapped, A4 landscape."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import update

from bot.app import Application
from storage import criteria, reviews
from storage.criteria import NewCriterion
from storage.schema import nominations
from storage.units import get_unit_by_code
from tests.support.clock import FakeClock
from tests.support.people import Invite, MakeChat, person
from tests.support.review import item, nominate, person_id

FORMULA = '=HYPERLINK("http://evil.example","Bấm")'
LONG = "Nhiều năm liền chị nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện. " * 6


async def decide(
    app: Application, code: str, reviewer: int, action: str, status: str, note: str | None = None
) -> None:
    """Record a decision the way the review flow does (status, history)."""
    found = await item(app, code)
    async with app.db.write() as conn:
        await reviews.change_status(conn, found.id, ["submitted"], status, app.clock())
        await reviews.add_event(
            conn,
            nomination_id=found.id,
            unit_id=found.deciding_unit_id,
            actor_id=reviewer,
            action=action,
            note=note,
            now=app.clock(),
        )


def table(sheet: Worksheet) -> tuple[int, list[str], dict[str, dict[str, object]]]:
    """The header row's number, the headers, and each row by its code."""
    assert sheet.freeze_panes is not None
    header = int(sheet.freeze_panes[1:]) - 1
    headers = [str(c.value) for c in sheet[header]]
    rows = {}
    for values in sheet.iter_rows(min_row=header + 1, values_only=True):
        rows[str(values[0])] = dict(zip(headers, values, strict=True))
    return header, headers, rows


async def test_export_is_titled_complete_and_printable(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    await person(chat, invite, "duyet", "Vũ Thị Duyệt", "X-AN-BINH", "reviewer")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    reviewer = await person_id(app, "duyet")
    approved = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Thị Mai", files=2)
    rejected = await nominate(app, "hoa", "X-AN-BINH-HPN", "Lò Văn Sáu")
    forwarded = await nominate(app, "hoa", "X-AN-BINH-HPN", "Hợp tác xã Bình Minh")
    tricky = await nominate(app, "hoa", "X-AN-BINH-HPN", FORMULA)
    async with app.db.write() as conn:
        await conn.execute(
            update(nominations)
            .where(nominations.c.code == approved)
            .values(contact_phone="+84905111222", achievement=LONG)
        )
        await conn.execute(
            update(nominations).where(nominations.c.code == forwarded).values(kind="collective")
        )
        commune = await get_unit_by_code(conn, "X-AN-BINH")
        province = await get_unit_by_code(conn, "T-DEMO")
        assert commune is not None and province is not None
        await criteria.replace_set(
            conn,
            commune.id,
            "good_deed",
            [
                NewCriterion(name="Tác động", weight=1, max_score=10),
                NewCriterion(name="Lan toả", weight=2, max_score=5),
            ],
        )
        items = (await criteria.effective_set(conn, commune.path, "good_deed"))[1]
        mai = await reviews.find_by_code(conn, approved)
        assert mai is not None
        for criterion, score in zip(items, (8, 4), strict=True):
            await criteria.save_score(conn, mai.id, criterion.id, reviewer, score, clock())
        moved = await reviews.find_by_code(conn, forwarded)
        assert moved is not None
        await reviews.move_level(conn, moved.id, province.id, clock())
    clock.advance(hours=2)
    await decide(app, approved, reviewer, "approve", "approved")
    await decide(app, rejected, reviewer, "reject", "rejected", "Thiếu minh chứng")

    await official.send("/xuat")
    files = await official.expect("Tệp Excel 4 đề cử", "thông tin cá nhân")
    data = (await official.http.get(files[0].media[0]["url"])).content
    book = load_workbook(io.BytesIO(data))
    sheet = book["Tất cả"]
    # The title block: what, which units, which period, how many, made when and by whom.
    block = [sheet.cell(row=n, column=1).value for n in range(1, 6)]
    assert block == [
        "DANH SÁCH ĐỀ CỬ NGƯỜI TỐT, VIỆC TỐT VÀ GƯƠNG ĐIỂN HÌNH",
        "Đơn vị: Xã An Bình",
        "Thời gian gửi đề cử: tất cả, đến ngày 25/11/2026",
        "Số đề cử: 4",
        "Lập lúc 11:00 ngày 25/11/2026. Người lập: Lê Văn Cán",
    ]
    header, headers, rows = table(sheet)
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    for column in (
        "Trạng thái",
        "Lý do không duyệt",
        "Điểm theo tiêu chí",
        "Người quyết định",
        "Ngày quyết định",
        "Cấp xét duyệt",
        "Số tệp minh chứng",
    ):
        assert column in headers
    line = rows[approved]
    assert line["Trạng thái"] == "Đã duyệt"
    assert line["Điểm theo tiêu chí"] == "16/20"
    assert line["Người quyết định"] == "Vũ Thị Duyệt"
    assert line["Ngày quyết định"] == datetime(2026, 11, 25, 11, 0)
    assert line["Số tệp minh chứng"] == 2
    assert line["Cấp xét duyệt"] == "Hội Liên hiệp Phụ nữ xã An Bình"
    assert line["Điện thoại liên hệ"] == "0905 111 222"
    assert rows[rejected]["Lý do không duyệt"] == "Thiếu minh chứng"
    assert rows[rejected]["Điểm theo tiêu chí"] in ("", None)
    assert rows[forwarded]["Cấp xét duyệt"] == "Tỉnh Minh Hoạ"
    assert rows[forwarded]["Năm sinh"] in ("", None)  # a collective has none
    assert rows[tricky]["Tên người/tập thể được đề cử"] == FORMULA
    # Text stays text: the typed formula and the phone number are string cells.
    codes = [c.value for c in sheet["A"]]
    for code, column in (
        (tricky, "Tên người/tập thể được đề cử"),
        (approved, "Điện thoại liên hệ"),
    ):
        cell = sheet.cell(row=codes.index(code) + 1, column=headers.index(column) + 1)
        assert cell.data_type == "s"
    # The formula-looking text also carries Excel's quote prefix (editing the cell keeps it
    # text); ordinary text does not (what people read and copy is unchanged).
    name_column = headers.index("Tên người/tập thể được đề cử") + 1
    assert sheet.cell(row=codes.index(tricky) + 1, column=name_column).quotePrefix
    assert not sheet.cell(row=codes.index(approved) + 1, column=name_column).quotePrefix
    # Long text wraps in a column of readable width; short columns stay narrow.
    story = headers.index("Thành tích") + 1
    letter = sheet.cell(row=header, column=story).column_letter
    assert 30 <= sheet.column_dimensions[letter].width <= 60
    assert sheet.cell(row=codes.index(approved) + 1, column=story).alignment.wrap_text
    assert sheet.column_dimensions["A"].width < 20
    # One titled sheet per status as well.
    assert book.sheetnames == ["Tất cả", "Đã gửi, chờ duyệt", "Đã duyệt", "Không duyệt"]
    assert book["Không duyệt"]["A1"].value == "DANH SÁCH ĐỀ CỬ — Không duyệt"

    # A period: only what was submitted in it, and the title says which.
    clock.advance(days=40)
    await official.send("/xuat 30")
    files = await official.expect("Tệp Excel 0 đề cử")
    data = (await official.http.get(files[0].media[0]["url"])).content
    sheet = load_workbook(io.BytesIO(data))["Tất cả"]
    assert sheet["A3"].value == "Thời gian gửi đề cử: từ ngày 06/12/2026 đến ngày 04/01/2027"
    await official.send("/xuat hom qua")
    await official.expect("Chưa hiểu khoảng thời gian")
