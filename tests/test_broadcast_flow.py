"""/thongbao: preview, confirmation, daily cap, quiet hours, progress and status."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bench.seed import seed_members
from bot.app import Application
from bot.delivery import Lane
from bot.settings import Settings
from handlers.officials.fanout import fan_out
from storage.schema import identities, outbox
from storage.units import get_unit_by_code
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.fake_channel import FakeChannel
from tests.support.held import stands
from tests.support.people import Invite, MakeChat, person

NOTICE = "Họp chi hội lúc 8 giờ sáng Chủ nhật tại nhà văn hoá thôn."


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=tmp_path / "media",
        broadcast_daily_cap=2,
    )


async def broadcast(official: ChatClient, text: str, unit: str, count: int) -> None:
    """/thongbao through the preview to the confirmation."""
    await official.send("/thongbao")
    await official.expect("Nội dung thông báo")
    await official.send(text)
    await official.expect("đơn vị nào")
    await official.press(unit)
    await official.expect("Xem trước", text, f"sẽ gửi tới {count} thành viên")
    await official.press("Gửi thông báo")


def fake_lane(app: Application, clock: FakeClock, channel: FakeChannel) -> Lane:
    """Give the running application a fake platform's outbox lane."""
    lane = Lane(channel, app.db, clock)
    app.delivery.lanes[channel.name] = lane
    lane.start()
    return lane


async def test_broadcast_with_preview_cap_and_status(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HPN", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await broadcast(official, NOTICE, "Hội Liên hiệp Phụ nữ xã An Bình", 2)
    await official.expect("Đã xếp 2 tin", "Tin sẽ bắt đầu gửi lúc 09:05")
    assert not await hoa.pop()  # held for the undo window
    await stands(app, clock)
    signed = "📢 Thông báo của Hội Liên hiệp Phụ nữ xã An Bình (người gửi: Lê Văn Cán)"
    await official.expect(signed)
    await hoa.expect(signed, NOTICE)

    clock.advance(seconds=10)
    await app.scheduler.fire_interval("bulk_progress")
    await official.expect("Đã gửi xong.", "Đã gửi 2/2", "Báo cáo gửi — Thông báo")

    # Cancelling at the preview sends nothing.
    await official.send("/thongbao")
    await official.expect("còn gửi được 1 thông báo")
    await official.send("Tin thử")
    await official.expect("đơn vị nào")
    await official.press("Hội Liên hiệp Phụ nữ xã An Bình")
    await official.expect("Xem trước")
    await official.press("Huỷ")
    await official.expect("Đã huỷ")

    await broadcast(official, "Thông báo thứ hai trong ngày.", "Hội Liên hiệp Phụ nữ xã An Bình", 2)
    await official.expect("Đã xếp 2 tin")
    await stands(app, clock)
    await official.expect("Thông báo thứ hai")
    await hoa.expect("Thông báo thứ hai")
    await official.send("/thongbao")
    await official.expect("đã gửi đủ 2 thông báo")

    await official.send("/thongbao trang thai")
    await official.expect(
        "Các lần gửi gần đây",
        "Thông báo",
        "Thông báo thứ hai",
        "đã xong",
        NOTICE[:30],
        "Đã gửi 2/2",
    )
    # The cap counts per local day.
    clock.advance(days=1)
    await official.send("thong bao")
    await official.expect("còn gửi được 2 thông báo")
    await official.send("/huy")
    await official.expect("Đã huỷ")


async def test_quiet_hours_postpone_to_the_morning(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HPN", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    clock.advance(hours=12, minutes=30)  # 21:30 local
    await official.send("/thongbao")
    await official.expect("Nội dung")
    await official.send(NOTICE)
    await official.expect("đơn vị nào")
    await official.press("Hội Liên hiệp Phụ nữ xã An Bình")
    await official.expect("Xem trước", "giờ nghỉ, tin sẽ được gửi từ 07:00 26/11/2026")
    await official.press("Gửi thông báo")
    # Quiet hours hold it longer than the undo window does.
    await official.expect("Đã xếp 2 tin", "Đã gửi 0/2", "Tin sẽ bắt đầu gửi lúc 21:35")
    assert not await hoa.pop()
    clock.advance(hours=9, minutes=29)  # 06:59 local: still quiet
    app.delivery.kick()
    assert not await hoa.pop()
    clock.advance(minutes=1)
    app.delivery.kick()
    await hoa.expect(NOTICE)
    await official.expect(NOTICE)


async def test_progress_counts_blocked_and_failed_and_excludes_blocked_later(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    fake = FakeChannel(server_errors=0.0)
    fake_lane(app, clock, fake)
    chats = await seed_members(app.db, "X-AN-BINH-DTN", 20, clock())
    fake.blocked = set(chats[:3])
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-DTN", "official")
    await broadcast(official, NOTICE, "Đoàn Thanh niên xã An Bình", 21)
    await official.expect("Đã xếp 21 tin")
    await stands(app, clock)
    await official.expect(NOTICE)
    clock.advance(seconds=10)
    await app.scheduler.fire_interval("bulk_progress")
    await official.expect("Đã gửi xong.", "Đã gửi 18/21 · lỗi 0 · đã chặn 3", "Báo cáo gửi")
    assert len(fake.sent) == 17

    # The blocked accounts are unreachable now: the next send counts them without trying.
    calls = fake.calls
    await broadcast(official, "Lần hai.", "Đoàn Thanh niên xã An Bình", 21)
    await official.expect("Đã xếp 18 tin")
    await stands(app, clock)
    await official.expect("Lần hai.")
    assert fake.calls - calls == 17
    clock.advance(seconds=10)
    await app.scheduler.fire_interval("bulk_progress")
    await official.expect("Đã gửi 18/18", "3 người không liên lạc được", "Báo cáo gửi")
    async with app.db.read() as conn:
        unreachable = (
            await conn.execute(select(identities).where(identities.c.unreachable_at.is_not(None)))
        ).all()
        statuses = {r.status for r in await conn.execute(select(outbox.c.status))}
    assert len(unreachable) == 3
    assert statuses == {"sent", "blocked"}


async def test_progress_on_a_channel_without_edits_only_at_milestones(
    app: Application, clock: FakeClock
) -> None:
    """Reports edit one message where the channel can; elsewhere only each quarter shows."""
    await seed_members(app.db, "X-AN-BINH-CCB", 8, clock())  # no lane: rows stay queued
    boss_chat = (await seed_members(app.db, "P-HOA-LAC", 1, clock(), channel="boss"))[0]
    boss = FakeChannel(name="boss")
    fake_lane(app, clock, boss)
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, "X-AN-BINH-CCB")
        assert unit is not None
        sent = await fan_out(
            conn,
            app.config,
            clock(),
            kind="broadcast",
            batch="broadcast:test",
            created_by=int(boss_chat.split("-")[1]),
            unit=unit,
            text="Tin thử",
            label="Tin thử",
        )
    assert sent.total == 8
    async with app.db.read() as conn:
        ids = [
            r.id
            for r in await conn.execute(
                select(outbox.c.id).where(outbox.c.batch == "broadcast:test")
            )
        ]
    for row_id in ids:
        async with app.db.write() as conn:
            await conn.execute(outbox.update().where(outbox.c.id == row_id).values(status="sent"))
        clock.advance(seconds=10)
        await app.scheduler.fire_interval("bulk_progress")
        await app.settle()
    shown = [r.text.split("\n")[-1] for _, r in boss.sent if r.replace_key]
    assert shown == [
        "Đã gửi 2/8 · lỗi 0 · đã chặn 0",
        "Đã gửi 4/8 · lỗi 0 · đã chặn 0",
        "Đã gửi 6/8 · lỗi 0 · đã chặn 0",
        "Đã gửi 8/8 · lỗi 0 · đã chặn 0",
    ]
    assert "Báo cáo gửi" in boss.sent[-1][1].text
    async with app.db.read() as conn:
        skipped = (await conn.execute(select(outbox).where(outbox.c.status == "skipped"))).all()
    assert len(skipped) == 4


async def test_a_province_broadcast_names_the_province_and_can_be_undone(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "tinh", "Hà Văn Tỉnh", "T-DEMO", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await broadcast(official, NOTICE, "Xã An Bình", 1)
    undo = await official.expect("Đã xếp 1 tin", "Tin sẽ bắt đầu gửi lúc")
    assert undo[-1].labels[0] == "↩ Hoàn tác thông báo"
    # Undone within the window: nobody ever receives it, and it does not count today.
    await official.press("↩ Hoàn tác thông báo")
    await official.expect("Đã hoàn tác thông báo", "không tin nào được gửi đi")
    await stands(app, clock)
    assert not await hoa.pop()
    await official.send("/thongbao")
    await official.expect("còn gửi được 2 thông báo")
    await official.send(NOTICE)
    await official.expect("đơn vị nào")
    await official.press("Xã An Bình")
    await official.expect("Xem trước", "📢 Thông báo của Tỉnh Minh Hoạ (người gửi: Hà Văn Tỉnh)")
    await official.press("Gửi thông báo")
    await official.expect("Đã xếp 1 tin")
    await stands(app, clock)
    # Chosen after the window: too late, and said so.
    await official.send("hoan tac")
    await official.expect("Không hoàn tác được nữa", "đã quá thời gian")
    await hoa.expect("📢 Thông báo của Tỉnh Minh Hoạ (người gửi: Hà Văn Tỉnh)", NOTICE)
    held = select(outbox.c.status).where(outbox.c.batch.like("broadcast:%"))
    async with app.db.read() as conn:
        statuses = sorted(r.status for r in await conn.execute(held))
    assert statuses == ["cancelled", "sent"]
