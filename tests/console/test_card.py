"""A nomination's card: its evidence through links signed for the person looking, and its
decisions with the chat's guarantees (two reviewers at once: one wins, the other is told)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from bot import cli_ops
from bot.app import Application
from storage import criteria, reviews
from storage.nominations import NewEvidence
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import ConsoleClient
from tests.support.held import stands
from tests.support.media import jpeg
from tests.support.review import Invite, item, nominate, person, person_id, status_of

IMAGE = re.compile(r'<img src="([^"]+)"')


async def test_evidence_opens_only_for_the_person_it_was_signed_for(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    tam = await person(chat, invite, "tam", "Đỗ Văn Tâm", "X-AN-BINH", "reviewer")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN", files=1)
    found = await item(app, code)
    (app.settings.media_dir / f"{0:032x}.jpg").write_bytes(jpeg())
    mine, theirs = console(), console()
    await mine.sign_in(lan)
    await theirs.sign_in(tam)
    card = await mine.get(f"/console/nominations/{found.id}")
    links = [html.unescape(u) for u in IMAGE.findall(card.html)]
    assert len(links) == 1 and links[0].startswith("/console/media/")
    shown = await mine.http.get(links[0])
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["cache-control"] == "private, no-store"
    assert "sandbox" in shown.headers["content-security-policy"]
    # Another reviewer of the same unit, a browser signed out, a link changed: nothing.
    assert (await theirs.http.get(links[0])).status_code == 404
    assert (await console().http.get(links[0])).status_code == 404
    assert (await mine.http.get(links[0].replace("s=", "s=A"))).status_code == 404
    clock.advance(hours=1, seconds=1)
    assert (await mine.http.get(links[0])).status_code == 404


async def test_two_reviewers_decide_at_once_and_one_wins(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    tam = await person(chat, invite, "tam", "Đỗ Văn Tâm", "X-AN-BINH", "reviewer")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    found = await item(app, code)
    first, second = console(), console()
    await first.sign_in(lan)
    await second.sign_in(tam)
    path = f"/console/nominations/{found.id}"
    await first.get(path)
    await second.get(path)
    approved = await first.post(path + "/decide", {"action": "approve"})
    assert approved.status == 303
    landed = await first.get(approved.location)
    # The member hears of it once the undo window has passed, and the page says so.
    assert landed.has(f"Đã duyệt đề cử {code}", "được báo sau 5 phút", "/hoantac")
    assert not landed.has("đã được báo")
    # The second reviewer's card was shown before: the decision is refused, and said why.
    late = await second.post(path + "/decide", {"action": "reject", "reason": "evidence"})
    assert late.status == 409 and late.has(f"Đề cử {code} đã được xử lý rồi")
    assert await status_of(app, code) == "approved"
    await stands(app, clock)  # the reporter is told once the undo window has passed
    await hoa.expect("được duyệt")
    # The same race through the chat: the console's decision wins there too.
    second_code = await nominate(app, "hoa", "X-AN-BINH-HPN", "Phạm Văn Tốt")
    await tam.send(f"/duyet {second_code}")
    await tam.expect(f"Đề cử {second_code}")
    other = await item(app, second_code)
    assert (
        await first.post(f"/console/nominations/{other.id}/decide", {"action": "approve"})
    ).status == 303
    await tam.press("Không duyệt")
    await tam.expect("đã được xử lý rồi")
    await stands(app, clock)
    await hoa.expect("được duyệt")


async def test_a_question_needs_words_and_reaches_the_reporter(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    found = await item(app, code)
    browser = console()
    await browser.sign_in(lan)
    path = f"/console/nominations/{found.id}"
    await browser.get(path)
    empty = await browser.post(path + "/decide", {"action": "ask", "question": "?"})
    assert empty.status == 409 and empty.has("cần ít nhất 2 ký tự")
    asked = await browser.post(path + "/decide", {"action": "ask", "question": "Xin thêm ảnh"})
    assert asked.status == 303
    await hoa.expect("Xin thêm ảnh", code)
    assert await status_of(app, code) == "needs_info"
    page = await browser.get(path)
    assert page.has("Lê Thị Duyệt hỏi thêm: Xin thêm ảnh")


async def test_files_kept_by_the_apps_are_pointed_to(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    found = await item(app, code)
    async with app.db.write() as conn:
        await reviews.add_evidence(
            conn,
            found.id,
            [
                NewEvidence(kind="photo", channel="telegram", file_ref="AgACAgUAAxkBAAIB"),
                NewEvidence(kind="photo", channel="zalo_oa", file_ref="https://f.zdn.vn/a.jpg"),
                NewEvidence(kind="document", channel="web", file_ref="gone.docx"),
            ],
            await person_id(app, "hoa"),
            app.clock(),
        )
    browser = console()
    await browser.sign_in(lan)
    card = await browser.get(f"/console/nominations/{found.id}")
    assert card.status == 200
    assert card.has("Tệp 1 nằm trên Telegram", "Tệp 3 không còn mở được")
    assert 'href="https://f.zdn.vn/a.jpg" rel="noopener noreferrer"' in card.html


async def test_a_score_out_of_range_is_refused_as_in_the_chat(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    tmp_path: Path,
) -> None:
    criteria_csv = tmp_path / "criteria.csv"
    criteria_csv.write_text(
        "unit_code,field,criterion,weight,max_score\nX-AN-BINH,good_deed,Lan toả,1,10\n",
        encoding="utf-8",
    )
    await cli_ops.import_criteria(app.db, criteria_csv)
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    found = await item(app, await nominate(app, "hoa", "X-AN-BINH-HPN"))
    browser = console()
    await browser.sign_in(lan)
    path = f"/console/nominations/{found.id}"
    box = re.findall(r'name="(c\d+)"', (await browser.get(path)).html)
    assert len(box) == 1
    # The chat's words, examples within the criterion's range included; nothing stored.
    refused = await browser.post(path + "/score", {box[0]: "11"})
    assert refused.status == 409
    assert refused.has("Điểm cần là một số từ 0 đến 10 (ví dụ 8 hoặc 7,5).")
    async with app.db.read() as conn:
        assert await criteria.scores_of(conn, found.id) == []
    kept = await browser.post(path + "/score", {box[0]: "7,5"})
    assert kept.status == 303
    async with app.db.read() as conn:
        assert [s.score for s in await criteria.scores_of(conn, found.id)] == [7.5]


async def test_a_decision_is_undone_from_the_card_and_nobody_hears_of_it(
    app: Application,
    chat: Callable[..., ChatClient],
    invite: Invite,
    console: Callable[[], ConsoleClient],
    clock: FakeClock,
) -> None:
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    tam = await person(chat, invite, "tam", "Đỗ Văn Tâm", "X-AN-BINH", "reviewer")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    found = await item(app, code)
    mine, theirs = console(), console()
    await mine.sign_in(lan)
    await theirs.sign_in(tam)
    path = f"/console/nominations/{found.id}"
    await mine.get(path)
    rejected = await mine.post(path + "/decide", {"action": "reject", "reason": "evidence"})
    landed = await mine.get(rejected.location)
    assert landed.has("Đã ghi không duyệt", "↩ Hoàn tác quyết định này")
    # Another reviewer of the unit pressing undo on the same card: not theirs to undo.
    await theirs.get(path)
    forged = await theirs.post(path + "/undo", {})
    assert forged.status == 409 and forged.has("Không có quyết định nào của bạn")
    assert await status_of(app, code) == "rejected"
    undone = await mine.post(path + "/undo", {})
    assert undone.status == 303
    back = await mine.get(undone.location)
    assert back.has(f"Đã hoàn tác quyết định về đề cử {code}")
    assert not back.has("↩ Hoàn tác quyết định này")
    assert await status_of(app, code) == "submitted"
    # A second press of the same button (a page left open): nothing left to undo, said so.
    again = await mine.post(path + "/undo", {})
    assert again.status == 409 and again.has("Không có quyết định nào của bạn")
    await stands(app, clock)
    await hoa.assert_no_unread()
    # A decision that has stood cannot be undone any more.
    await mine.post(path + "/decide", {"action": "approve"})
    await stands(app, clock)
    await hoa.expect("được duyệt")
    late = await mine.post(path + "/undo", {})
    assert late.status == 409 and late.has("Không có quyết định nào của bạn")
    assert await status_of(app, code) == "approved"
