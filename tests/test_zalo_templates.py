"""Zalo OA members outside the 7-day window get calls by template message (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.app import Application
from bot.channels.zalo_oa_template_config import parse_templates
from bot.settings import Settings
from handlers import templates
from handlers.types import Reply
from storage import outbox
from storage.schema import campaigns, nominations, zalo_template_phones, zalo_template_sends
from storage.schema import consents as consents_table
from storage.schema import outbox as outbox_table
from tests.contract.drivers import ZaloOADriver, new_user
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.console import ConsoleClient
from tests.support.officials import ACHIEVEMENT, BODY, open_call
from tests.support.people import Invite, MakeChat, person
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import identity, outbox_rows, queue_message

DAY = 24 * 3600
TEMPLATES = """
[call_opened]
template_id = "310001"
[call_opened.params]
ten_dot = "{title}"
han_chot = "Hạn {deadline}"
huong_dan = "{hint}"
lien_ket = "{link}"
"""
OA_LINK = "https://zalo.me/1856395038475629301"


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def daily_budget() -> int:
    """ZALO_OA_TEMPLATE_DAILY_BUDGET (a test parametrizes it to change it)."""
    return 200


@pytest.fixture
def settings(
    settings: Settings, fake_oa: FakeZaloOA, tmp_path: Path, daily_budget: int
) -> Settings:
    path = tmp_path / "templates.toml"
    path.write_text(TEMPLATES, encoding="utf-8")
    fake_oa.register_template("310001", ["ten_dot", "han_chot", "huong_dan", "lien_ket"])
    return with_zalo(
        settings,
        fake_oa,
        None,
        zalo_oa_templates=path,
        zalo_oa_business_base_url=fake_oa.base_url,
        zalo_oa_link=OA_LINK,
        zalo_oa_template_price=200,
        zalo_oa_template_daily_budget=daily_budget,
    )


async def zalo_member(
    app: Application, fake: FakeZaloOA, served: str, invite: Invite, name: str
) -> ZaloOADriver:
    """A member who joined on Zalo OA, typing (no phone shared)."""
    member = ZaloOADriver(app, fake, served + "/zalo/oa/webhook", new_user())
    await member.send(await invite(unit="X-AN-BINH-HPN"))
    await member.expect("Mã mời hợp lệ")
    await member.send(name)
    await member.expect("Số điện thoại của bạn")
    await member.send("bo qua")
    await member.expect("Đồng ý lưu thông tin cá nhân")
    await member.send("1")
    await member.expect(f"Chào mừng {name}")
    return member


async def test_a_member_silent_for_8_days_gets_the_call_by_template_and_nominates(
    app: Application,
    chat: MakeChat,
    invite: Invite,
    fake_oa: FakeZaloOA,
    served: str,
    clock: FakeClock,
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    lan = await zalo_member(app, fake_oa, served, invite, "Trần Thị Lan")
    hung = await zalo_member(app, fake_oa, served, invite, "Phạm Văn Hùng")
    fake_oa.refuse_uid(hung.user)  # Zalo will not take a template by his user id
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)

    await open_call(official, app, clock)
    fake_oa.advance(app.config.undo_window.total_seconds() + 1)  # as open_call moved ours

    # Lan: not a consultation message (she is outside the window) but the template.
    assert await lan.pop() == []
    (sent,) = fake_oa.templates_sent(lan.user)
    assert sent.route == "uid" and sent.template_id == "310001"
    assert sent.data == {
        "ten_dot": "Đề cử người tốt năm 2026",
        "han_chot": "Hạn 31/12/2026",
        "huong_dan": "Mở chat với OA và nhắn số 1 để đề cử",
        "lien_ket": OA_LINK,
    }
    # Hùng: no template by user id, no verified phone: counted unreachable, not retried.
    assert fake_oa.templates_sent(hung.user) == []
    async with app.db.read() as conn:
        counts = await outbox.counts_by_status(conn, "call:1")
        sends = list(await conn.execute(select(zalo_template_sends)))
    assert counts == {"sent": 2, "unreachable": 1}
    # Lan's was paid; Hùng's was refused by Zalo (not charged: the budget got it back).
    assert [(s.route, s.status) for s in sends] == [("uid", "sent"), ("uid", "failed")]
    # Zalo says it reached her phone, then that she read it (signed like every event); a
    # forged "read" without the signature changes nothing.
    url, zns = served + "/zalo/oa/webhook", {"X-ZEvent-Server": "ZNS"}
    forged = fake_oa.zns_event(sent, "user_seen_message")
    await fake_oa.deliver_async(forged, url=url, sign=False, headers=zns)
    for name in ("user_received_message", "user_seen_message"):
        event = fake_oa.zns_event(sent, name)
        assert (await fake_oa.deliver_async(event, url=url, headers=zns)).status_code == 200
    assert app.zalo_oa is not None
    assert (app.zalo_oa.metrics["zns"], app.zalo_oa.metrics["bad_signature"]) == (2, 1)
    # The official's progress and final report split the send three ways.
    split = "Trong cửa sổ: 1 · mẫu tin: 1 · không gửi được: 1"
    seen = "Mẫu tin: đã đến máy 1, đã đọc 1."
    await app.scheduler.fire_interval("bulk_progress")
    await official.expect("Đã gửi xong.", split, seen, "Báo cáo gửi", split, seen)

    # She taps through (the link opens the chat, which re-opens the window) and types 1.
    await lan.send("1")
    await lan.expect("Bạn đề cử ai?")
    for answer, question in (
        ("ca nhan", "Họ và tên"),
        ("Nguyễn Thị Mai", "Năm sinh"),
        ("bo qua", "Nơi sinh sống"),
        ("Thôn 2, xã An Bình", "Lĩnh vực"),
        ("hoc tap", "thành tích"),
        (ACHIEVEMENT, "minh chứng"),
        ("bo qua", "Số điện thoại liên hệ"),
        ("bo qua", "công khai"),
        ("dong y qua dien thoai", "Đợt phát động: Đề cử người tốt năm 2026"),
        ("gui", "GS-2026-000001"),
    ):
        await lan.send(answer)
        await lan.expect(question)
    async with app.db.read() as conn:
        (row,) = list(await conn.execute(select(nominations)))
    assert row.campaign_id == 1
    assert len(fake_oa.templates_sent()) == 1  # nothing paid for twice


async def test_a_notice_refused_for_the_window_does_not_drop_the_member_from_calls(
    app: Application,
    chat: MakeChat,
    invite: Invite,
    fake_oa: FakeZaloOA,
    served: str,
    clock: FakeClock,
) -> None:
    """Zalo's -230 (no interaction within 7 days) is about that message, not the account:
    a notice without a template that Zalo refuses is settled unreachable, and the member
    still gets the next call by template (the account used to be marked unreachable)."""
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    lan = await zalo_member(app, fake_oa, served, invite, "Trần Thị Lan")
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)
    await queue_message(app, "zalo_oa", lan.user, Reply(text="Kết quả xét duyệt đề cử"))
    await app.settle()
    notice = (await outbox_rows(app, "zalo_oa"))[-1]
    assert notice.status == "unreachable" and "-230" in (notice.last_error or "")
    assert (await identity(app, "zalo_oa", lan.user)).unreachable_at is None

    await open_call(official, app, clock, count=2)
    fake_oa.advance(app.config.undo_window.total_seconds() + 1)
    (sent,) = fake_oa.templates_sent(lan.user)
    assert sent.route == "uid" and sent.template_id == "310001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[call_open]\ntemplate_id = "1"\n', "unknown kind [call_open]"),
        ("[digest]\n[digest.params]\nso = \"{count}\"\n", "[digest] has no template_id"),
        (
            '[digest]\ntemplate_id = "9"\n[digest.params]\nten = "{title}"\n',
            "[digest.params] ten names {title}, which digest does not have",
        ),
        ('[digest]\ntemplate_id = "9"\n[digest.params]\nso = "{count!r}"\n', "not a plain"),
        ('[digest]\ntemplate_id = "9"\nprice = 3\n', "price: Extra inputs"),
        ("[digest\n", "not valid TOML"),
    ],
)
def test_the_template_file_is_checked_at_start_with_clear_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "templates.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        Settings(zalo_oa_templates=path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_kinds_without_params_use_their_placeholder_names() -> None:
    mapped = parse_templates('[digest]\ntemplate_id = "77"\n')
    fill = templates.fill("digest", 3, count=12, overdue=2)
    assert mapped.data(fill, "https://zalo.me/1") == {
        "count": "12",
        "overdue": "2",
        "hint": "Mở chat với OA và nhắn /duyet để duyệt",
        "link": "https://zalo.me/1",
    }
    assert mapped.data(templates.fill("sla_reminder", 3, count=1, days=4), "x") is None


async def preview_call(official: ChatClient) -> list[str]:
    """/dotphatdong up to its confirmation step (scope Xã An Bình, no photo); its texts."""
    await official.send("/dotphatdong")
    await official.expect("Đợt phát động")
    await official.press("Tạo đợt mới")
    await official.expect("Tên đợt phát động?")
    await official.send("Đề cử người tốt năm 2026")
    await official.expect("Nội dung lời kêu gọi")
    await official.send(BODY)
    await official.expect("lĩnh vực nào")
    await official.press("Xong")
    await official.expect("Hạn cuối nhận đề cử?")
    await official.send("31/12/2026")
    await official.expect("Gửi tới thành viên của đơn vị nào?")
    await official.press("Xã An Bình")
    await official.expect("Gửi một ảnh")
    await official.press("Bỏ qua")
    return [m.text for m in await official.expect("Xem trước", "Mở đợt và gửi ngay?")]


@pytest.mark.parametrize("daily_budget", [1])
async def test_a_call_that_would_cross_the_budget_stops_before_it_starts(
    app: Application,
    chat: MakeChat,
    invite: Invite,
    fake_oa: FakeZaloOA,
    served: str,
    clock: FakeClock,
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    for name in ("Trần Thị Lan", "Phạm Văn Hùng"):
        await zalo_member(app, fake_oa, served, invite, name)
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)

    texts = await preview_call(official)
    assert (
        "Trên Zalo, 2 người đã lâu không nhắn cho OA sẽ nhận bằng mẫu tin có phí "
        "(khoảng 400 đ). Ngân sách mẫu tin của đơn vị: hôm nay còn 1 tin; tháng này: "
        "không giới hạn."
    ) in texts[-1]
    await official.press("Mở đợt và gửi")
    await official.expect(
        "Không gửi được: 2 người trên Zalo cần mẫu tin có phí (khoảng 400 đ), nhưng ngân "
        "sách mẫu tin của đơn vị chỉ còn 1 tin (hôm nay)."
    )
    # The web console's preview says the same, and its send is refused the same way.
    browser = ConsoleClient(app)
    try:
        await browser.sign_in(official)
        form = await browser.get("/console/campaigns/new")
        unit = re.search(r'<option value="(\d+)"[^>]*>(?:— )?Xã An Bình<', form.html)
        assert unit is not None
        fields: dict[str, str | list[str]] = {
            "title": "Đề cử người tốt năm 2026",
            "body": BODY,
            "field": ["good_deed"],
            "deadline": "2026-12-31",
            "unit": unit.group(1),
        }
        preview = await browser.post("/console/campaigns/preview", fields)
        assert preview.status == 200
        assert preview.has("2 người đã lâu không nhắn cho OA", "hôm nay còn 1 tin")
        refused = await browser.post("/console/campaigns", fields)
        assert refused.status == 409 and refused.has("Không gửi được: 2 người trên Zalo")
    finally:
        await browser.close()
    async with app.db.read() as conn:
        assert list(await conn.execute(select(campaigns))) == []
        assert list(await conn.execute(select(outbox_table.c.batch).distinct())) == [(None,)]
    assert fake_oa.templates_sent() == []


async def test_a_consented_phone_reaches_a_member_the_user_id_path_cannot(
    app: Application,
    chat: MakeChat,
    invite: Invite,
    fake_oa: FakeZaloOA,
    served: str,
    clock: FakeClock,
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hung = await zalo_member(app, fake_oa, served, invite, "Phạm Văn Hùng")
    # He lets the bot use his Zalo number; only Zalo's own form counts, not a typed one.
    await hung.send("/mautin")
    await hung.expect("bằng mẫu tin", "không nhắn cho OA trong 365 ngày")
    await hung.press("Đồng ý")
    await hung.expect("Bấm vào biểu mẫu")
    await hung.send("0912345678")
    await hung.expect("Số gõ tay thì Zalo không xác nhận được")
    submitted = fake_oa.user_submit_info(hung.user, "84912345678")
    result = await fake_oa.deliver_async(submitted, url=served + "/zalo/oa/webhook")
    assert result.status_code == 200
    await hung.expect("Đã lưu số 0912 345 678")
    await hung.send("/dulieu")
    await hung.expect("số 84912345678 dùng để gửi mẫu tin Zalo")
    await hung.send("/huy")
    await hung.pop()

    fake_oa.refuse_uid(hung.user)
    fake_oa.set_phone("84912345678", hung.user)
    clock.advance(days=8)
    fake_oa.advance(8 * DAY)
    await open_call(official, app, clock, count=2)
    fake_oa.advance(app.config.undo_window.total_seconds() + 1)

    (sent,) = fake_oa.templates_sent(hung.user)
    assert (sent.route, sent.phone) == ("phone", "84912345678")
    assert sent.tracking_id is not None and len(sent.tracking_id) <= 48
    async with app.db.read() as conn:
        sends = [(r.route, r.status) for r in await conn.execute(select(zalo_template_sends))]
    assert sends == [("phone", "sent")]

    # Withdrawn: the number is gone, and the next template finds no way to him.
    await hung.send("/mautin")
    await hung.expect("đang lưu số 0912 345 678")
    await hung.press("Rút lại và xoá số")
    await hung.expect("Đã xoá số điện thoại")
    async with app.db.read() as conn:
        assert list(await conn.execute(select(zalo_template_phones))) == []
        consents = [
            (r.purpose, r.withdrawn_at is not None)
            for r in await conn.execute(select(consents_table))
        ]
    assert ("zalo_template_phone", True) in consents
    await official.pop()
