"""/thongke and /xuat: figures for a scope and period, and the spreadsheet of nominations."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.officials import nominate_in_call, open_call
from tests.support.people import Invite, MakeChat, person


async def download(client: ChatClient, url: str) -> bytes:
    """A file the bot sent, fetched like the web chat page does."""
    response = await client.http.get(url)
    assert response.status_code == 200
    return response.content


async def test_stats_and_export_by_role(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    reviewer = await person(chat, invite, "duyet", "Vũ Thị Duyệt", "X-AN-BINH", "reviewer")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await open_call(official, app, clock, count=3)
    await reviewer.expect("📣")
    await hoa.expect("📣")
    await nominate_in_call(hoa, "Nguyễn Thị Mai")
    await nominate_in_call(hoa, "Lò Văn Sáu")

    await hoa.send("/thongke")
    await hoa.expect("không có quyền")

    await reviewer.send("/thongke")
    stats = await reviewer.expect(
        "Số liệu đề cử của Xã An Bình từ 27/10/2026 đến 25/11/2026",
        "Tổng số đề cử: 2",
        "Hội Liên hiệp Phụ nữ xã An Bình: 2",
        "Bạn muốn làm gì tiếp?",
    )
    chart = stats[0].media[0]
    assert chart["kind"] == "photo"
    assert (await download(reviewer, chart["url"])).startswith(b"\x89PNG")

    await reviewer.send("so ket")  # plain words work where there is no command menu
    await reviewer.expect("Tổng số đề cử: 2")
    await reviewer.send("/thongke 01/10/2026-31/10/2026")
    await reviewer.expect("từ 01/10/2026 đến 31/10/2026", "Chưa có đề cử nào")
    await reviewer.send("/thongke hôm qua")
    await reviewer.expect("Chưa hiểu khoảng thời gian")

    # The reviewer's export has no personal data columns; the official's has them.
    await reviewer.send("/xuat")
    files = await reviewer.expect("Tệp Excel 2 đề cử", "không gồm")
    book = load_workbook(io.BytesIO(await download(reviewer, files[0].media[0]["url"])))
    assert book.sheetnames == ["Tất cả", "Đã gửi, chờ duyệt"]
    headers = header_row(book["Tất cả"])
    assert "Điện thoại liên hệ" not in headers and "Người đề cử" not in headers
    assert files[0].media[0]["name"] == "de-cu-2026-11-25.xlsx"

    await official.send("/export")
    files = await official.expect("Tệp Excel 2 đề cử", "thông tin cá nhân")
    book = load_workbook(io.BytesIO(await download(official, files[0].media[0]["url"])))
    sheet = book["Tất cả"]
    headers = header_row(sheet)
    assert headers[:3] == ["Mã đề cử", "Ngày gửi", "Đơn vị"]
    first = sheet.freeze_panes
    assert first is not None
    row = {h: c.value for h, c in zip(headers, sheet[first[1:]], strict=True)}
    assert row["Tên người/tập thể được đề cử"] == "Nguyễn Thị Mai"
    assert row["Điện thoại liên hệ"] == "0912 345 678"
    assert row["Người đề cử"] == "Trần Thị Hoa"
    assert row["Đợt phát động"] == "Đề cử người tốt năm 2026"
    assert isinstance(row["Ngày gửi"], datetime)
    assert row["Ngày gửi"] == datetime(2026, 11, 25, 9, 5, 1)  # local time, after the call went out
    assert sheet.tables  # a filterable table


def header_row(sheet: Worksheet) -> list[object]:
    """The table's header: the row above the first frozen one (below the title block)."""
    assert sheet.freeze_panes is not None
    return [c.value for c in sheet[int(sheet.freeze_panes[1:]) - 1]]


async def test_weekly_summary_goes_to_officials_on_mondays(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await open_call(official, app, clock, count=2)
    await hoa.expect("📣")
    await nominate_in_call(hoa)
    clock.advance(days=4)  # Sunday 29/11: not the day
    assert await app.scheduler.fire_daily("weekly_summary") == {"sent": 0}
    clock.advance(days=1)  # Monday 30/11, 09:00 local
    assert await app.scheduler.fire_daily("weekly_summary") == {"sent": 1}
    assert await app.scheduler.fire_daily("weekly_summary") is None  # once a day
    summary = await official.expect(
        "Sơ kết tuần của Xã An Bình (từ 23/11/2026 đến 29/11/2026)", "Tổng số đề cử: 1"
    )
    assert summary[0].media[0]["kind"] == "photo"
    assert not await hoa.pop()
