"""A member's rights on the web chat: see everything held (/dulieu), correct it, download it,
withdraw consent (nothing more reaches them) and give it again; refusing consent at joining
keeps nothing they typed; codes typed or shown do not stay in the inbox and outbox."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.alerts import alert_admins
from bot.app import Application
from storage.consent import withdraw_member
from storage.people import add_membership, create_person, people_with_role
from storage.schema import (
    audit_log,
    consents,
    conversations,
    identities,
    inbox,
    outbox,
    people,
)
from storage.units import get_unit_by_code
from tests.helpers_flow import nominate_until_review
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.media import jpeg
from tests.support.nominating import nominate
from tests.support.people import Invite, MakeChat, join, person
from tests.support.review import nominate as review_nominate


async def download(client: ChatClient, url: str) -> bytes:
    response = await client.http.get(url)
    assert response.status_code == 200
    return response.content


async def actions(app: Application) -> list[str]:
    async with app.db.read() as conn:
        return [r[0] for r in await conn.execute(select(audit_log.c.action))]


async def join_with_phone(client: ChatClient, code: str, name: str, phone: str) -> None:
    await client.send(code)
    await client.expect("Mã mời hợp lệ")
    await client.send(name)
    await client.expect("Số điện thoại của bạn")
    await client.send(phone)
    consent = await client.expect("Đồng ý lưu thông tin cá nhân")
    # The text names its purposes, its retention periods and the platforms data crosses.
    for part in ("ghi nhận đề cử", "được xoá sau 3 ngày", "bị bỏ sau 30 ngày", "Telegram"):
        assert part in consent[-1].text
    assert "nền tảng nước ngoài" in consent[-1].text
    await client.press("Đồng ý")
    await client.expect(f"Chào mừng {name}")


async def test_mydata_shows_everything_and_corrects_and_downloads(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = chat("hoa")
    await join_with_phone(hoa, await invite(), "Trần Thị Hoa", "0912 345 678")
    await nominate_until_review(hoa)
    await hoa.send("gui")
    await hoa.expect("Mã đề cử của bạn: GS-2026-000001")
    await hoa.send("/decu")  # a draft left open
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    await hoa.send("/dulieu")
    shown = await hoa.expect(
        "Dữ liệu Gương Sáng đang lưu về bạn",
        "Họ tên: Trần Thị Hoa",
        "Số điện thoại: 0912 345 678",
        "trình duyệt web",
        "thành viên — Hội Liên hiệp Phụ nữ xã An Bình",
        "Phiên bản 2026-12-v2",
        "đang có hiệu lực",
        "Đề cử bạn đã gửi (1)",
        "GS-2026-000001 — Nguyễn Thị Lan — Đã gửi, chờ duyệt",
        "Trình duyệt web đã đăng nhập: 1",
    )
    assert shown[-1].labels == [
        "Sửa họ tên",
        "Sửa số điện thoại",
        "Tải về (tệp JSON)",
        "Tải về (tệp Excel)",
        "Rút lại đồng ý",
        "Xoá dữ liệu của tôi",
        "Xong",
    ]
    await hoa.press("Sửa họ tên")
    await hoa.expect("Gõ họ và tên đúng")
    await hoa.send("Trần Thị Hoà")
    await hoa.expect("Đã sửa họ tên thành: Trần Thị Hoà", "Họ tên: Trần Thị Hoà")
    await hoa.press("Sửa số điện thoại")
    await hoa.expect("Gõ số điện thoại mới")
    await hoa.send("0987 654 321")
    await hoa.expect("Đã lưu số điện thoại mới", "Số điện thoại: 0987 654 321")
    await hoa.press("Tải về (tệp JSON)")
    ready = await hoa.expect("toàn bộ dữ liệu Gương Sáng lưu về bạn", "sau 6 giờ")
    file = ready[0].media[0]
    assert file["name"].startswith("du-lieu-cua-toi-") and file["name"].endswith(".json")
    data = json.loads(await download(hoa, file["url"]))
    assert data["name"] == "Trần Thị Hoà" and data["phone"] == "+84987654321"
    assert [n["code"] for n in data["nominations"]] == ["GS-2026-000001"]
    assert data["consents"][0]["text_version"] == "2026-12-v2"
    assert data["roles"][0]["role"] == "member"
    await hoa.send("/dulieu")
    await hoa.expect("Dữ liệu Gương Sáng")
    await hoa.press("Tải về (tệp Excel)")
    ready = await hoa.expect("toàn bộ dữ liệu")
    book = load_workbook(io.BytesIO(await download(hoa, ready[0].media[0]["url"])))
    assert book.sheetnames[:3] == ["Thông tin", "Tài khoản", "Vai trò"]
    assert book["Thông tin"]["B2"].value == "Trần Thị Hoà"
    profile = {row[0]: row[1] for row in book["Thông tin"].iter_rows(values_only=True)}
    assert profile["Tệp đã tải lên qua trình duyệt web"] == 0
    assert book["Đề cử"]["A2"].value == "GS-2026-000001"
    done = await actions(app)
    assert done.count("person.corrected") == 2 and done.count("person.data_downloaded") == 2


async def test_the_phone_can_be_removed(chat: MakeChat, invite: Invite) -> None:
    hoa = chat("hoa")
    await join_with_phone(hoa, await invite(), "Trần Thị Hoa", "0912 345 678")
    await hoa.send("du lieu")
    await hoa.expect("Số điện thoại: 0912 345 678")
    await hoa.press("Sửa số điện thoại")
    await hoa.expect("Gõ số điện thoại mới")
    await hoa.press("Xoá số điện thoại")
    await hoa.expect("Đã xoá số điện thoại", "Số điện thoại: (không có)")
    await hoa.press("Xong")
    await hoa.expect("Bạn muốn làm gì tiếp?")


async def broadcast(official: ChatClient, text: str) -> None:
    await official.send("/thongbao")
    await official.expect("Nội dung thông báo")
    await official.send(text)
    await official.expect("đơn vị nào")
    await official.press("Hội Liên hiệp Phụ nữ xã An Bình")
    await official.expect("Xem trước")
    await official.press("Gửi thông báo")


async def test_withdrawing_consent_stops_everything_until_given_again(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH-HPN", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    lan = await person(chat, invite, "lan", "Phạm Thị Lan", "X-AN-BINH-HPN")
    # A broadcast in quiet hours waits for the morning, queued for everyone.
    clock.now = clock.now.replace(hour=15)  # 22:00 in Hà Nội
    await broadcast(official, "Họp chi hội sáng Chủ nhật.")
    await official.expect("Đã xếp 3 tin")
    await hoa.send("/dulieu")
    await hoa.expect("Dữ liệu Gương Sáng")
    await hoa.press("Rút lại đồng ý")
    await hoa.expect("Bạn chắc chắn muốn rút lại?")
    await hoa.press("Rút lại đồng ý")
    await hoa.expect("Đã ghi nhận bạn rút lại đồng ý lúc", "các tin đang chờ gửi đã được huỷ")
    async with app.db.read() as conn:
        waiting = (
            await conn.execute(
                select(outbox.c.chat_id, outbox.c.status).where(outbox.c.batch.is_not(None))
            )
        ).all()
    by_chat = dict(waiting)
    assert by_chat[await hoa.chat_id()] == "unreachable"
    assert by_chat[await lan.chat_id()] == "queued"
    # Morning: Lan gets the broadcast, Hoa nothing; a new broadcast skips her too.
    clock.now = clock.now.replace(hour=1) + timedelta(days=1)
    app.delivery.kick()
    await lan.expect("Họp chi hội sáng Chủ nhật.")
    await official.pop()
    await broadcast(official, "Thông báo thứ hai.")
    await official.expect("Đã xếp 2 tin")  # the official and Lan
    await stands(app, clock)  # held for its undo window, then sent
    await lan.expect("Thông báo thứ hai.")
    await official.pop()
    assert await hoa.pop() == []
    # Anything else is paused for her, with her choices.
    await hoa.send("/decu")
    gate = await hoa.expect("Bạn đã rút lại đồng ý")
    assert gate[-1].labels == ["Đồng ý lại", "Xem dữ liệu của tôi", "Xoá dữ liệu của tôi"]
    await hoa.send("1")
    again = await hoa.expect("Đồng ý lưu thông tin cá nhân", "Bạn có đồng ý không?")
    assert "/dulieu" in again[-1].text
    await hoa.press("Đồng ý")
    await hoa.expect("Đã ghi nhận bạn đồng ý lại")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    async with app.db.read() as conn:
        history = (
            await conn.execute(
                select(consents.c.text_version, consents.c.withdrawn_at).order_by(consents.c.id)
            )
        ).all()
    mine = [row for row in history if row[0] == "2026-12-v2"]
    assert len(mine) >= 4 and any(w is not None for _, w in mine)
    assert {"member_consent.withdrawn", "member_consent.given"} <= set(await actions(app))


async def test_joining_again_after_withdrawing_asks_again(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send("/dulieu")
    await hoa.expect("Dữ liệu")
    await hoa.press("Rút lại đồng ý")
    await hoa.expect("chắc chắn")
    await hoa.press("Rút lại đồng ý")
    await hoa.expect("Đã ghi nhận bạn rút lại đồng ý")
    await hoa.send(f"/start {await invite(unit='X-AN-BINH-DTN')}")
    await hoa.expect("Mã mời hợp lệ", "Đồng ý lưu thông tin cá nhân")
    await hoa.press("Đồng ý")
    await hoa.expect("Đã thêm vai trò thành viên ở Đoàn Thanh niên")
    async with app.db.read() as conn:
        withdrawn = (await conn.execute(select(people.c.consent_withdrawn_at))).scalar_one()
    assert withdrawn is None


async def test_refusing_consent_keeps_nothing_typed(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    guest = chat("guest")
    code = await invite()
    await guest.send(code)
    await guest.expect("Mã mời hợp lệ")
    await guest.send("Phạm Văn Từ Chối")
    await guest.expect("Số điện thoại")
    await guest.send("0911 222 333")
    await guest.expect("Đồng ý lưu thông tin cá nhân")
    await guest.press("Không đồng ý")
    refused = await guest.expect("không lưu họ tên và số điện thoại bạn vừa gõ")
    assert "trình duyệt web" in refused[0].text and "30 ngày" in refused[0].text
    async with app.db.read() as conn:
        stored = json.dumps(
            [list(r) for r in (await conn.execute(select(inbox.c.payload, inbox.c.sender_id)))]
            + [list(r) for r in (await conn.execute(select(outbox.c.payload)))],
            ensure_ascii=False,
        )
        account = (
            await conn.execute(select(identities).where(identities.c.person_id.is_(None)))
        ).one()
        nobody = (await conn.execute(select(people))).all()
    for typed in ("Phạm Văn Từ Chối", "0911 222 333", "0911222333", code):
        assert typed not in stored
    assert account.display_name is None and account.consent_refused_at is not None
    assert nobody == []
    await guest.send("xin chào")
    await guest.expect("Lần trước bạn chưa đồng ý")


async def test_codes_do_not_stay_in_the_inbox_or_outbox(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    code = await invite()
    hoa = chat("hoa")
    await join(hoa, code, "Trần Thị Hoa")
    await hoa.send("/taikhoan")
    await hoa.expect("Tài khoản của")
    await hoa.press("Liên kết ứng dụng khác / đăng nhập web")
    shown = await hoa.expect("Mã đăng nhập của bạn")
    sign_in = shown[-1].text.split("Mã đăng nhập của bạn: ")[1][:9]
    # Typed on a new browser: the link works, and neither code is kept anywhere.
    phone = chat("phone")
    await phone.send(sign_in)
    await phone.expect("Đã liên kết")
    await hoa.expect("vừa được liên kết")
    async with app.db.read() as conn:
        stored = json.dumps(
            [r[0] for r in await conn.execute(select(inbox.c.payload))]
            + [r[0] for r in await conn.execute(select(outbox.c.payload))],
            ensure_ascii=False,
        )
    for secret in (code, sign_in, sign_in.replace("-", "")):
        assert secret not in stored
    assert "đã được xoá để bảo mật" in stored
    # The page still shows the message, without the code, when it reloads.
    hoa.cursor = 0
    history = [m.text for m in await hoa.pop()]
    assert any("đã được xoá để bảo mật" in text for text in history)
    assert not any(sign_in in text for text in history)


async def test_a_photo_uploaded_is_listed(chat: MakeChat, invite: Invite) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("1")
    await hoa.expect("Họ và tên")
    await hoa.send("Nguyễn Thị Lan")
    await hoa.expect("Năm sinh")
    await hoa.send("bo qua")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 3")
    await hoa.expect("Lĩnh vực")
    await hoa.send("6")
    await hoa.expect("thành tích")
    await hoa.send("Bà Lan nhiều năm nấu cơm miễn phí cho bệnh nhân nghèo.")
    await hoa.expect("minh chứng")
    assert (await hoa.upload(jpeg())).status_code == 200
    await hoa.expect("Đã nhận 1/10 tệp")
    await hoa.send("/dulieu")
    await hoa.expect(
        "Việc đang làm dở",
        "Đề cử đang viết trên trình duyệt web",
        "Tệp bạn đã tải lên qua trình duyệt web: 1 (",
    )
    await hoa.press("Xong")
    await hoa.expect("")


async def test_a_reviewer_who_withdrew_gets_no_digest(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    duyet = await person(chat, invite, "duyet", "Vũ Thị Duyệt", "X-AN-BINH", "reviewer")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate(hoa, "Nguyễn Thị Lan")  # something new for the morning's digest
    await duyet.send("/dulieu")
    await duyet.expect("Dữ liệu Gương Sáng")
    await duyet.press("Rút lại đồng ý")
    await duyet.expect("chắc chắn")
    await duyet.press("Rút lại đồng ý")
    await duyet.expect("Đã ghi nhận bạn rút lại đồng ý")
    clock.advance(hours=22, minutes=31)  # 07:31 the next morning in Hà Nội
    result = await app.scheduler.fire_daily("digest")
    assert result is not None and result["queued"] == 0 and result["unreachable"] == 1
    assert await duyet.pop() == []


async def test_an_admin_who_withdrew_gets_no_health_alert(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    quan = await person(chat, invite, "quan", "Phạm Quản Trị", "T-DEMO", "admin")
    tri = await person(chat, invite, "tri", "Đỗ Văn Trí", "T-DEMO", "admin")
    await quan.send("/dulieu")
    await quan.expect("Dữ liệu Gương Sáng")
    await quan.press("Rút lại đồng ý")
    await quan.expect("chắc chắn")
    await quan.press("Rút lại đồng ý")
    await quan.expect("Đã ghi nhận bạn rút lại đồng ý")
    queued = await alert_admins(
        app.db, app.clock, "alert.zalo_oa_token", about_channel="zalo_oa", topic="zalo_oa"
    )
    assert queued == 1
    app.delivery.kick()
    await tri.expect("không làm mới được quyền gửi tin của Zalo OA")
    assert await quan.pop() == []


async def test_mydata_lists_a_draft_put_aside_and_the_purge_takes_it(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    """A nomination put aside while the member answers a reviewer (conversations.pending)
    is theirs too: /dulieu lists it, and the purge forgets it with the other drafts."""
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await review_nominate(app, "hoa", "X-AN-BINH-HPN")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await lan.send(f"/duyet {code}")
    await lan.expect(code)
    await lan.press("Cần bổ sung")
    await lan.expect("bổ sung gì")
    await lan.send("Xin ảnh giấy khen")
    await lan.expect("Đã gửi câu hỏi")
    await hoa.expect("Xin ảnh giấy khen")
    await hoa.send("Giấy khen của bà Lan năm 2025 ạ")
    await hoa.expect("Tôi đã nhận «Giấy khen của bà Lan năm 2025 ạ»")
    await hoa.press("Trả lời người duyệt")
    await hoa.expect(f"phần trả lời bổ sung cho đề cử {code}")
    await hoa.send("/dulieu")
    await hoa.expect("Việc đang làm dở", "Trả lời bổ sung", "Đề cử đang viết trên trình duyệt web")
    async with app.db.read() as conn:
        kept = (await conn.execute(select(conversations.c.pending))).scalars().all()
    assert [p["suspended"]["flow"] for p in kept if p and p.get("suspended")] == ["nominate"]
    clock.advance(days=app.config.draft_ttl_days + 1)
    assert (await app.scheduler.fire_interval("purge") or {})["drafts_dropped"] >= 1
    async with app.db.read() as conn:
        left = (
            await conn.execute(
                select(conversations.c.identity_id).where(
                    conversations.c.flow.is_not(None) | conversations.c.pending.is_not(None)
                )
            )
        ).all()
    assert left == []


async def test_people_with_role_leaves_out_those_who_withdrew_only_when_asked(
    app: Application, clock: FakeClock
) -> None:
    """Whoever notifies asks for consenting people and gets no one who withdrew consent;
    whoever needs every holder of the role (an audit, a count) says so and gets them all."""
    now = clock()
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, "X-AN-BINH")
        assert unit is not None
        kept, withdrew, member = [
            await create_person(conn, name, None, now) for name in ("An", "Bình", "Chi")
        ]
        for holder, role in ((kept, "admin"), (withdrew, "admin"), (member, "member")):
            await add_membership(conn, holder.id, unit.id, role, now)
        assert await withdraw_member(conn, withdrew.id, now)
    async with app.db.read() as conn:
        consenting = await people_with_role(conn, "admin", consenting_only=True)
        everyone = await people_with_role(conn, "admin", consenting_only=False)
    assert kept.id in consenting and withdrew.id not in consenting
    assert {kept.id, withdrew.id} <= set(everyone) and member.id not in everyone
