"""The traps of issue 14, on every channel (see drivers.py): a navigation word typed where
free text is asked, a reply right after a reviewer's question, an invitation answered with a
draft open, and a decision undone before the person it concerns is told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select

from bot.app import Application
from storage.schema import event_rsvps, evidence, nominations, review_events
from tests.contract.drivers import Driver
from tests.contract.test_choices import join
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.people import person
from tests.support.review import nominate, person_named, status_of

Invite = Callable[..., Awaitable[str]]
MakeChat = Callable[..., ChatClient]


async def test_navigation_words_where_free_text_is_asked_are_asked_about(
    driver: Driver, app: Application, invite: Invite
) -> None:
    await join(driver, await invite(), "Trần Thị Hoa")
    await driver.send("/decu")
    await driver.expect("Bạn đề cử ai?")
    await driver.press("Tập thể")
    await driver.expect("Tên tập thể")
    # "huy": the collective "Huy", or cancel typed without its mark? Asked, never stored.
    await driver.send("huy")
    await driver.expect("Bạn vừa gõ «huy». Ý bạn là gì?")
    await driver.press("Ghi «huy» làm câu trả lời")
    await driver.expect("Tôi sẽ ghi tên là: «Huy». Đúng không?")
    await driver.press("Đúng, ghi là Huy")
    await driver.expect("Nơi sinh sống")
    await driver.send("quay lai")
    await driver.expect("Bạn vừa gõ «quay lai»")
    await driver.press("Quay lại câu trước")
    await driver.expect("Tên tập thể")
    await driver.send("Hủy")
    await driver.expect("Bạn vừa gõ «Hủy»")
    await driver.press("Huỷ việc đang làm")
    await driver.expect("Đã huỷ")
    async with app.db.read() as conn:
        assert (await conn.execute(select(nominations))).all() == []


async def test_a_reply_right_after_a_question_answers_it(
    driver: Driver, app: Application, chat: MakeChat, invite: Invite
) -> None:
    await join(driver, await invite(), "Trần Thị Hoa")
    reviewer = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, await person_named(app, "Trần Thị Hoa"), "X-AN-BINH-HPN")
    await reviewer.send(f"/duyet {code}")
    await reviewer.expect(code)
    await reviewer.press("Cần bổ sung")
    await reviewer.expect("bổ sung gì")
    await reviewer.send("Xin số điện thoại của ông Ba")
    await reviewer.expect(f"Đã gửi câu hỏi cho người đề cử {code}")
    await driver.expect("Người duyệt cần bạn bổ sung", "Xin số điện thoại của ông Ba", "Trả lời")
    # The member answers the way people do: a plain message, then a photo.
    await driver.send("Dạ, số ông Ba là 0905 111 222 ạ")
    await driver.expect(f"phần trả lời bổ sung cho đề cử {code}", "Đã nhận (1 đoạn chữ, 0 tệp)")
    await driver.send_image()
    await driver.expect("Đã nhận (1 đoạn chữ, 1 tệp)")
    await driver.press("Gửi trả lời")
    await driver.expect(f"Đã gửi phần bổ sung cho đề cử {code}")
    await reviewer.expect(f"Người đề cử đã bổ sung cho đề cử {code}")
    assert await status_of(app, code) == "answered"
    async with app.db.read() as conn:
        notes = [r.note for r in await conn.execute(select(review_events.c.note))]
        files = (await conn.execute(select(evidence))).all()
    assert notes == ["Xin số điện thoại của ông Ba", "Dạ, số ông Ba là 0905 111 222 ạ"]
    assert len(files) == 1


async def test_an_invitation_answered_during_a_draft_then_the_draft_resumes(
    driver: Driver, app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    await join(driver, await invite(), "Trần Thị Hoa")
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HPN", "official")
    await driver.send("/decu")
    await driver.expect("Bạn đề cử ai?")
    await driver.press("Tập thể")
    await driver.expect("Tên tập thể")
    await official.send("/sukien")
    await official.expect("Sự kiện")
    await official.press("Tạo sự kiện mới")
    await official.expect("Tên sự kiện?")
    await official.send("Giao lưu với chi hội phụ nữ thôn 3")
    await official.expect("Địa điểm?")
    await official.send("Nhà văn hoá thôn 3")
    await official.expect("Thời gian?")
    day = (clock() + timedelta(days=3)).astimezone(app.config.timezone)
    await official.send(f"{day:%d/%m} 8h30")  # no year: the next such day
    await official.expect("Số người tối đa?")
    await official.send("0")
    await official.expect("đơn vị nào")
    await official.press("Hội Liên hiệp Phụ nữ xã An Bình")
    await official.expect("Xem trước", f"08:30 {day:%d/%m/%Y}")
    await official.press("Gửi thông báo sự kiện")
    await official.expect("Đã thông báo sự kiện")
    await stands(app, clock)
    await official.expect("🗓 Giao lưu")
    await driver.expect("🗓 Giao lưu với chi hội phụ nữ thôn 3", "gõ số 1 (Tham gia)")
    # "1" answers the invitation (the last message), not the draft's question...
    await driver.send("1")
    await driver.expect("Đã ghi nhận bạn tham gia", "tiếp tục việc đang làm dở", "Tên tập thể")
    # ...and the draft goes on where it was.
    await driver.send("Chi hội Phụ nữ thôn 3")
    await driver.expect("Nơi sinh sống")
    await driver.send("/huy")
    await driver.expect("Đã huỷ")
    async with app.db.read() as conn:
        answers = [r.answer for r in await conn.execute(select(event_rsvps.c.answer))]
    assert answers == ["yes"]


async def test_a_decision_undone_before_it_stands_is_never_told(
    driver: Driver, app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await join(driver, await invite(unit="X-AN-BINH", role="reviewer"), "Lê Thị Duyệt")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await driver.send("/duyet")
    await driver.expect(code)
    await driver.press("Duyệt")
    await driver.expect(f"Duyệt đề cử {code}", "báo sau 1 phút")
    await driver.press("Xác nhận duyệt")
    await driver.expect(f"Đã duyệt đề cử {code}", "được báo lúc", "Đã hết đề cử chờ duyệt")
    await driver.press(f"↩ Hoàn tác: duyệt {code}")
    await driver.expect(f"Đã hoàn tác việc duyệt {code}", f"Đề cử {code}")
    assert await status_of(app, code) == "submitted"
    # Decided again, and "hoàn tác" typed: the same.
    await driver.press("Không duyệt")
    await driver.expect("Lý do")
    await driver.press("Thiếu minh chứng")
    await driver.expect("lý do: Thiếu minh chứng?")
    await driver.press("Xác nhận không duyệt")
    await driver.expect(f"Đã ghi không duyệt đề cử {code}")
    await driver.send("hoan tac")
    await driver.expect(f"Đã hoàn tác việc không duyệt {code}", f"Đề cử {code}")
    await driver.press("Dừng duyệt")
    await driver.expect("Đã dừng duyệt")
    await stands(app, clock)
    assert not await hoa.pop()  # never told of decisions that did not stand
    assert await status_of(app, code) == "submitted"
    async with app.db.read() as conn:
        assert (await conn.execute(select(review_events))).all() == []
