"""The calls' clock with an injected clock: reminder targeting, quiet hours, closing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import Application
from handlers.types import Reply
from storage.schema import campaigns, outbox
from tests.support.clock import FakeClock
from tests.support.officials import nominate_in_call, open_call
from tests.support.people import Invite, MakeChat, person


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local moment (Asia/Ho_Chi_Minh) of late November or December 2026, in UTC."""
    month = 11 if day >= 20 else 12
    local = datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return local.astimezone(UTC)


async def tick(app: Application, clock: FakeClock, when: datetime) -> dict[str, int] | None:
    """Move the clock and fire the calls' job once, then let delivery settle."""
    clock.now = when
    result = await app.scheduler.fire_interval("campaign_tick")
    app.delivery.kick()
    await app.settle()
    return result


async def test_reminders_reach_only_members_who_have_not_nominated(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    nam = await person(chat, invite, "nam", "Phạm Văn Nam", "X-AN-BINH-DTN")
    # Closes at 00:00 on 06/12 local.
    await open_call(official, app, clock, deadline="05/12/2026")
    await hoa.expect("📣")
    await nam.expect("📣")
    await nominate_in_call(hoa)

    # 7 days before the deadline is 00:00 local on 29/11: quiet hours, nothing goes out.
    assert await tick(app, clock, at(29, 0, 0)) == {"closed": 0, "reminders": 0}
    assert await tick(app, clock, at(29, 6, 59)) == {"closed": 0, "reminders": 0}
    assert not await nam.pop()
    # The first tick of the morning sends it, to Nam only (Hoa nominated; the official too
    # is a member in scope who has not nominated).
    assert await tick(app, clock, at(29, 7, 0)) == {"closed": 0, "reminders": 2}
    await nam.expect("⏰ Nhắc: đợt «Đề cử người tốt năm 2026» còn 7 ngày", "05/12/2026")
    await official.expect("⏰ Nhắc")
    assert not await hoa.pop()
    # The same slot cannot fire twice; the next minutes send nothing again.
    assert await app.scheduler.fire_interval("campaign_tick") is None
    assert await tick(app, clock, at(29, 7, 1)) == {"closed": 0, "reminders": 0}

    # Nam nominates from the reminder's button, so the 1-day reminder skips him too.
    await nominate_in_call(nam, "Hoàng Văn Tư")
    assert await tick(app, clock, at(5, 7, 0)) == {"closed": 0, "reminders": 1}
    await official.expect("⏰ Nhắc", "còn 1 ngày")
    assert not await nam.pop() and not await hoa.pop()

    # At the deadline (midnight) the call closes; the summary waits for the morning.
    assert await tick(app, clock, at(6, 0, 0)) == {"closed": 1, "reminders": 0}
    assert not await official.pop()
    assert await tick(app, clock, at(6, 0, 1)) == {"closed": 0, "reminders": 0}
    clock.now = at(6, 7, 0)
    app.delivery.kick()
    summary = await official.expect(
        "Tổng kết đợt «Đề cử người tốt năm 2026» (Xã An Bình), hạn cuối 05/12/2026",
        "Tổng số đề cử: 2",
        "Đã gửi, chờ duyệt: 2",
        "Học tập: 2",
        "Hội Liên hiệp Phụ nữ xã An Bình: 1",
        "Đoàn Thanh niên xã An Bình: 1",
        "Đơn vị dẫn đầu",
    )
    assert len(summary) == 1
    # The button of a closed call no longer starts a nomination.
    await hoa.press("Đề cử ngay")
    await hoa.expect("đã kết thúc")
    async with app.db.read() as conn:
        row = (await conn.execute(select(campaigns))).one()
        payload = (
            await conn.execute(
                select(outbox.c.payload).where(outbox.c.dedupe_key == "summary:call:1")
            )
        ).scalar_one()
    assert row.status == "closed" and row.reminders_done == [1, 7]
    chart = Reply.model_validate(payload).media[0]
    data = (app.settings.media_dir / chart.file_ref).read_bytes()
    assert chart.kind == "photo" and data.startswith(b"\x89PNG")
    # The page opens it through the signed link it was given, as the official only.
    shown = summary[0].media[0]
    assert len(summary[0].media) == 3  # by status, by field, by unit
    assert chart.file_ref in shown["url"]
    response = await official.http.get(shown["url"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert (await hoa.http.get(shown["url"])).status_code == 404


async def test_a_call_opened_late_skips_the_reminders_already_due(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    # 3 days: inside the 7-day one.
    await open_call(official, app, clock, deadline="28/11/2026", count=1)
    assert await tick(app, clock, at(25, 10, 0)) == {"closed": 0, "reminders": 0}
    assert await tick(app, clock, at(27, 23, 0)) == {"closed": 0, "reminders": 0}  # quiet
    assert await tick(app, clock, at(28, 7, 30)) == {"closed": 0, "reminders": 1}
    await official.expect("⏰ Nhắc", "còn 1 ngày")
    # Extended: the new deadline gets its reminders again (once per person and day count).
    await official.send("/dotphatdong")
    await official.expect("Các đợt gần đây")
    await official.press("Đề cử người tốt năm 2026")
    await official.expect("Trạng thái: đang mở")
    await official.press("Gia hạn")
    await official.expect("Hạn cuối mới?")
    await official.send("27/11/2026")
    await official.expect("phải sau hôm nay")
    await official.send("10/12/2026")
    await official.expect("Đã gia hạn", "hết ngày 10/12/2026")
    assert await tick(app, clock, at(3, 7, 0)) == {"closed": 0, "reminders": 0}
    assert await tick(app, clock, at(4, 7, 0)) == {"closed": 0, "reminders": 1}
    await official.expect("còn 7 ngày")
    assert await tick(app, clock, at(11, 0, 5)) == {"closed": 1, "reminders": 0}
    clock.now = at(11, 7, 0)
    app.delivery.kick()
    await official.expect("Tổng kết đợt", "Chưa có đề cử nào")


async def test_reminder_days_are_configurable_per_call(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    await open_call(official, app, clock, deadline="20/12/2026", count=1)
    await official.send("/dotphatdong")
    await official.expect("Các đợt gần đây")
    await official.press("Đề cử người tốt năm 2026")
    await official.expect("Nhắc trước hạn: 7, 1 ngày")
    await official.press("Đổi ngày nhắc hạn")
    await official.expect("Hiện nhắc trước hạn cuối: 7, 1 ngày")
    await official.send("mười")
    await official.expect("Chưa đúng")
    await official.send("10, 3")
    await official.expect("sẽ nhắc trước hạn cuối: 10, 3 ngày")
    assert await tick(app, clock, at(11, 7, 0)) == {"closed": 0, "reminders": 1}
    await official.expect("còn 10 ngày")
    assert await tick(app, clock, at(14, 7, 0)) == {"closed": 0, "reminders": 0}
    assert await tick(app, clock, at(18, 7, 0)) == {"closed": 0, "reminders": 1}
    await official.expect("còn 3 ngày")
    assert await tick(app, clock, at(20, 7, 0)) == {"closed": 0, "reminders": 0}  # no 1-day one
    # "0": no reminders at all.
    await official.send("/dotphatdong")
    await official.expect("Các đợt gần đây")
    await official.press("Đề cử người tốt năm 2026")
    await official.expect("Nhắc trước hạn: 10, 3 ngày")
    await official.press("Đổi ngày nhắc hạn")
    await official.expect("Hiện nhắc")
    await official.send("0")
    await official.expect("sẽ nhắc trước hạn cuối: không nhắc.")
