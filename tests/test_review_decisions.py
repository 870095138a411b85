"""Duplicates and merging, commendations, concurrent decisions, checks a button cannot pass."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import delete, func, select

from bot.app import Application
from handlers.flows.review_card import same_nominee
from storage import reviews
from storage.reviews import WAITING
from storage.schema import audit_log, commendations, evidence, memberships, merges
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.review import Invite, nominate, person, person_id, status_of


def test_same_nominee_ignores_diacritics_case_and_small_typos() -> None:
    assert same_nominee("Nguyễn Thị Lan", "nguyen thi lan")
    assert same_nominee("Nguyễn Thị Lan", "NGUYỄN THỊ  LAN.")
    assert same_nominee("Nguyễn Thị Lan", "Nguyen Thi Lann")
    assert not same_nominee("Nguyễn Thị Lan", "Nguyễn Văn Nam")
    assert not same_nominee("", "Nguyễn Văn Nam")


async def test_duplicate_is_flagged_and_merged_keeping_evidence_and_reporters(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    nam = await person(chat, invite, "nam", "Lê Văn Nam", "X-AN-BINH-DTN", "member")
    await person(chat, invite, "lac", "Vũ Văn Lạc", "P-HOA-LAC-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "T-DEMO", "reviewer")
    first = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Thị Lan", files=1)
    # Same person told differently, another organisation of the same commune.
    second = await nominate(app, "nam", "X-AN-BINH-DTN", "nguyen thi lann", files=2)
    # Same name in another ward: not flagged.
    other = await nominate(app, "lac", "P-HOA-LAC-HPN", "Nguyễn Thị Lan")
    await lan.send(f"/duyet {other}")
    card = await lan.expect(other)
    assert "Có thể trùng" not in card[-1].text
    await lan.press("Dừng duyệt")
    await lan.expect("Đã dừng")
    await lan.send(f"/duyet {second}")
    card = await lan.expect(second, f"Có thể trùng với đề cử {first}")
    assert f"Gộp vào {first}" in card[-1].labels
    await lan.press(f"Gộp vào {first}")
    await lan.expect(f"Gộp đề cử {second} vào đề cử {first}?")
    await lan.press("Gộp")
    await lan.expect(f"Đã gộp đề cử {second} vào {first}")
    await stands(app, clock)
    await nam.expect(f"Đề cử {second} của bạn trùng với đề cử {first}")
    await hoa.expect(f"đã được gộp vào đề cử {first}")
    assert await status_of(app, second) == "merged"
    async with app.db.read() as conn:
        files = (await conn.execute(select(evidence.c.nomination_id))).all()
        merge = (await conn.execute(select(merges))).one()
    assert len(files) == 3 and {f.nomination_id for f in files} == {merge.into_id}
    # A question on the kept nomination reaches both reporters; either may answer.
    await lan.send(f"/duyet {first}")
    await lan.expect(first, "Minh chứng: 3 tệp")
    await lan.press("Cần bổ sung")
    await lan.expect("bổ sung gì")
    await lan.send("Bà Lan ở thôn nào?")
    await lan.expect("Đã gửi câu hỏi")
    await hoa.expect(f"bổ sung cho đề cử {first}", "thôn nào")
    await nam.expect(f"bổ sung cho đề cử {first}", "thôn nào")
    await nam.send("/bosung")
    await nam.expect(f"Trả lời bổ sung cho đề cử {first}")
    await nam.send("Thôn 3 ạ")
    await nam.expect("Đã nhận")
    await nam.press("Gửi trả lời")
    await nam.expect("Đã gửi phần bổ sung")
    await lan.expect("đã bổ sung")
    # A later decision on the kept nomination reaches both reporters.
    await lan.send(f"/duyet {first}")
    await lan.expect(first)
    await lan.press("Duyệt")
    await lan.expect("Duyệt đề cử")
    await lan.press("Xác nhận duyệt")
    await lan.expect("Đã duyệt")
    await stands(app, clock)
    await hoa.expect(f"đề cử {first}", "đã được duyệt")
    await nam.expect(f"đề cử {first}", "đã được duyệt")


async def test_commendation_recorded_on_an_approved_nomination(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send(f"/khenthuong {code}")
    await lan.expect("Chỉ ghi khen thưởng cho đề cử đã duyệt")
    await lan.send(f"/duyet {code}")
    await lan.expect(code)
    await lan.press("Duyệt")
    await lan.expect("Duyệt đề cử")
    await lan.press("Xác nhận duyệt")
    await lan.expect("Đã duyệt")
    await stands(app, clock)
    await hoa.expect("đã được duyệt")
    await lan.send("khen thuong")
    await lan.expect("Gõ mã đề cử")
    await lan.send("gs-2026-000777")
    await lan.expect("Không có đề cử mã GS-2026-000777")
    await lan.send(code.lower())
    await lan.expect(f"Hình thức khen thưởng cho đề cử {code}")
    await lan.send("2")  # Bằng khen
    await lan.expect("Số quyết định")
    await lan.send("125/QĐ-UBND")
    await lan.expect("Ngày ký quyết định")
    await lan.send("31/02/2026")
    await lan.expect("Ngày chưa đúng")
    await lan.send("01/12/2026")  # after today (25/11/2026)
    await lan.expect("Ngày chưa đúng")
    await lan.send("20/11/2026")
    await lan.expect("Cơ quan ban hành")
    await lan.send("UBND xã An Bình")
    await lan.expect(
        "Kiểm tra lại", "Hình thức: Bằng khen", "Số quyết định: 125/QĐ-UBND", "Ngày: 20/11/2026"
    )
    await lan.press("Lưu")
    await lan.expect(f"Đã lưu khen thưởng cho đề cử {code}")
    await hoa.expect("đã được khen thưởng: Bằng khen")
    async with app.db.read() as conn:
        row = (await conn.execute(select(commendations))).one()
        logged = (
            await conn.execute(
                select(func.count())
                .select_from(audit_log)
                .where(audit_log.c.action == "nomination.commended")
            )
        ).scalar()
    assert (row.form, row.decision_no, row.issuer) == (
        "Bằng khen",
        "125/QĐ-UBND",
        "UBND xã An Bình",
    )
    assert row.decided_on.isoformat() == "2026-11-20"
    assert row.recorded_by == await person_id(app, "lan")
    assert logged == 1


async def test_a_rejection_racing_an_approval_is_refused(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    minh = await person(chat, invite, "minh", "Phan Văn Minh", "X-AN-BINH-HPN", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    for reviewer in (lan, minh):
        await reviewer.send("/duyet")
        await reviewer.expect(code)
    await lan.press("Duyệt")
    await lan.expect("Duyệt đề cử")
    await asyncio.gather(lan.press("Xác nhận duyệt"), minh.press("Không duyệt"))
    lan_said = "\n".join(m.text for m in await lan.pop())
    minh_said = "\n".join(m.text for m in await minh.pop())
    decided = f"Đề cử {code} đã được xử lý rồi (trạng thái: Đã duyệt)"
    # A rejection needs a reason, so the approval always lands first.
    assert f"Đã duyệt đề cử {code}" in lan_said
    # Minh's press came either after the approval (refused at once) or before it (then the
    # reason comes too late).
    if "Lý do không duyệt" in minh_said:
        await minh.press("Thiếu minh chứng")
        await minh.expect(decided)
    else:
        assert decided in minh_said
    assert await status_of(app, code) == "approved"
    await hoa.pop()


async def test_a_reason_given_after_someone_else_decided_is_refused_at_once(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    # The deterministic half of the race above: the reason (or the recommendation) comes
    # after the approval, and the reviewer is told then, not after one more confirmation.
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    minh = await person(chat, invite, "minh", "Phan Văn Minh", "X-AN-BINH-HPN", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    for reviewer in (lan, minh):
        await reviewer.send(f"/duyet {code}")
        await reviewer.expect(code)
    await minh.press("Không duyệt")
    await minh.expect("Lý do không duyệt")
    await lan.press("Duyệt")
    await lan.expect("Duyệt đề cử")
    await lan.press("Xác nhận duyệt")
    await lan.expect(f"Đã duyệt đề cử {code}")
    await minh.press("Thiếu minh chứng")
    said = await minh.expect(f"Đề cử {code} đã được xử lý rồi (trạng thái: Đã duyệt)")
    assert not [m for m in said if "Xác nhận" in " ".join(m.labels)]
    assert await status_of(app, code) == "approved"


async def test_two_approvals_at_once_exactly_one_is_recorded(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    minh = await person(chat, invite, "minh", "Phan Văn Minh", "X-AN-BINH-HPN", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    for reviewer in (lan, minh):
        await reviewer.send("/duyet")
        await reviewer.expect(code)
    for reviewer in (lan, minh):
        await reviewer.press("Duyệt")
        await reviewer.expect("Duyệt đề cử")
    await asyncio.gather(lan.press("Xác nhận duyệt"), minh.press("Xác nhận duyệt"))
    said = ["\n".join(m.text for m in await r.pop()) for r in (lan, minh)]
    winners = [s for s in said if f"Đã duyệt đề cử {code}" in s]
    losers = [s for s in said if f"Đề cử {code} đã được xử lý rồi (trạng thái: Đã duyệt)" in s]
    assert len(winners) == 1 and len(losers) == 1
    await stands(app, clock)
    await hoa.expect("đã được duyệt")
    async with app.db.read() as conn:
        approvals = (
            await conn.execute(
                select(func.count())
                .select_from(audit_log)
                .where(audit_log.c.action == "nomination.approved")
            )
        ).scalar()
    assert approvals == 1


async def test_role_removed_after_the_card_was_shown_is_refused(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    """The card's buttons prove nothing: the role is checked again when pressed."""
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send("/duyet")
    await lan.expect(code)
    async with app.db.write() as conn:
        await conn.execute(
            delete(memberships).where(memberships.c.person_id == await person_id(app, "lan"))
        )
    await lan.press("Duyệt")
    await lan.expect("không thuộc phạm vi bạn được duyệt")
    assert await status_of(app, code) == "submitted"


async def test_a_decision_is_a_conditional_update(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    """Two transactions that both read "submitted" (PostgreSQL, read committed): one wins."""
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    async with app.db.write() as conn:
        found = await reviews.find_by_code(conn, code)
        assert found is not None
        first = await reviews.change_status(conn, found.id, WAITING, "approved", app.clock())
        second = await reviews.change_status(conn, found.id, WAITING, "rejected", app.clock())
    assert (first, second) == (True, False)
    assert await status_of(app, code) == "approved"
