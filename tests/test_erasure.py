"""/xoadulieu: a member's erasure reaches every table, payload and file. Afterwards nothing in
the data folder — database file, WAL, media, log — holds their name, phone or codes; their
nominations stay, attributed to a placeholder. On the web chat and on Telegram."""

from __future__ import annotations

import io
import json
import logging
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.app import Application
from storage.schema import audit_log, evidence, identities, inbox, metadata, nominations, people
from tests.support.nominating import nominate
from tests.support.people import Invite, MakeChat, person
from tests.support.telegram import TelegramUser

NAME = "Trần Thị Hoà Xoá"
PHONE = "0912 345 678"
PHONES = ("0912 345 678", "0912345678", "+84912345678")
MakeUser = Callable[..., TelegramUser]


def forms(text: str) -> list[bytes]:
    """Every way a text may sit in a file: UTF-8 (composed or not), JSON-escaped, and as XML
    character references (openpyxl writes those when lxml is installed)."""
    found = []
    for shape in ("NFC", "NFD"):
        norm = unicodedata.normalize(shape, text)
        found += [norm.encode(), json.dumps(norm)[1:-1].encode()]
        found.append(norm.encode("ascii", "xmlcharrefreplace"))
    return list(dict.fromkeys(found))


def contents(path: Path) -> bytes:
    """Every byte of a file, and of each member when it is a ZIP (spreadsheets)."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data += b"".join(archive.read(name) for name in archive.namelist())
    return data


def scan(folder: Path, texts: list[str]) -> dict[str, list[str]]:
    """Which of the texts appear in which files under the folder (on SQLite the database's
    own files are there: bot.db, its WAL and shared memory)."""
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = contents(path)
        for text in texts:
            if any(form in data for form in forms(text)):
                hits.setdefault(text, []).append(path.name)
    return hits


async def dump(app: Application) -> bytes:
    """Every row of every table, as text: what the database holds, on either engine (on
    PostgreSQL the files at rest are the server's; README says what VACUUM does there)."""
    rows = []
    async with app.db.read() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                rows.append(json.dumps([table.name, *row], default=str, ensure_ascii=False))
    return "\n".join(rows).encode()


async def everywhere(app: Application, folder: Path, texts: list[str]) -> dict[str, list[str]]:
    """The texts found in the data folder's files, and in the database's rows."""
    hits = scan(folder, texts)
    rows = await dump(app)
    for text in texts:
        if any(form in rows for form in forms(text)):
            hits.setdefault(text, []).append("(rows)")
    return hits


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Everything the bot logs, at every level, into a file of the data folder."""
    path = tmp_path / "bot.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


async def test_erasure_leaves_nothing_readable_in_the_data_folder(
    app: Application, chat: MakeChat, invite: Invite, tmp_path: Path, log_file: Path
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    code = await invite()
    hoa = chat("hoa")
    await hoa.send(code)
    await hoa.expect("Mã mời hợp lệ")
    await hoa.send(NAME)
    await hoa.expect("Số điện thoại")
    await hoa.send(PHONE)
    await hoa.expect("Đồng ý lưu thông tin")
    await hoa.press("Đồng ý")
    await hoa.expect(f"Chào mừng {NAME}")
    await nominate(hoa, "Nguyễn Thị Lan")
    await nominate(hoa, "Lê Văn Tâm")
    async with app.db.write() as conn:  # the reviewers approved the second one
        await conn.execute(
            update(nominations).where(nominations.c.id == 2).values(status="approved")
        )
        files = dict(
            (await conn.execute(select(evidence.c.nomination_id, evidence.c.file_ref))).all()
        )
    # Copies elsewhere: an official's spreadsheet naming the reporter, her own download.
    await official.send("/xuat")
    await official.expect("Tệp Excel 2 đề cử")
    await hoa.send("/dulieu")
    await hoa.expect(NAME)
    await hoa.press("Tải về (tệp JSON)")
    await hoa.expect("toàn bộ dữ liệu")
    await hoa.send("/taikhoan")
    await hoa.expect("Tài khoản của")
    await hoa.press("Liên kết ứng dụng khác / đăng nhập web")
    shown = await hoa.expect("Mã đăng nhập của bạn")
    sign_in = shown[-1].text.split("Mã đăng nhập của bạn: ")[1][:9]
    personal = [NAME, *PHONES]
    before = await everywhere(app, tmp_path, personal)
    # The scan sees them now (so it would see them after, were they left).
    assert NAME in before and "+84912345678" in before, before
    if app.db.is_sqlite:  # in the database's own files too
        assert "bot.db" in before[NAME] or "bot.db-wal" in before[NAME], before
    assert any(name.endswith(".xlsx") for name in before[NAME])  # the official's export
    assert any(name.endswith(".json") for name in before[NAME])  # her download

    await hoa.send("/xoadulieu")
    await hoa.expect("không thể hoàn tác", "(người đề cử đã xoá dữ liệu)")
    await hoa.press("Xoá vĩnh viễn")
    await hoa.expect("gõ chữ XOÁ")
    await hoa.send("xoá đi")
    await hoa.expect("Chưa xoá gì")
    await hoa.send("XOÁ")
    await hoa.expect("Đã xoá dữ liệu của bạn")

    after = await everywhere(app, tmp_path, [*personal, code, sign_in, sign_in.replace("-", "")])
    assert after == {}
    media = tmp_path / "media"
    assert not (media / files[1]).exists()  # evidence of a nomination not approved
    assert (media / files[2]).exists()  # part of an approved record: kept
    async with app.db.read() as conn:
        reporters = (
            await conn.execute(
                select(people.c.full_name, people.c.phone, people.c.erased_at)
                .join(nominations, nominations.c.reporter_id == people.c.id)
                .distinct()
            )
        ).all()
        erased = (
            await conn.execute(
                select(audit_log.c.detail).where(audit_log.c.action == "person.erased")
            )
        ).scalar_one()
        accounts = (await conn.execute(select(identities.c.person_id))).scalars().all()
    assert [(r[0], r[1]) for r in reporters] == [("(người đề cử đã xoá dữ liệu)", None)]
    assert erased["by"] == "self" and erased["counts"]["evidence"] == 1
    assert len(accounts) == 2 and accounts.count(None) == 1  # the official's; hers, a guest
    # The browser is a guest again: anything it types is a stranger's.
    await hoa.send("/dulieu")
    await hoa.expect("Bạn chưa tham gia đơn vị nào")
    # Her nominations stay as the organisation's records.
    await official.send("/xuat")
    sheet = await official.expect("Tệp Excel 2 đề cử")
    book = load_workbook(io.BytesIO((await official.http.get(sheet[0].media[0]["url"])).content))
    rows = list(book.active.iter_rows(values_only=True))
    top = next(n for n, row in enumerate(rows) if "Mã đề cử" in row)  # below the title block
    column = rows[top].index("Người đề cử")
    reporters_listed = {row[column] for row in rows[top + 1 :]}
    assert reporters_listed == {"(người đề cử đã xoá dữ liệu)"}
    assert log_file.stat().st_size > 0


async def test_erasure_on_telegram(
    tg_app: Application, tg_user: MakeUser, tg_invite: Invite, tmp_path: Path
) -> None:
    lan: TelegramUser = tg_user(8101, "Lan")
    await lan.send(f"/start {await tg_invite()}")
    await lan.expect("Mã mời hợp lệ")
    await lan.send("Phạm Thị Lan Xoá")
    await lan.expect("Số điện thoại")
    await lan.send("0987 654 321")
    await lan.expect("Đồng ý lưu thông tin")
    await lan.press("Đồng ý")
    await lan.expect("Chào mừng Phạm Thị Lan Xoá")
    await lan.send("/xoadulieu")
    await lan.expect("không thể hoàn tác")
    await lan.press("Xoá vĩnh viễn")
    await lan.expect("gõ chữ XOÁ")
    await lan.send("xoa")
    await lan.expect("Đã xoá dữ liệu của bạn")
    gone = ["Phạm Thị Lan Xoá", "0987 654 321", "+84987654321"]
    assert await everywhere(tg_app, tmp_path, gone) == {}
    async with tg_app.db.read() as conn:
        account = (
            await conn.execute(select(identities).where(identities.c.channel == "telegram"))
        ).one()
        senders = (await conn.execute(select(inbox.c.sender_id))).scalars().all()
    assert account.person_id is None and account.external_id.startswith("~")
    assert "8101" not in senders
    # Writing again, they are a stranger.
    await lan.send("xin chào")
    await lan.expect("hãy gõ mã mời")
