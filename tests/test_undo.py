"""Decisions held for their undo window: undone only while nobody acted on them, their
notices sent exactly once when they stand (across a restart too), forwarding to a level
another reviewer sees."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import func, select

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from storage.outbox import PRIORITY_BULK
from storage.schema import (
    campaigns,
    decisions,
    events,
    evidence,
    merges,
    outbox,
    review_events,
)
from tests.conftest import DEMO
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.review import Invite, join, nominate, person, status_of


async def approve(reviewer: ChatClient, code: str) -> None:
    """Open the card, tap Duyệt and confirm it."""
    await reviewer.send(f"/duyet {code}")
    await reviewer.expect(code)
    await reviewer.press("Duyệt")
    await reviewer.expect(f"Duyệt đề cử {code}")
    await reviewer.press("Xác nhận duyệt")
    await reviewer.expect(f"Đã duyệt đề cử {code}")


async def test_forwarding_skips_the_levels_the_same_reviewer_sees(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    # Ba reviews the women's union and the whole commune: forwarding to the commune would
    # bring the card back to his own queue, with his own advice as "Ý kiến cấp dưới".
    ba = await person(chat, invite, "ba", "Đỗ Văn Ba", "X-AN-BINH-HPN", "reviewer")
    await ba.send(f"/start {await invite(unit='X-AN-BINH', role='reviewer')}")
    await ba.expect("Đã thêm vai trò người duyệt ở Xã An Bình")
    tinh = await person(chat, invite, "tinh", "Hà Văn Tỉnh", "T-DEMO", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await ba.send(f"/duyet {code}")
    await ba.expect(code)
    await ba.press("Chuyển cấp trên")
    await ba.expect("Ý kiến đề xuất")
    await ba.send("Đề nghị tỉnh biểu dương")
    await ba.expect(f"Chuyển đề cử {code} (Nguyễn Thị Lan) lên Tỉnh Minh Hoạ xem xét")
    await ba.press("Xác nhận chuyển")
    await ba.expect(f"Đã chuyển đề cử {code} lên Tỉnh Minh Hoạ")
    await ba.send("/duyet")
    await ba.expect("Hiện không có đề cử nào chờ duyệt")
    await tinh.send("/duyet")
    await tinh.expect("Cấp đang xét: Tỉnh Minh Hoạ", "Ý kiến cấp dưới khi chuyển lên")
    await tinh.press("Dừng duyệt")
    await tinh.expect("Đã dừng")
    await stands(app, clock)
    told = await hoa.expect(f"Đề cử {code} (Nguyễn Thị Lan) của bạn đã được chuyển lên")
    assert len(told) == 1 and "Tỉnh Minh Hoạ" in told[0].text  # once, naming the level


async def test_a_decision_someone_acted_on_cannot_be_undone(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    hpn = await person(chat, invite, "hpn", "Đỗ Thị Hội", "X-AN-BINH-HPN", "reviewer")
    xa = await person(chat, invite, "xa", "Lê Văn Xã", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await hpn.send(f"/duyet {code}")
    await hpn.expect(code)
    await hpn.press("Chuyển cấp trên")
    await hpn.expect("Ý kiến đề xuất")
    await hpn.press("Không có ý kiến thêm")
    await hpn.expect("lên Xã An Bình xem xét")
    await hpn.press("Xác nhận chuyển")
    await hpn.expect("Đã chuyển", "Hoàn tác")
    await approve(xa, code)  # the commune decides within the window
    await hpn.send("hoan tac")
    await hpn.expect(f"Không hoàn tác được ({code})", "đã có người xử lý tiếp")
    assert await status_of(app, code) == "approved"
    await stands(app, clock)
    await hoa.expect("chuyển lên Xã An Bình", "đã được duyệt")
    # Too late now, and a token for someone else's decision is refused.
    await xa.press(f"↩ Hoàn tác: duyệt {code}")
    await xa.expect("Không hoàn tác được nữa")
    await hpn.press_token("!undo.2")
    await hpn.expect("Không tìm thấy quyết định này của bạn")
    assert await status_of(app, code) == "approved"


async def test_an_undone_merge_gives_the_files_back(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN", "member")
    nam = await person(chat, invite, "nam", "Lê Văn Nam", "X-AN-BINH-DTN", "member")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    first = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Thị Lan", files=1)
    second = await nominate(app, "nam", "X-AN-BINH-DTN", "nguyen thi lan", files=2)
    await lan.send(f"/duyet {second}")
    await lan.expect(second, f"Có thể trùng với đề cử {first}")
    await lan.press(f"Gộp vào {first}")
    await lan.expect("Gộp đề cử")
    await lan.press("Gộp")
    await lan.expect(f"Đã gộp đề cử {second} vào {first}")
    await lan.press(f"↩ Hoàn tác: gộp {second}")
    await lan.expect(f"Đã hoàn tác việc gộp {second}", f"Đề cử {second}", "Minh chứng: 2 tệp")
    await lan.press("Dừng duyệt")
    await lan.expect("Đã dừng")
    await stands(app, clock)
    assert not await hoa.pop() and not await nam.pop()
    assert await status_of(app, second) == "submitted"
    async with app.db.read() as conn:
        owners = sorted(r[0] for r in await conn.execute(select(evidence.c.nomination_id)))
        assert (await conn.execute(select(merges))).all() == []
        assert (await conn.execute(select(review_events))).all() == []
    assert owners == [1, 2, 2]


@pytest.fixture
async def restartable(
    settings: Settings, clock: FakeClock
) -> AsyncIterator[Callable[[], Application]]:
    """Applications over one database, one after the other (the `app` fixture is not used)."""
    made: list[Application] = []

    def make() -> Application:
        made.append(Application(settings, clock=clock))
        return made[-1]

    yield make
    for application in made:
        await application.stop()


async def test_a_held_notice_survives_a_restart_and_goes_out_once(
    restartable: Callable[[], Application], settings: Settings, clock: FakeClock
) -> None:
    first = restartable()
    await cli_ops.import_units(first.db, DEMO)
    await first.start()

    async def invite(unit: str = "X-AN-BINH-HPN", role: str = "member") -> str:
        made = await cli_ops.create_invite(first.db, settings, unit, role, 10, 7, clock())
        return made.code

    hoa = ChatClient(first, "hoa")
    lan = ChatClient(first, "lan")
    await join(hoa, await invite(), "Trần Thị Hoa")
    await join(lan, await invite("X-AN-BINH", "reviewer"), "Lê Thị Duyệt")
    code = await nominate(first, "hoa", "X-AN-BINH-HPN")
    await approve(lan, code)
    await first.stop()  # the notice is held in the outbox, not in memory

    second = restartable()
    await second.start()
    again = ChatClient(second, "hoa", token=hoa.token)
    again.cursor = hoa.cursor
    await second.settle()
    assert not await again.pop()  # still within the window
    await stands(second, clock)
    told = await again.expect(f"đề cử {code} (Nguyễn Thị Lan) của bạn đã được duyệt")
    assert len(told) == 1
    await stands(second, clock)
    assert not await again.pop()  # exactly once
    async with second.db.read() as conn:
        sent = (
            await conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.batch.like("decision:%"))
            )
        ).scalar()
        held = (await conn.execute(select(decisions))).one()
    assert sent == 1 and held.undone_at is None
    for client in (hoa, lan, again):
        await client.close()


async def test_an_event_or_a_call_undone_in_time_reaches_nobody(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HND", "official")
    ba = await person(chat, invite, "ba", "Nguyễn Văn Ba", "X-AN-BINH-HND", "member")
    await official.send("/sukien")
    await official.expect("Sự kiện")
    for step, asked in (
        ("tap:Tạo sự kiện mới", "Tên sự kiện?"),
        ("Tham quan mô hình nuôi bò", "Địa điểm?"),
        ("Thôn 4", "Thời gian?"),
        ("28/11 8h30", "Số người tối đa?"),
        ("0", "đơn vị nào"),
        ("tap:Hội Nông dân xã An Bình", "Xem trước"),
        ("tap:Gửi thông báo sự kiện", "Tin sẽ bắt đầu gửi lúc"),
        ("tap:↩ Hoàn tác sự kiện", "Đã hoàn tác sự kiện «Tham quan mô hình nuôi bò»"),
        ("/dotphatdong", "Đợt phát động"),
        ("tap:Tạo đợt mới", "Tên đợt"),
        ("Đợt thi đua mùa xuân", "Nội dung"),
        ("Mời các hội viên đề cử những tấm gương tiêu biểu trong mùa xuân.", "lĩnh vực nào"),
        ("tap:Tất cả lĩnh vực", "Hạn cuối"),
        ("31/12", "đơn vị nào"),
        ("tap:Hội Nông dân xã An Bình", "Gửi một ảnh"),
        ("tap:Bỏ qua", "Xem trước"),
        ("tap:Mở đợt và gửi", "Tin sẽ bắt đầu gửi lúc"),
        ("hoan tac", "Đã hoàn tác đợt phát động «Đợt thi đua mùa xuân»"),
    ):
        if step.startswith("tap:"):
            await official.press(step[4:])
        else:
            await official.send(step)
        await official.expect(asked)
    await stands(app, clock)
    assert not await ba.pop()
    async with app.db.read() as conn:
        assert (await conn.execute(select(campaigns))).all() == []
        assert (await conn.execute(select(events))).all() == []
        bulk = select(outbox.c.status).where(outbox.c.priority == PRIORITY_BULK)
        statuses = {r[0] for r in await conn.execute(bulk)}
    assert statuses == {"cancelled"}
