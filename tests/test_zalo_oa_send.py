"""Sending on Zalo OA: long texts, pictures and files (re-uploaded when expired), errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.app import Application
from bot.media import FolderMedia
from bot.settings import Settings
from handlers.types import Attachment, Reply
from storage import people
from tests.contract.drivers import ZaloOADriver, new_user
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOA
from tests.support.clock import FakeClock
from tests.support.zalo import wall_clock, with_zalo
from tests.support.zalo_db import identity, outbox_rows, queue_message
from tests.test_zalo_oa_tokens import users_write

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 500
PDF = b"%PDF-1.4\n" + b"0" * 500


@pytest.fixture
def clock() -> FakeClock:
    return wall_clock()


@pytest.fixture
def settings(settings: Settings, fake_oa: FakeZaloOA, fake_bot: FakeZaloBot) -> Settings:
    return with_zalo(
        settings, fake_oa, None, zalo_oa_phone_form_image_url="https://example.vn/form.png"
    )


async def test_long_text_is_split_at_sentence_ends(
    app: Application, fake_oa: FakeZaloOA, served: str
) -> None:
    (user,) = await users_write(app, fake_oa, served, 1)
    sentence = "Bà Lan nấu cơm miễn phí cho bệnh nhân nghèo suốt nhiều năm liền. "
    text = (sentence * 70).strip()  # about 4,600 characters
    await queue_message(app, "zalo_oa", user, Reply(text=text))
    await app.settle()
    pieces = [m.text or "" for m in fake_oa.sent_messages(user)][1:]
    assert len(pieces) == 3
    assert all(len(p) <= 2000 and p.endswith("liền.") for p in pieces)
    assert " ".join(pieces) == text


async def test_pictures_and_files_are_uploaded_then_reuploaded_when_expired(
    app: Application, fake_oa: FakeZaloOA, served: str, settings: Settings
) -> None:
    (user,) = await users_write(app, fake_oa, served, 1)
    photo = await FolderMedia(settings.media_dir).put(JPEG, "jpg")
    paper = await FolderMedia(settings.media_dir).put(PDF, "pdf")
    reply = Reply(
        text="Minh chứng",
        media=[
            Attachment(kind="photo", file_ref=photo, channel="web"),
            Attachment(kind="document", file_ref=paper, channel="web", file_name="ho-so.pdf"),
            Attachment(kind="photo", file_ref="https://f1.zdn.vn/a.jpg", channel="zalo_oa"),
        ],
    )
    await queue_message(app, "zalo_oa", user, reply)
    await app.settle()
    await queue_message(app, "zalo_oa", user, reply)
    await app.settle()
    assert len(fake_oa.uploads()) == 2  # the second message reused both uploads
    fake_oa.expire_attachments()
    await queue_message(app, "zalo_oa", user, reply)
    await app.settle()
    assert len(fake_oa.uploads()) == 4
    assert {u.filename for u in fake_oa.uploads("file")} == {"ho-so.pdf"}
    kinds = [m.kind for m in fake_oa.sent_messages(user)][1:]
    assert kinds == ["text", "image", "file", "image"] * 3
    assert [r.status for r in await outbox_rows(app, "zalo_oa")] == ["sent"] * 4


def _window(fake: FakeZaloOA, user: str) -> None:
    fake.set_user_error(user, -230)


def _blocked(fake: FakeZaloOA, user: str) -> None:
    fake.block_user(user)


def _rate(fake: FakeZaloOA, user: str) -> None:
    fake.fail_next("/v3.0/oa/message/cs", error=-32)


def _bad(fake: FakeZaloOA, user: str) -> None:
    fake.fail_next("/v3.0/oa/message/cs", error=-201)


def _server(fake: FakeZaloOA, user: str) -> None:
    fake.fail_next("/v3.0/oa/message/cs", status=502)


def _quota(fake: FakeZaloOA, user: str) -> None:
    fake.set_user_error(user, -211)


@pytest.mark.parametrize(
    ("fault", "status", "attempts", "unreachable"),
    [
        (_window, "unreachable", 1, False),  # that message: the account stays reachable
        (_blocked, "blocked", 1, True),
        (_rate, "retrying", 0, False),
        (_bad, "failed", 1, False),
        (_server, "retrying", 1, False),
        (_quota, "retrying", 1, False),
    ],
)
async def test_errors_are_mapped_for_delivery(
    app: Application,
    fake_oa: FakeZaloOA,
    served: str,
    fault: Callable[[FakeZaloOA, str], Any],
    status: str,
    attempts: int,
    unreachable: bool,
) -> None:
    (user,) = await users_write(app, fake_oa, served, 1)
    fault(fake_oa, user)
    await queue_message(app, "zalo_oa", user, Reply(text="Thông báo"))
    await app.settle()
    row = (await outbox_rows(app, "zalo_oa"))[-1]
    assert (row.status, row.attempts) == (status, attempts)
    assert ((await identity(app, "zalo_oa", user)).unreachable_at is not None) is unreachable


async def test_phone_question_sends_the_oa_form_and_its_answer_is_used(
    app: Application,
    fake_oa: FakeZaloOA,
    served: str,
    invite: Callable[..., Awaitable[str]],
) -> None:
    url = served + "/zalo/oa/webhook"
    person = ZaloOADriver(app, fake_oa, url, new_user())
    await person.send(await invite())
    await person.expect("Mã mời hợp lệ")
    await person.send("Lê Văn Nam")
    texts = await person.expect("Số điện thoại của bạn", "[request_user_info]")
    form = fake_oa.sent_messages(person.user)[-1].message["attachment"]["payload"]
    assert form["elements"][0]["title"] == "Chia sẻ số điện thoại với Gương Sáng"
    assert len(texts) == 2
    submitted = fake_oa.user_submit_info(person.user, "84912345678")
    assert (await fake_oa.deliver_async(submitted, url=url)).status_code == 200
    await person.expect("Đồng ý lưu thông tin cá nhân")
    await person.send("1")
    await person.expect("Chào mừng Lê Văn Nam")
    account = await identity(app, "zalo_oa", person.user)
    assert account.person_id is not None
    async with app.db.read() as conn:
        joined = await people.get_person(conn, account.person_id)
    assert joined is not None and joined.phone == "+84912345678"


async def test_phone_numbers_are_sent_with_no_break_spaces(
    app: Application, fake_oa: FakeZaloOA, served: str
) -> None:
    (user,) = await users_write(app, fake_oa, served, 1)
    await queue_message(app, "zalo_oa", user, Reply(text="Gọi 0905 111 222 nhé."))
    await app.settle()
    # Zalo wraps where it likes: a no-break space keeps the number on one line.
    assert fake_oa.sent_messages(user)[-1].text == "Gọi 0905\u00a0111\u00a0222 nhé."
