"""What the console makes as files: the commendation proposal (.docx, .xlsx) read back with
python-docx and openpyxl, the invite posters' QR codes read back with zxing-cpp, the figures'
spreadsheet."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import zxingcpp
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bot.app import Application
from bot.console import dossier_files, poster
from bot.console.invite_links import Targets
from storage import reviews
from storage.invites import code_hash
from storage.schema import audit_log, invites
from tests.support.chat import ChatClient
from tests.support.console import ConsoleClient
from tests.support.review import Invite, nominate, person

TRICKY = '=HYPERLINK("http://evil.example","Bấm")'


async def approve(app: Application, *codes: str) -> list[int]:
    """Approve nominations straight in the database; their ids."""
    ids = []
    async with app.db.write() as conn:
        for code in codes:
            item = await reviews.find_by_code(conn, code)
            assert item is not None
            await reviews.change_status(conn, item.id, ["submitted"], "approved", app.clock())
            ids.append(item.id)
    return ids


async def test_the_dossier_lists_the_approved_nominations_ticked(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "X-AN-BINH", "official")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Thị Lan")
    tricky = await nominate(app, "hoa", "X-AN-BINH-HPN", TRICKY)
    waiting = await nominate(app, "hoa", "X-AN-BINH-HPN", "Đang Chờ Duyệt")
    ids = await approve(app, lan, tricky)
    browser = console()
    await browser.sign_in(official)
    page = await browser.get("/console/dossier")
    assert page.has(lan, "Nguyễn Thị Lan") and not page.has(waiting)
    unit = re.search(r'name="unit" value="(\d+)"', page.html)
    assert unit is not None
    fields: dict[str, str | list[str]] = {
        "unit": unit.group(1),
        "id": [str(i) for i in ids],
        "form": "Giấy khen",
        f"form{ids[1]}": "Bằng khen",
        "subtitle": "Kèm theo Tờ trình số 12/TTr",
        "place": "An Bình",
    }
    word = await browser.http.post(
        "/console/dossier", data={**fields, "format": "docx", "token": browser.token}
    )
    assert word.status_code == 200
    assert word.headers["content-disposition"].startswith("attachment;")
    document = Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in text and "Kèm theo Tờ trình số 12/TTr" in text
    assert "An Bình, ngày 25 tháng 11 năm 2026" in text
    heading = document.tables[0].rows[0].cells
    assert "XÃ AN BÌNH" in heading[0].text and "Độc lập - Tự do - Hạnh phúc" in heading[1].text
    table = document.tables[1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == [
        "Số TT",
        "Họ và tên",
        "Năm sinh",
        "Chức vụ, đơn vị",
        "Tóm tắt thành tích",
        "Hình thức đề nghị",
    ]
    assert [(r[0], r[1], r[5]) for r in rows[1:]] == [
        ("1", TRICKY, "Bằng khen"),
        ("2", "Nguyễn Thị Lan", "Giấy khen"),
    ] or [(r[0], r[1], r[5]) for r in rows[1:]] == [
        ("1", "Nguyễn Thị Lan", "Giấy khen"),
        ("2", TRICKY, "Bằng khen"),
    ]
    excel = await browser.http.post(
        "/console/dossier", data={**fields, "format": "xlsx", "token": browser.token}
    )
    assert excel.status_code == 200
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    # The tricky name is text, not a formula, and every listed name is an approved one.
    assert cells[TRICKY].data_type == "s"
    names = {sheet.cell(row=r, column=2).value for r in range(9, 11)}
    assert names == {"Nguyễn Thị Lan", TRICKY}
    assert sheet["A1"].value == "XÃ AN BÌNH"
    async with app.db.read() as conn:
        made = (
            (
                await conn.execute(
                    select(audit_log.c.detail).where(audit_log.c.action == "dossier.made")
                )
            )
            .scalars()
            .all()
        )
    assert len(made) == 2 and all(sorted(d["nominations"]) == sorted(ids) for d in made)
    # A nomination not approved, posted by its id, is left out of the list.
    async with app.db.read() as conn:
        pending = await reviews.find_by_code(conn, waiting)
    assert pending is not None
    again = await browser.http.post(
        "/console/dossier",
        data={**fields, "id": [str(pending.id)], "format": "docx", "token": browser.token},
    )
    assert again.status_code == 400


def test_summaries_are_cut_at_a_word() -> None:
    text = "Nấu cơm " * 200
    cut = dossier_files.summary(text, 60)
    assert len(cut) <= 61 and cut.endswith("…") and not cut.endswith(" …")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF Pillow wrote has (its page objects)."""
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def decode(png: bytes) -> list[str]:
    """The QR codes zxing-cpp finds in a picture."""
    with Image.open(io.BytesIO(png)) as image:
        return [found.text for found in zxingcpp.read_barcodes(image.convert("L"))]


async def test_invites_made_in_the_console_print_posters_whose_qr_opens_the_app(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "X-AN-BINH", "official")
    browser = console()
    await browser.sign_in(official)
    form = await browser.get("/console/invites")
    unit = re.search(r'name="unit" value="(\d+)"', form.html)
    assert unit is not None
    # An official hands out the member role only; the form offers no other.
    assert 'value="reviewer"' not in form.html
    made = await browser.post(
        "/console/invites",
        {
            "unit": unit.group(1),
            "each": "1",
            "role": "member",
            "uses": "30",
            "days": "14",
            "app": "web",
        },
    )
    assert made.status == 200
    codes = re.findall(r'<td class="code">([A-Z0-9]{12})</td>', made.html)
    assert len(codes) == 5  # one for each organisation of the commune
    async with app.db.read() as conn:
        stored = (await conn.execute(select(invites.c.code_hash, invites.c.max_uses))).all()
    assert {code_hash(c) for c in codes} <= {h for h, _ in stored}
    assert all(uses == 30 for h, uses in stored if h in {code_hash(c) for c in codes})
    png = await browser.http.post(
        "/console/invites/poster",
        data={"code": codes[0], "app": "web", "format": "png", "token": browser.token},
    )
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert decode(png.content) == [f"{app.settings.public_url}/#ma={codes[0]}"]
    sheet = await browser.http.post(
        "/console/invites/poster",
        data={"code": codes, "app": "web", "format": "sheet", "token": browser.token},
    )
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert page_count(sheet.content) == 1  # six cards a page
    pages = await browser.http.post(
        "/console/invites/poster",
        data={"code": codes, "app": "web", "format": "pdf", "token": browser.token},
    )
    assert page_count(pages.content) == 5  # a poster a page
    # A code that is not a live invite prints nothing.
    forged = await browser.http.post(
        "/console/invites/poster",
        data={"code": "ABCDEFGHJKMN", "app": "web", "format": "png", "token": browser.token},
    )
    assert forged.status_code == 404


def test_each_app_gets_the_link_it_understands() -> None:
    targets = Targets(
        telegram_bot="guongsang_bot",
        zalo_oa="https://zalo.me/123456789",
        zalo_bot="https://zalo.me/bot?text={code}",
        web="https://guongsang.example",
    )
    code = "ABCD2345EFGH"
    assert targets.available() == ["zalo_oa", "zalo_bot", "telegram", "web"]
    assert targets.link("telegram", code) == (f"https://t.me/guongsang_bot?start={code}", True)
    assert targets.link("web", code) == (f"https://guongsang.example/#ma={code}", True)
    assert targets.link("zalo_oa", code) == ("https://zalo.me/123456789", False)
    assert targets.link("zalo_bot", code) == (f"https://zalo.me/bot?text={code}", True)
    for app_name in targets.available():
        link, carries = targets.link(app_name, code)
        drawn = poster.png(
            poster.Poster(
                code, "Hội Nông dân xã An Bình", "member", "31/12/2026", link, carries, app_name
            )
        )
        assert decode(drawn) == [link]
