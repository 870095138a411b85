"""Issue 14's findings on the web chat: plain words understood, nothing a member sends lost,
campaigns' fields, long stories, late files, the official's menu, dates without a year."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sqlalchemy import select

from bot.app import Application
from storage.schema import evidence, nominations
from tests.helpers_flow import ACHIEVEMENT, join, nominate_until_review
from tests.support.clock import FakeClock
from tests.support.media import jpeg
from tests.support.officials import open_call
from tests.support.people import Invite, MakeChat, person
from tests.support.review import nominate, status_of

JPEG = jpeg()
SENTENCE = "Bà Tư ngày nào cũng nấu cháo mang vào bệnh viện cho người bệnh nghèo. "


async def stored(app: Application) -> list[tuple[str, str, int]]:
    """(nominee, achievement, files) of every nomination."""
    async with app.db.read() as conn:
        rows = (await conn.execute(select(nominations))).all()
        files = (await conn.execute(select(evidence.c.nomination_id))).all()
    return [
        (r.nominee_name, r.achievement, sum(1 for f in files if f.nomination_id == r.id))
        for r in rows
    ]


async def test_plain_words_with_arguments_and_polite_phrases(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "official")
    first = await nominate(app, "hoa", "X-AN-BINH-HPN", "Nguyễn Văn An")
    second = await nominate(app, "hoa", "X-AN-BINH-HPN", "Phạm Thị Bình")
    await lan.send(f"duyet {second}")  # the code from the digest, typed after the word
    await lan.expect(f"Đề cử {second}", "Phạm Thị Bình")
    await lan.send("duyet")  # on the card: the button
    await lan.expect(f"Duyệt đề cử {second}")
    await lan.send("1")
    await lan.expect(f"Đã duyệt đề cử {second}", f"Đề cử {first}")
    await lan.send("dung duyet")
    await lan.expect("Đã dừng duyệt")
    await lan.send(f"khen thuong {second}")
    await lan.expect(f"Hình thức khen thưởng cho đề cử {second}")
    await lan.send("/huy")
    await lan.expect("Đã huỷ")
    await lan.send("thong bao trang thai")
    await lan.expect("Bạn chưa gửi thông báo nào")
    await hoa.send("giúp tôi với")
    await hoa.expect("Hướng dẫn sử dụng")
    await hoa.send("Tôi muốn đề cử bà Lan ở thôn 3")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("ca nhan")
    await hoa.expect("Họ và tên")
    await hoa.send("Nguyễn Thị Lan")
    await hoa.expect("Năm sinh")
    await hoa.send("không rõ")  # a skippable step: "Bỏ qua"
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 3, xã An Bình")
    await hoa.expect("Lĩnh vực")
    await hoa.send("6")
    await hoa.expect("Hãy kể thành tích")
    await hoa.send(ACHIEVEMENT)
    await hoa.expect("Gửi minh chứng")
    await hoa.send("không có")
    await hoa.expect("Số điện thoại liên hệ")
    await hoa.send("ko co")
    await hoa.expect("công khai")
    await hoa.send("dong y truc tiep")
    await hoa.expect("Xem lại", "Năm sinh: (không có)", "Điện thoại liên hệ: (không có)")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")


async def test_the_officials_menu_offers_their_actions(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    official = chat("can-bo")
    await join(official, await invite(unit="X-AN-BINH", role="official"), "Lê Văn Cán")
    await official.send("/start")
    menu = await official.expect("Xin chào Lê Văn Cán")
    assert menu[-1].labels == [
        "Đề cử người tốt",
        "Đề cử của tôi",
        "Duyệt đề cử",
        "Tổng hợp hôm nay",
        "Đợt phát động",
        "Gửi thông báo",
        "Sự kiện",
        "Vinh danh",
        "Thống kê",
        "Hướng dẫn",
    ]
    await official.press("Gửi thông báo")
    await official.expect("Nội dung thông báo")
    await official.send("/huy")
    await official.expect("Đã huỷ")
    await official.send("7")  # Sự kiện, typed as on Zalo
    await official.expect("Sự kiện (tham quan")
    await official.send("/huy")
    await official.expect("Đã huỷ")


async def test_a_campaign_offers_only_its_fields(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    nam = await person(chat, invite, "nam", "Phạm Văn Nam", "X-AN-BINH-DTN")
    await open_call(official, app, clock)  # Học tập, Người tốt việc tốt
    await nam.expect("📣")
    # A draft begun outside the call, in a field the call does not take...
    await hoa.expect("📣")
    await hoa.send("/decu")
    await hoa.expect("thuộc đợt phát động nào?")
    await hoa.press("Không thuộc đợt nào")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("ca nhan")
    await hoa.expect("Họ và tên")
    await hoa.send("Nguyễn Thị Mai")
    await hoa.expect("Năm sinh")
    await hoa.send("bo qua")
    await hoa.expect("Nơi sinh sống")
    await hoa.send("Thôn 2")
    fields = await hoa.expect("Lĩnh vực")
    assert len(fields[-1].labels) == 7
    await hoa.press("Kinh doanh")
    await hoa.expect("thành tích")
    await hoa.send(ACHIEVEMENT)
    await hoa.expect("minh chứng")
    await hoa.send("bo qua")
    await hoa.expect("Số điện thoại")
    await hoa.send("bo qua")
    await hoa.expect("công khai")
    await hoa.send("dong y truc tiep")
    await hoa.expect("Xem lại", "Lĩnh vực: Kinh doanh")
    # ...then tied to the call: its field must be one of the call's.
    await hoa.press("Đề cử ngay")
    only = await hoa.expect("được gắn với đợt", "không nhận lĩnh vực này", "nhận các lĩnh vực")
    assert only[-1].labels == ["Học tập", "Người tốt, việc tốt"]
    await hoa.send("3")  # not offered
    await hoa.expect("không có trong danh sách")
    await hoa.send("hoc tap")
    await hoa.expect("Xem lại", "Đợt phát động: Đề cử người tốt năm 2026", "Lĩnh vực: Học tập")
    await hoa.press("Gửi")
    await hoa.expect("Mã đề cử")
    # From the call's button, only its fields are offered.
    await nam.press("Đề cử ngay")
    await nam.expect("Bạn đề cử ai?")
    await nam.send("tap the")
    await nam.expect("Tên tập thể")
    await nam.send("Chi đoàn thôn 2")
    await nam.expect("Nơi sinh sống")
    await nam.send("Thôn 2")
    offered = await nam.expect("nhận các lĩnh vực")
    assert offered[-1].labels == ["Học tập", "Người tốt, việc tốt"]
    await nam.send("/huy")
    await nam.expect("Đã huỷ")
    async with app.db.read() as conn:
        assert [r.field for r in await conn.execute(select(nominations.c.field))] == ["study"]


async def test_a_story_longer_than_the_step_takes_is_kept(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    story = (SENTENCE * 50).strip()  # 3.499 characters, in sentences
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.send("1")
    await hoa.send("Hoàng Thị Tư")
    await hoa.send("1950")
    await hoa.send("Thôn 1")
    await hoa.send("6")
    await hoa.expect("Hãy kể thành tích")
    await hoa.send(story)
    held = await hoa.expect("dài 3.499 ký tự", "tối đa 3.000", "bạn không phải gõ lại")
    assert held[-1].labels == ["Giữ phần đầu", "Tôi sẽ gõ lại"]
    await hoa.press("Giữ phần đầu")
    await hoa.expect("Gửi minh chứng")
    await hoa.send("bo qua")
    await hoa.send("bo qua")
    await hoa.send("dong y truc tiep")
    await hoa.expect("Xem lại")
    await hoa.send("gui")
    await hoa.expect("Mã đề cử")
    [(_, kept, _)] = await stored(app)
    assert story.startswith(kept) and kept.endswith("nghèo.") and 2900 < len(kept) <= 3000


async def test_a_story_sent_before_starting_becomes_the_nomination(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send(SENTENCE.strip())
    kept = await hoa.expect("Tôi đã nhận và giữ lại tin của bạn", "Bà Tư ngày nào")
    assert kept[-1].labels[:2] == ["Đề cử người tốt với nội dung này", "Không dùng, xem menu chính"]
    await hoa.press("Đề cử người tốt với nội dung này")
    await hoa.expect("Tôi giữ câu chuyện (69 ký tự) và 0 tệp", "Bạn đề cử ai?")
    await hoa.send("1")
    await hoa.send("Hoàng Thị Tư")
    await hoa.send("bo qua")
    await hoa.send("Thôn 1")
    await hoa.expect("Lĩnh vực")
    await hoa.send("6")
    await hoa.expect("Gửi minh chứng")  # the story is there already
    await hoa.send("bo qua")
    await hoa.send("bo qua")
    await hoa.send("dong y truc tiep")
    await hoa.expect("Xem lại", f"Thành tích: {SENTENCE.strip()}")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    # Something too short to be a story, with nothing to answer, gets the menu.
    await hoa.send("alo")
    await hoa.expect("chưa hiểu ý bạn")


async def test_a_photo_sent_later_answers_an_open_question(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    lan = await person(chat, invite, "lan", "Lê Thị Duyệt", "X-AN-BINH", "reviewer")
    code = await nominate(app, "hoa", "X-AN-BINH-HPN")
    await lan.send(f"/duyet {code}")
    await lan.expect(code)
    await lan.press("Cần bổ sung")
    await lan.expect("bổ sung gì")
    await lan.send("Xin ảnh giấy khen")
    await lan.expect("Đã gửi câu hỏi")
    await hoa.expect("Xin ảnh giấy khen")
    await hoa.send("/cuatoi")  # something else in between: the question is not the last
    await hoa.expect("Các đề cử của bạn", "Cần bổ sung")
    # A photo at an idle conversation is kept, and offered as the answer.
    assert (await hoa.upload(JPEG, "giay-khen.jpg")).status_code == 403  # no step asks
    await hoa.send("Em gửi ảnh giấy khen ạ, chị xem giúp em nhé")
    offered = await hoa.expect("giữ lại tin của bạn")
    assert offered[-1].labels[0] == f"Trả lời người duyệt về {code}"
    await hoa.press(f"Trả lời người duyệt về {code}")
    await hoa.expect(f"phần trả lời bổ sung cho đề cử {code}", "Đã nhận (1 đoạn chữ, 0 tệp)")
    assert (await hoa.upload(JPEG, "giay-khen.jpg")).status_code == 200
    await hoa.expect("Đã nhận (1 đoạn chữ, 1 tệp)")
    await hoa.press("Gửi trả lời")
    await hoa.expect(f"Đã gửi phần bổ sung cho đề cử {code}")
    await lan.expect("đã bổ sung")
    assert await status_of(app, code) == "answered"


async def _slow_body(
    first: bytes, rest: bytes, reading: asyncio.Event, go: asyncio.Event
) -> AsyncIterator[bytes]:
    """An upload on a slow line: the server has the first part, the rest comes on `go`."""
    yield first
    reading.set()
    await go.wait()
    yield rest


async def test_a_photo_still_uploading_when_xong_is_tapped_is_kept(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate_until_review(hoa)
    await hoa.press("Sửa")
    await hoa.expect("sửa mục nào")
    await hoa.press("Minh chứng")
    await hoa.expect("Gửi minh chứng")
    reading, go = asyncio.Event(), asyncio.Event()
    upload = asyncio.create_task(
        hoa.http.post(
            "/api/upload",
            params={"id": "slow-photo"},
            content=_slow_body(JPEG[:100], JPEG[100:], reading, go),
            headers={"content-type": "image/jpeg"},
        )
    )
    await reading.wait()  # the server took the upload (the step asked for files) ...
    await hoa.press("Bỏ qua")  # ... and "Bỏ qua" arrives before the photo does
    await hoa.expect("Xem lại", "Minh chứng: 0 tệp")
    go.set()
    assert (await upload).status_code == 200
    await hoa.expect("Đã nhận thêm 1 tệp gửi muộn", "Xem lại", "Minh chứng: 1 tệp")
    await hoa.press("Gửi")
    await hoa.expect("Mã đề cử")
    [(_, _, files)] = await stored(app)
    assert files == 1


async def test_a_deadline_without_a_year_is_the_next_such_day(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    await official.send("/dotphatdong")
    await official.expect("Đợt phát động")
    await official.press("Tạo đợt mới")
    await official.expect("Tên đợt")
    await official.send("Đợt thi đua mùa xuân")
    await official.expect("Nội dung")
    await official.send("Mời các hội viên đề cử những tấm gương tiêu biểu trong mùa xuân.")
    await official.expect("lĩnh vực nào")
    await official.press("Tất cả lĩnh vực")
    await official.expect("Hạn cuối")
    await official.send("31/12")  # today is 25/11/2026
    await official.expect("đơn vị nào")
    await official.send("/quaylai")
    await official.expect("Hạn cuối")
    await official.send("15/1")  # January: next year's
    await official.expect("đơn vị nào")
    await official.press("Xã An Bình")
    await official.expect("Gửi một ảnh")
    await official.press("Bỏ qua")
    await official.expect("Hạn cuối: hết ngày 15/01/2027")
    await official.send("/huy")
    await official.expect("Đã huỷ")


async def test_the_name_is_asked_once_on_the_web(chat: MakeChat, invite: Invite) -> None:
    hoa = chat("hoa")
    await hoa.send(f"/start {await invite()}")
    asked = await hoa.expect("Mã mời hợp lệ", "họ và tên")
    assert sum(m.text.count("họ và tên") for m in asked) == 1
    await hoa.send("trần thị hoa")
    await hoa.expect("Tôi sẽ ghi tên là: «Trần Thị Hoa»")
    await hoa.press("Đúng, ghi là Trần Thị Hoa")
    await hoa.expect("Số điện thoại của bạn")
    await hoa.press("Bỏ qua")
    await hoa.expect("Đồng ý lưu thông tin")
    await hoa.press("Đồng ý")
    await hoa.expect("Chào mừng Trần Thị Hoa")
