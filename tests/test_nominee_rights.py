"""Nominees' rights, exercised by officials (nominees are not users): find by name without
diacritics or by phone within scope, see everything held, correct, record or withdraw consent
(a guardian's under 16), anonymise, erase — each audited with who and why. Publishing asks for
the consent's evidence and is refused without it."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.app import Application
from storage.schema import audit_log, decisions, evidence, nominations, nominee_consents
from tests.support.clock import FakeClock
from tests.support.media import jpeg
from tests.support.nominating import STORY, nominate
from tests.support.people import Invite, MakeChat, person


async def audited(app: Application, action: str) -> list[tuple[int | None, dict[str, object]]]:
    async with app.db.read() as conn:
        rows = await conn.execute(
            select(audit_log.c.actor_id, audit_log.c.detail).where(audit_log.c.action == action)
        )
        return [(r[0], r[1]) for r in rows]


async def test_an_official_finds_sees_corrects_and_withdraws(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate(
        hoa, "Nguyễn Thị Lan", phone="0987 654 321", consent="dong y qua dien thoai", submit=False
    )
    await hoa.expect("Xem lại", "Đã đồng ý (Đồng ý qua điện thoại)")
    await hoa.send("gui")
    await hoa.expect("GS-2026-000001")

    await official.send("/nguoiduocdecu")
    await official.expect("Tìm người được đề cử")
    await official.send("nguyen thi lan")
    picks = await official.expect("Chọn đề cử")
    assert picks[-1].labels[0].startswith("GS-2026-000001 · Nguyễn Thị Lan")
    await official.press(picks[-1].labels[0])
    await official.expect(
        "Dữ liệu về người được đề cử — GS-2026-000001",
        "Họ tên: Nguyễn Thị Lan",
        "Số điện thoại liên hệ: 0987 654 321",
        STORY,
        "Minh chứng: 1 tệp (photo)",
        "Phiên bản cong-khai-2026-12-v1: người được đề cử đồng ý, Đồng ý qua điện thoại;"
        " người xác nhận: Trần Thị Hoa",
        "Người đề cử: Trần Thị Hoa",
    )
    # By phone, written as people write it.
    await official.press("Tìm người khác")
    await official.expect("Tìm người được đề cử")
    await official.send("0987654321")
    found = await official.expect("Chọn đề cử")
    assert found[-1].labels[0].startswith("GS-2026-000001 · Nguyễn Thị Lan")
    await official.send("1")
    await official.expect("Dữ liệu về người được đề cử")
    await official.press("Sửa thông tin")
    await official.expect("Sửa mục nào?")
    await official.press("Họ tên")
    await official.expect("Gõ họ tên đúng")
    await official.send("Nguyễn Thị Lan Anh")
    await official.expect("Vì sao?")
    await official.send("abc")
    await official.expect("ít nhất 5")
    await official.send("Chị Lan gọi điện xin sửa tên, ngày 3/12")
    await official.expect("Đã sửa Họ tên (ghi nhật ký)", "Họ tên: Nguyễn Thị Lan Anh")
    [(actor, detail)] = await audited(app, "nominee.corrected")
    assert detail == {"field": "nominee_name", "reason": "Chị Lan gọi điện xin sửa tên, ngày 3/12"}
    assert actor is not None
    await official.press("Rút lại đồng ý / gỡ bài")
    await official.expect("Vì sao?")
    await official.send("Chị Lan không muốn công khai nữa")
    await official.expect("rút lại đồng ý (ghi nhật ký)", "Đã rút lại lúc")
    async with app.db.read() as conn:
        consent = (await conn.execute(select(nominations.c.consent_public))).scalar_one()
    assert consent is False
    await official.press("Xong")
    await official.expect("Bạn muốn làm gì tiếp?")


async def test_scope_limits_the_search(app: Application, chat: MakeChat, invite: Invite) -> None:
    far = await person(chat, invite, "xa", "Đỗ Văn Xa", "P-HOA-LAC", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate(hoa, "Nguyễn Thị Lan", consent="4", submit=False)
    await hoa.expect("Xem lại")
    await hoa.send("gui")
    await hoa.expect("GS-2026-000001")
    await far.send("/nguoiduocdecu")
    await far.expect("Tìm người được đề cử")
    await far.send("Nguyễn Thị Lan")
    await far.expect("Không thấy ai khớp trong phạm vi của bạn")
    await far.send("/huy")
    await far.expect("Đã huỷ")
    # A member may not use it at all.
    await hoa.send("/nguoiduocdecu")
    await hoa.expect("không có quyền")


async def test_a_guardian_consents_for_a_minor_and_publishing_checks_it(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    # Born 2014: a guardian consents, and the flow asks for them.
    await nominate(hoa, "Lê Minh Khôi", year="2014", consent="1", submit=False)
    await hoa.expect("Họ tên và quan hệ của người giám hộ")
    await hoa.send("Lê Văn Bình, bố")
    await hoa.expect(
        "Xem lại", "Người giám hộ Lê Văn Bình, bố đã đồng ý (Đồng ý trực tiếp với tôi)"
    )
    await hoa.send("gui")
    await hoa.expect("GS-2026-000001")
    # Born 1990, consent by the nominee; a later correction makes them a minor.
    await nominate(hoa, "Phạm Thu Trang", year="1990", consent="2", submit=False)
    await hoa.expect("Xem lại")
    await hoa.send("gui")
    await hoa.expect("GS-2026-000002")
    async with app.db.write() as conn:
        await conn.execute(update(nominations).values(status="approved"))
    await official.send("/nguoiduocdecu")
    await official.expect("Tìm người")
    await official.send("trang")
    await official.expect("Chọn đề cử")
    await official.send("1")
    await official.expect("Dữ liệu về người được đề cử")
    await official.press("Sửa thông tin")
    await official.expect("Sửa mục nào?")
    await official.press("Năm sinh")
    await official.expect("Gõ năm sinh")
    await official.send("2015")
    await official.expect("Vì sao?")
    await official.send("Nhầm năm sinh trong phiếu")
    await official.expect("Đã sửa Năm sinh", "chưa đủ 16 tuổi")
    await official.press("Xong")
    await official.expect("")

    await official.send("/vinhdanh")
    menu = await official.expect("Sẵn sàng đăng: 2")
    assert "GS-2026-000002 · Phạm Thu Trang" in menu[-1].labels
    await official.press("GS-2026-000002 · Phạm Thu Trang")
    await official.expect("cần sự đồng ý của cha, mẹ hoặc người giám hộ trước khi đăng")
    await official.send("/vinhdanh")
    await official.expect("Sẵn sàng đăng")
    await official.press("GS-2026-000001 · Lê Minh Khôi")
    await official.expect("kiểm tra sự đồng ý", "người giám hộ Lê Văn Bình, bố đồng ý thay")
    await official.press("Đã kiểm tra, viết bài")
    await official.expect("Bài viết ngắn sẽ đăng")
    await official.send("/huy")
    await official.expect("Đã huỷ")
    async with app.db.read() as conn:
        checked = (
            await conn.execute(
                select(nominee_consents.c.confirmed_by, nominee_consents.c.by_guardian).where(
                    nominee_consents.c.nomination_id == 1
                )
            )
        ).one()
    assert checked[0] is not None and checked[1] is True
    # Recording a guardian's consent for the corrected one makes it publishable again.
    await official.send("/nguoiduocdecu")
    await official.expect("Tìm người")
    await official.send("trang")
    await official.send("1")
    await official.expect("Chọn đề cử", "Dữ liệu về người được đề cử — GS-2026-000002")
    await official.press("Rút lại đồng ý / gỡ bài")
    await official.send("Xin lại sự đồng ý của người giám hộ")
    await official.expect("rút lại đồng ý")
    await official.press("Ghi nhận đồng ý công khai")
    await official.expect("chưa đủ 16 tuổi", "Họ đồng ý bằng cách nào?")
    await official.press("Đồng ý bằng giấy có chữ ký (gửi ảnh)")
    await official.expect("người giám hộ")
    await official.send("Phạm Văn Hùng, bố")
    await official.expect("Gửi ảnh chụp giấy đồng ý")
    assert (await official.upload(jpeg())).status_code == 200
    await official.expect("Vì sao?")
    await official.send("Bố em Trang ký giấy ngày 5/12")
    await official.expect("Đã ghi nhận sự đồng ý", "người giám hộ Phạm Văn Hùng, bố đồng ý thay")
    await official.press("Xong")
    await official.expect("")
    await official.send("/vinhdanh")
    await official.expect("Sẵn sàng đăng")
    await official.press("GS-2026-000002 · Phạm Thu Trang")
    shown = await official.expect("kiểm tra sự đồng ý", "Đồng ý bằng giấy có chữ ký")
    assert shown[-1].media, "the signed paper's photo is shown with the consent"
    await official.send("/huy")
    await official.expect("Đã huỷ")


async def test_anonymise_then_erase(app: Application, chat: MakeChat, invite: Invite) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    for name in ("Nguyễn Thị Lan", "Võ Văn Tâm"):
        await nominate(hoa, name, consent="1", submit=False)
        await hoa.expect("Xem lại")
        await hoa.send("gui")
        await hoa.expect("Mã đề cử")
    async with app.db.read() as conn:
        files = (
            (await conn.execute(select(evidence.c.file_ref).order_by(evidence.c.id)))
            .scalars()
            .all()
        )
    media = app.settings.media_dir
    assert all((media / f).exists() for f in files)
    await official.send("/nguoiduocdecu")
    await official.send("nguyen thi lan")
    await official.expect("Tìm người", "Chọn đề cử")
    await official.send("1")
    await official.expect("Dữ liệu về người được đề cử")
    await official.press("Ẩn danh")
    await official.expect("Vì sao?")
    await official.send("Bà Lan yêu cầu xoá thông tin cá nhân")
    await official.expect("Không thể hoàn tác")
    await official.press("Ẩn danh")
    await official.expect("Đã ẩn danh đề cử GS-2026-000001", "Họ tên: (đã ẩn danh theo yêu cầu)")
    assert not (media / files[0]).exists()
    await official.press("Tìm người khác")
    await official.send("vo van tam")
    await official.expect("Chọn đề cử")
    await official.send("1")
    await official.expect("Dữ liệu về người được đề cử")
    await official.press("Xoá hẳn")
    await official.send("Ông Tâm yêu cầu xoá hồ sơ")
    await official.expect("Không thể hoàn tác")
    await official.press("Huỷ")
    await official.expect("Chưa làm gì", "Dữ liệu về người được đề cử")
    await official.press("Xoá hẳn")
    await official.send("Ông Tâm yêu cầu xoá hồ sơ")
    await official.expect("Không thể hoàn tác")
    await official.press("Xoá hẳn")
    await official.expect("Đã xoá hẳn đề cử GS-2026-000002")
    assert not (media / files[1]).exists()
    async with app.db.read() as conn:
        left = (await conn.execute(select(nominations.c.nominee_name, nominations.c.place))).all()
    assert left == [("(đã ẩn danh theo yêu cầu)", "(đã ẩn danh theo yêu cầu)")]
    [(_, anonymised)] = await audited(app, "nominee.anonymised")
    [(_, erased)] = await audited(app, "nominee.erased")
    assert anonymised["reason"] == "Bà Lan yêu cầu xoá thông tin cá nhân"
    assert erased["code"] == "GS-2026-000002" and erased["reason"] == "Ông Tâm yêu cầu xoá hồ sơ"
    # The member sees their nominations as records now.
    await hoa.send("/cuatoi")
    await hoa.expect("Các đề cử của bạn (1)", "(đã ẩn danh theo yêu cầu)")


async def test_a_signed_paper_stays_with_the_consent(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate(hoa, "Nguyễn Thị Lan", consent="dong y bang giay", submit=False)
    await hoa.expect("Gửi ảnh chụp giấy đồng ý đã ký")
    await hoa.send("đây là giấy")
    await hoa.expect("Hãy gửi ảnh chụp giấy đồng ý")
    assert (await hoa.upload(jpeg(colour=(250, 250, 250)))).status_code == 200
    await hoa.expect("Xem lại", "Đã đồng ý (Đồng ý bằng giấy có chữ ký (gửi ảnh))")
    await hoa.send("gui")
    await hoa.expect("GS-2026-000001")
    async with app.db.read() as conn:
        paper = (await conn.execute(select(nominee_consents.c.paper))).scalar_one()
    stored = app.settings.media_dir / paper["file_ref"]
    assert stored.exists()
    # Long after, the purge of uploads no draft uses leaves the consent's paper alone.
    clock.advance(days=40)
    result = await app.scheduler.fire_interval("purge")
    assert result is not None and result["uploads_deleted"] == 1  # its upload record only
    assert stored.exists()
    hoa.signed_out = True


async def test_anonymising_takes_the_name_out_of_a_publication_decision(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    """Publishing is an undoable decision whose label is the page's title (the nominee's
    name): anonymising the nominee leaves the decision, without the name."""
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate(hoa, "Nguyễn Thị Lan", consent="1", submit=False)
    await hoa.expect("Xem lại")
    await hoa.send("gui")
    await hoa.expect("Mã đề cử")
    async with app.db.write() as conn:
        await conn.execute(update(nominations).values(status="approved"))
    await official.send("/vinhdanh")
    await official.expect("Sẵn sàng đăng: 1")
    await official.press("GS-2026-000001 · Nguyễn Thị Lan")
    await official.expect("kiểm tra sự đồng ý")
    await official.press("Đã kiểm tra, viết bài")
    await official.expect("Bài viết ngắn sẽ đăng")
    await official.press("Giữ nguyên")
    await official.expect("Chọn ảnh đẹp nhất")
    await official.press("Không dùng ảnh")
    await official.expect("Xem trước bài đăng")
    await official.press("Đăng")
    await official.expect("Đã đăng gương")
    async with app.db.read() as conn:
        before = (await conn.execute(select(decisions.c.kind, decisions.c.label))).all()
    assert before == [("publish", "Nguyễn Thị Lan")]
    await official.send("/nguoiduocdecu")
    await official.send("nguyen thi lan")
    await official.expect("Tìm người", "Chọn đề cử")
    await official.send("1")
    await official.expect("Dữ liệu về người được đề cử")
    await official.press("Ẩn danh")
    await official.expect("Vì sao?")
    await official.send("Bà Lan yêu cầu xoá thông tin cá nhân")
    await official.expect("Không thể hoàn tác")
    await official.press("Ẩn danh")
    await official.expect("Đã ẩn danh đề cử GS-2026-000001")
    async with app.db.read() as conn:
        after = (await conn.execute(select(decisions.c.kind, decisions.c.label))).all()
    assert after == [("publish", "(đã ẩn danh theo yêu cầu)")]
