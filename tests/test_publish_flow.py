"""/vinhdanh: an approved exemplar with consent becomes an honour page, a share card and a
channel post; withdrawing consent takes it down everywhere the bot controls."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update

from bot.app import Application
from bot.settings import Settings
from handlers.types import Reply
from storage.schema import nominations, outbox, publications
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.held import stands
from tests.support.officials import ACHIEVEMENT
from tests.support.people import Invite, MakeChat, person

STORY = "Chị Mai dạy chữ miễn phí cho trẻ em nghèo trong thôn suốt mười năm qua."


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=tmp_path / "media",
        public_base_url="https://guongsang.example.vn",
        public_channel_chat_id="@guongsang_minhhoa",
    )


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


async def nominate_with_photo(member: ChatClient, consent: str) -> None:
    await member.send("/decu")
    await member.expect("Bạn đề cử ai?")
    await member.send("ca nhan")
    await member.expect("Họ và tên")
    await member.send("Nguyễn Thị Mai")
    await member.expect("Năm sinh")
    await member.send("bo qua")
    await member.expect("Nơi sinh sống")
    await member.send("Thôn 2, xã An Bình")
    await member.expect("Lĩnh vực")
    await member.send("hoc tap")
    await member.expect("thành tích")
    await member.send(ACHIEVEMENT)
    await member.expect("minh chứng")
    assert (await member.upload(jpeg(), "mai.jpg")).status_code == 200
    await member.expect("Đã nhận 1/10 tệp")
    await member.send("xong")
    await member.expect("Số điện thoại liên hệ")
    await member.send("bo qua")
    await member.expect("công khai")
    await member.send(consent)
    await member.expect("Xem lại")
    await member.send("gui")
    await member.expect("Mã đề cử")


async def test_publish_and_withdraw(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate_with_photo(hoa, "1")
    await nominate_with_photo(hoa, "chua")  # no consent: never offered
    await official.send("/vinhdanh")
    await official.expect("Chưa có gương nào để đăng")
    async with app.db.write() as conn:  # the reviewers' decision (issue 4) approves both
        await conn.execute(update(nominations).values(status="approved"))

    await official.send("vinh danh")
    menu = await official.expect("Sẵn sàng đăng: 1", "Đang đăng (✓): 0")
    assert menu[-1].labels == ["GS-2026-000001 · Nguyễn Thị Mai", "Huỷ"]
    await official.press("GS-2026-000001 · Nguyễn Thị Mai")
    await official.expect(
        "kiểm tra sự đồng ý công khai",
        "người được đề cử đồng ý, Đồng ý trực tiếp với tôi; người xác nhận: Trần Thị Hoa",
    )
    await official.press("Đã kiểm tra, viết bài")
    # The draft is whole sentences: who and where, then the achievement.
    await official.expect(
        "Bài viết ngắn sẽ đăng",
        "Nguyễn Thị Mai hiện sống và làm việc tại Thôn 2, xã An Bình.\n\n" + ACHIEVEMENT,
    )
    await official.send(STORY)
    photos = await official.expect("Các ảnh minh chứng", "Chọn ảnh đẹp nhất")
    assert photos[0].media and photos[-1].labels == ["Ảnh 1", "Không dùng ảnh"]
    await official.press("Ảnh 1")
    preview = await official.expect(
        "Xem trước bài đăng", "Nguyễn Thị Mai", "Học tập · Hội Liên hiệp Phụ nữ xã An Bình", STORY
    )
    assert preview[0].media[0]["kind"] == "photo"
    await official.press("Đăng")
    await official.expect(
        "Đã đăng gương «Nguyễn Thị Mai»",
        "https://guongsang.example.vn/vinh-danh/1-nguyen-thi-mai",
        "Tin sẽ bắt đầu gửi lúc",
    )
    await stands(app, clock)  # the channel's post leaves once the publication stands

    page = await official.http.get("/vinh-danh/1-nguyen-thi-mai")
    assert page.status_code == 200
    text = page.text
    # The photo once (a JPEG made for the page, not the card), the story once, the day and
    # the honouring unit, a share link, the way back.
    assert text.count("<img") == 1 and 'src="/vinh-danh/1-nguyen-thi-mai/anh.jpg"' in text
    assert text.count(f"<p>{STORY}</p>") == 1 and text.count("Nguyễn Thị Mai</h1>") == 1
    assert "Vinh danh ngày 25/11/2026 · Xã An Bình" in text
    assert (
        "https://www.facebook.com/sharer/sharer.php?u="
        "https%3A%2F%2Fguongsang.example.vn%2Fvinh-danh%2F1-nguyen-thi-mai" in text
    )
    assert 'href="/vinh-danh"' in text and '<script src="/static/honour.js"' in text
    assert (
        'og:image" content="https://guongsang.example.vn/vinh-danh/1-nguyen-thi-mai/the.jpg' in text
    )
    photo = await official.http.get("/vinh-danh/1-nguyen-thi-mai/anh.jpg")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.content.startswith(b"\xff\xd8")
    thumb = await official.http.get("/vinh-danh/1-nguyen-thi-mai/anh-nho.jpg")
    assert thumb.status_code == 200 and thumb.content.startswith(b"\xff\xd8")
    card = await official.http.get("/vinh-danh/1-nguyen-thi-mai/the.jpg")
    assert card.status_code == 200 and card.headers["content-type"] == "image/jpeg"
    assert card.headers["cross-origin-resource-policy"] == "cross-origin"
    assert photo.headers["cross-origin-resource-policy"] == "same-origin"
    index = await official.http.get("/vinh-danh")
    assert '<ul class="grid">' in index.text
    assert 'src="/vinh-danh/1-nguyen-thi-mai/anh-nho.jpg"' in index.text
    # What never existed is 404; only what was taken down is 410.
    never = ("khong-co", "<script>", "khong-co/the.jpg", "khong-co/anh.jpg", "1-nguyen-thi-mai/x")
    for missing in never:
        assert (await official.http.get(f"/vinh-danh/{missing}")).status_code == 404, missing
    async with app.db.read() as conn:
        post = (await conn.execute(select(outbox).where(outbox.c.channel == "telegram"))).one()
    assert post.chat_id == "@guongsang_minhhoa"
    posted = Reply.model_validate(post.payload)
    assert STORY in posted.text and posted.replace_key == "publication:1" and posted.media
    assert post.next_attempt_at > app.clock() - app.config.undo_window  # held until it stood
    async with app.db.write() as conn:  # no Telegram here: as its lane would have, sent
        await conn.execute(update(outbox).where(outbox.c.id == post.id).values(status="sent"))

    async with app.db.read() as conn:
        live = (await conn.execute(select(publications))).one()
    public = [live.card, live.picture, live.thumb]
    assert all(public)

    # The nominee withdraws consent: the official takes it down.
    await official.send("/vinhdanh")
    await official.expect("Đang đăng (✓): 1")
    await official.press("✓ Nguyễn Thị Mai")
    await official.expect("đang đăng: https://guongsang.example.vn/vinh-danh/1-nguyen-thi-mai")
    await official.press("Gỡ bài (người được đề cử rút đồng ý)")
    await official.expect("Đã gỡ bài «Nguyễn Thị Mai»")
    for gone in ("", "/the.jpg", "/anh.jpg", "/anh-nho.jpg"):
        response = await official.http.get(f"/vinh-danh/1-nguyen-thi-mai{gone}")
        assert response.status_code == 410, gone
    assert "1-nguyen-thi-mai" not in (await official.http.get("/vinh-danh")).text
    async with app.db.read() as conn:
        posts = (
            await conn.execute(
                select(outbox.c.payload).where(outbox.c.channel == "telegram").order_by(outbox.c.id)
            )
        ).all()
        consent = (await conn.execute(select(nominations.c.consent_public))).scalars().all()
        row = (await conn.execute(select(publications))).one()
    assert [Reply.model_validate(p[0]).replace_key for p in posts] == ["publication:1"] * 2
    assert "đã được gỡ" in Reply.model_validate(posts[1][0]).text
    assert consent == [False, False]
    assert row.status == "withdrawn" and row.card is row.picture is row.thumb is None
    # The public renditions are deleted; the member's evidence stays.
    for name in public:
        assert not (app.settings.media_dir / name).exists()
    assert (app.settings.media_dir / str(row.photo)).exists()
    await official.send("/vinhdanh")
    await official.expect("Chưa có gương nào để đăng")


async def test_a_publication_undone_in_time_is_never_posted(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate_with_photo(hoa, "dong y truc tiep")
    async with app.db.write() as conn:
        await conn.execute(update(nominations).values(status="approved"))
    await official.send("/vinhdanh")
    await official.expect("Sẵn sàng đăng: 1")
    await official.press("GS-2026-000001 · Nguyễn Thị Mai")
    await official.expect("Trước khi đăng, hãy kiểm tra sự đồng ý")
    await official.press("Đã kiểm tra, viết bài")
    await official.expect("Bài viết ngắn sẽ đăng")
    await official.press("Giữ nguyên")
    await official.expect("Chọn ảnh đẹp nhất")
    await official.press("Ảnh 1")
    await official.expect("Xem trước bài đăng")
    await official.press("Đăng")
    await official.expect("Đã đăng gương", "Tin sẽ bắt đầu gửi lúc")
    assert (await official.http.get("/vinh-danh/1-nguyen-thi-mai")).status_code == 200
    async with app.db.read() as conn:
        page = (await conn.execute(select(publications))).one()
    files = [app.settings.media_dir / n for n in (page.card, page.picture, page.thumb) if n]
    assert len(files) == 3 and all(f.exists() for f in files)
    await official.press("↩ Hoàn tác bài vinh danh")
    await official.expect("Đã hoàn tác bài vinh danh «Nguyễn Thị Mai»")
    assert (await official.http.get("/vinh-danh/1-nguyen-thi-mai")).status_code in (404, 410)
    await stands(app, clock)
    async with app.db.read() as conn:
        posts = (
            await conn.execute(select(outbox.c.status).where(outbox.c.channel == "telegram"))
        ).all()
        rows = (await conn.execute(select(publications))).all()
    assert [p.status for p in posts] == ["cancelled"] and rows == []
    assert not [f for f in files if f.exists()]  # the card, the page's photo and thumbnail
    # Nothing stood: it can be published again.
    await official.send("/vinhdanh")
    await official.expect("Sẵn sàng đăng: 1")
    await official.send("/huy")
    await official.expect("Đã huỷ")
