"""A reviewer works the queue on the web chat; reporters hear about every decision."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.app import Application
from storage.schema import audit_log, evidence, review_events, review_levels
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.media import jpeg
from tests.support.review import Invite, item, nominate, person, person_id, status_of

JPEG = jpeg()


async def test_card_shows_everything_and_approve_tells_the_reporter(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Thị Lan", files=2)
    await lan.send("/duyet")
    card = await lan.expect(
        f"Đề cử {code} — Đã gửi, chờ duyệt",
        "Người được đề cử: Nguyễn Thị Lan (Cá nhân)",
        "Lĩnh vực: Người tốt, việc tốt",
        "Nơi sinh sống/công tác: Thôn 3",
        "Thành tích: Nhiều năm liền",
        "Người đề cử: Trần Thị Hoa — Hội Liên hiệp Phụ nữ xã An Bình",
        "Minh chứng: 2 tệp",
        "Đợt phát động: (không có)",
        "Cấp đang xét: Hội Liên hiệp Phụ nữ xã An Bình",
        "chưa có bộ tiêu chí",
        "Đây là đề cử cuối cùng đang chờ duyệt",
    )
    assert len(card[-1].media) == 2
    # No "Chuyển cấp trên": the commune above is her own scope, and nobody reviews above it.
    assert card[-1].labels == [
        "Duyệt",
        "Cần bổ sung",
        "Không duyệt",
        "Để sau, xem đề cử khác",
        "Dừng duyệt",
    ]
    await lan.press("Duyệt")
    # Confirmed on a summary; the reporter is told once the undo window has passed.
    await lan.expect(f"Duyệt đề cử {code} (Nguyễn Thị Lan)?", "báo sau 5 phút")
    await lan.press("Xác nhận duyệt")
    done = await lan.expect(
        f"Đã duyệt đề cử {code}", "/khenthuong", "được báo lúc", "Đã hết đề cử chờ duyệt"
    )
    assert done[-1].labels[0] == f"↩ Hoàn tác: duyệt {code}"
    assert await status_of(app, code) == "approved"
    await hoa.assert_no_unread()
    await stands(app, clock)
    await hoa.expect(f"đề cử {code} (Nguyễn Thị Lan) của bạn đã được duyệt")
    async with app.db.read() as conn:
        entry = (
            await conn.execute(select(audit_log).where(audit_log.c.action == "nomination.approved"))
        ).one()
    assert entry.actor_id == await person_id(app, "lan")
    assert entry.detail["code"] == code


async def test_typed_numbers_reject_with_a_chosen_reason(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    """Zalo shows numbered menus: the reviewer types numbers and words without diacritics."""
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send("duyet")  # the plain word opens the queue
    await lan.expect(code)
    await lan.send("3")  # Không duyệt
    await lan.expect("Lý do không duyệt?")
    # "quay lai" (the reviewer guide's plain form) is never taken as the reason.
    await lan.send("quay lai")
    await lan.expect("Bạn vừa gõ «quay lai». Ý bạn là gì?")
    await lan.send("1")  # Quay lại câu trước
    await lan.expect(f"Đề cử {code}", "Đây là đề cử cuối cùng")
    assert await status_of(app, code) == "submitted"
    await lan.send("3")
    await lan.expect("Lý do không duyệt?")
    await lan.send("1")  # Thiếu minh chứng
    await lan.expect(f"Không duyệt đề cử {code}", "lý do: Thiếu minh chứng?")
    await lan.send("1")  # Xác nhận không duyệt
    await lan.expect(f"Đã ghi không duyệt đề cử {code}")
    await stands(app, clock)
    await hoa.expect(f"Đề cử {code}", "chưa được duyệt. Lý do: Thiếu minh chứng")
    assert await status_of(app, code) == "rejected"


async def test_reject_with_a_typed_reason_and_duyet_typed_on_the_card_approves(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    first = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn An")
    clock_later = app.clock()
    second = await nominate(app, "hoa", "X-AN-BINH-HPN", "Phạm Thị Bình", at=clock_later)
    await lan.send("/duyet")
    await lan.expect(first)
    await lan.press("Không duyệt")
    await lan.expect("Lý do")
    await lan.send("Việc làm đã được khen năm ngoái")
    await lan.expect("lý do: Việc làm đã được khen năm ngoái?")
    await lan.send("xac nhan")
    await lan.expect(f"Đã ghi không duyệt đề cử {first}", second)
    await lan.send("duyet")  # on the card, the word is the button, not the command
    await lan.expect(f"Duyệt đề cử {second}")
    await lan.send("xac nhan duyet")
    await lan.expect(f"Đã duyệt đề cử {second}")
    await stands(app, clock)
    await hoa.expect("Lý do: Việc làm đã được khen năm ngoái", "đã được duyệt")
    assert await status_of(app, second) == "approved"


async def test_ask_for_more_answer_and_back_in_the_queue(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send("/duyet")
    await lan.expect(code)
    await lan.press("Cần bổ sung")
    await lan.expect("Bạn cần người đề cử bổ sung gì?")
    await lan.send("Xin gửi ảnh giấy khen năm 2024")
    await lan.expect(f"Đã gửi câu hỏi cho người đề cử {code}", "Đã hết đề cử")
    asked = await hoa.expect(
        f"bổ sung cho đề cử {code}", "Xin gửi ảnh giấy khen năm 2024", "/bosung"
    )
    assert asked[-1].labels == ["Trả lời"]
    assert await status_of(app, code) == "needs_info"
    # A reply right after the question is the answer to it (kept until "Gửi trả lời").
    await hoa.send("Dạ vâng, giấy khen em gửi ngay")
    await hoa.expect(f"phần trả lời bổ sung cho đề cử {code}", "Đã nhận (1 đoạn chữ, 0 tệp)")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    await hoa.send("/bosung")
    await hoa.expect("Trả lời bổ sung cho đề cử", "Xin gửi ảnh giấy khen năm 2024")
    await hoa.send("2")  # a number is text here, not a menu choice
    await hoa.expect("Đã nhận (1 đoạn chữ, 0 tệp)")
    assert (await hoa.upload(JPEG, "giay-khen.jpg")).status_code == 200
    await hoa.expect("Đã nhận (1 đoạn chữ, 1 tệp)")
    await hoa.press("Gửi trả lời")
    await hoa.expect(f"Đã gửi phần bổ sung cho đề cử {code}")
    await lan.expect(f"Người đề cử đã bổ sung cho đề cử {code}")
    assert await status_of(app, code) == "answered"
    await lan.send("/tonghop")
    await lan.expect("Đã được bổ sung, chờ duyệt lại (1):", f"1. {code} · Nguyễn Thị Lan")
    await lan.send(f"/duyet {code}")
    await lan.expect(
        "Đã bổ sung, chờ duyệt", "Minh chứng: 1 tệp", "Đã hỏi thêm: Xin gửi", "Đã bổ sung: 2"
    )
    await lan.press("Duyệt")
    await lan.expect("Duyệt đề cử")
    await lan.press("Xác nhận duyệt")
    await lan.expect("Đã duyệt")
    await stands(app, clock)
    await hoa.expect("đã được duyệt")
    async with app.db.read() as conn:
        files = (await conn.execute(select(evidence))).all()
        actions = [r.action for r in await conn.execute(select(review_events))]
    assert len(files) == 1 and files[0].added_by == await person_id(app, "hoa")
    assert actions == ["needs_info", "answer", "approve"]


async def test_answering_puts_a_draft_aside_and_resumes_it(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên")
    await lan.send(f"/duyet {code}")
    await lan.expect(code)
    await lan.press("Cần bổ sung")
    await lan.expect("bổ sung gì")
    await lan.send("Xin thêm ảnh")
    await lan.expect("Đã gửi câu hỏi")
    await hoa.expect("Xin thêm ảnh")
    # A reply right after the question, with a draft open: which one is it for?
    await hoa.send("Võ Văn Cường")
    await hoa.expect("Người duyệt vừa hỏi bạn một câu", "Tin này là để")
    await hoa.press("Dùng cho việc đang làm")
    await hoa.expect("Năm sinh")  # the draft goes on where it was, with the name
    await hoa.send("/bosung")  # the draft is put aside while answering
    await hoa.expect("Trả lời bổ sung cho đề cử", "Xin thêm ảnh")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ", "tiếp tục việc đang làm dở", "Năm sinh")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    await hoa.send(f"/bosung {code}")
    await hoa.expect("Xin thêm ảnh")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    await hoa.send("/bosung GS-2026-999999")
    await hoa.expect("không có câu hỏi nào")
    assert await status_of(app, code) == "needs_info"


async def test_forward_moves_the_nomination_to_the_parent_queue(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    hpn = await person(chat, invite, "hpn", "Đỗ Thị Hội", "X-AN-BINH-HPN", "reviewer")
    xa = await person(chat, invite, "xa", "Lê Văn Xã", "X-AN-BINH", "reviewer")
    tinh = await person(chat, invite, "tinh", "Hà Văn Tỉnh", "T-DEMO", "official")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await hpn.send("/duyet")
    await hpn.expect(code, "Cấp đang xét: Hội Liên hiệp Phụ nữ xã An Bình")
    await hpn.press("Chuyển cấp trên")
    await hpn.expect("Ý kiến đề xuất")
    await hpn.send("Đề nghị UBND xã tặng giấy khen")
    await hpn.expect(f"Chuyển đề cử {code} (Nguyễn Thị Lan) lên Xã An Bình")
    await hpn.press("Xác nhận chuyển")
    await hpn.expect(f"Đã chuyển đề cử {code} lên Xã An Bình")
    await stands(app, clock)
    await hoa.expect("chuyển lên Xã An Bình")
    assert await status_of(app, code) == "forwarded"
    # The organisation's reviewer no longer sees it; the commune's does, with the advice.
    await hpn.send("/duyet")
    await hpn.expect("Hiện không có đề cử nào chờ duyệt")
    await xa.send("/duyet")
    await xa.expect(
        "Đã chuyển cấp trên", "Cấp đang xét: Xã An Bình", "Đề nghị UBND xã tặng giấy khen"
    )
    await xa.press("Chuyển cấp trên")
    await xa.expect("Ý kiến đề xuất")
    await xa.press("Không có ý kiến thêm")
    await xa.expect("lên Tỉnh Minh Hoạ xem xét")
    await xa.press("Xác nhận chuyển")
    await xa.expect("Đã chuyển")
    await stands(app, clock)
    await hoa.expect("chuyển lên Tỉnh Minh Hoạ")
    await tinh.send(f"/duyet {code}")
    card = await tinh.expect("Cấp đang xét: Tỉnh Minh Hoạ")
    assert "Chuyển cấp trên" not in card[-1].labels  # the province has no parent
    await tinh.press("Duyệt")
    await tinh.expect("Duyệt đề cử")
    await tinh.press("Xác nhận duyệt")
    await tinh.expect("Đã duyệt")
    await stands(app, clock)
    await hoa.expect("đã được duyệt")
    current = await item(app, code)
    assert current.deciding_name == "Tỉnh Minh Hoạ"
    async with app.db.read() as conn:
        levels = (await conn.execute(select(func.count()).select_from(review_levels))).scalar()
        units = [r.unit_id for r in await conn.execute(select(review_events))]
    assert levels == 1
    assert len(set(units)) == 3  # organisation, commune, province: one decision each


async def test_skip_and_stop(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    first = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn An")
    second = await nominate(app, "hoa", "X-AN-BINH-HPN", "Phạm Thị Bình")
    await lan.send("/duyet")
    await lan.expect(first, "còn 1 đề cử đang chờ")
    await lan.press("Để sau, xem đề cử khác")
    await lan.expect(second)
    await lan.press("Để sau, xem đề cử khác")
    await lan.expect("Bạn đã xem hết lượt này. Còn 2 đề cử bạn để sau")
    await lan.send("/duyet")
    await lan.expect(first)
    await lan.press("Dừng duyệt")
    await lan.expect("Đã dừng duyệt")
    await lan.send("/duyet GS-1999-000001")
    await lan.expect("Không có đề cử mã GS-1999-000001")
    assert await status_of(app, first) == "submitted"


async def test_several_open_questions_pick_one_and_answer_with_files_only(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    first = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn An")
    second = await nominate(app, "hoa", "X-AN-BINH-HPN", "Phạm Thị Bình")
    await lan.send("/duyet")
    for code in (first, second):
        await lan.expect(code)
        await lan.press("Cần bổ sung")
        await lan.expect("bổ sung gì")
        await lan.send(f"Câu hỏi về {code}")
    await lan.expect("Đã gửi câu hỏi", "Đã hết đề cử chờ duyệt")
    await hoa.expect(f"Câu hỏi về {first}", f"Câu hỏi về {second}")
    await hoa.send("bo sung")
    picked = await hoa.expect("Bạn muốn trả lời bổ sung cho đề cử nào?")
    assert picked[-1].labels == [f"{first} — Nguyễn Văn An", f"{second} — Phạm Thị Bình"]
    await hoa.send("2")
    await hoa.expect(f"Trả lời bổ sung cho đề cử {second}", f"Câu hỏi về {second}")
    assert (await hoa.upload(JPEG, "a.jpg")).status_code == 200
    await hoa.expect("Đã nhận (0 đoạn chữ, 1 tệp)")
    await hoa.send("1")  # the numbered menu: Gửi trả lời
    await hoa.expect(f"Đã gửi phần bổ sung cho đề cử {second}")
    await lan.expect(f"đã bổ sung cho đề cử {second}")
    assert await status_of(app, first) == "needs_info"
    assert await status_of(app, second) == "answered"
    # The other question is still open; asking for an already answered one says so.
    await hoa.send(f"/bosung {second}")
    await hoa.expect(f"Đề cử {second} không có câu hỏi nào")


async def test_bad_input_on_the_card_and_in_notes_gets_a_clear_answer(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send("/duyet")
    await lan.expect(code)
    refused = await lan.upload(JPEG, "x.jpg")  # the card takes no files: none is stored
    assert refused.status_code == 403 and "chưa cần gửi tệp" in refused.json()["text"]
    await lan.send("xin chào")
    await lan.expect("Lựa chọn này không có", code)
    await lan.send("9")
    await lan.expect("Lựa chọn này không có", code)
    await lan.press("Cần bổ sung")
    await lan.expect("bổ sung gì")
    await lan.send("?")
    await lan.expect("cần ít nhất 2 ký tự")
    await lan.send("x" * 1001)
    await lan.expect("tối đa 1000 ký tự (bạn gửi 1001)")
    # A navigation word where free text is asked: the bot asks which was meant.
    await lan.send("quay lai")
    await lan.expect("Bạn vừa gõ «quay lai». Ý bạn là gì?")
    await lan.press("Quay lại câu trước")
    await lan.expect(code)
    await lan.press("Dừng duyệt")
    await lan.expect("Đã dừng")
    assert await status_of(app, code) == "submitted"
