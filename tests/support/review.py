"""Helpers for review tests: people who joined through the chat, nominations made directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select

from bot.app import Application
from handlers.text import fold
from storage import nominations, reviews
from storage.schema import identities, people
from storage.schema import nominations as nominations_table
from storage.units import get_unit_by_code
from tests.support.chat import ChatClient

ACHIEVEMENT = "Nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện."
Invite = Callable[..., Awaitable[str]]


async def join(chat: ChatClient, code: str, name: str) -> None:
    """Redeem an invite through the chat: code, name, no phone, consent."""
    await chat.send(f"/start {code}")
    await chat.expect("Mã mời hợp lệ")
    await chat.send(name)
    await chat.expect("Số điện thoại của bạn")
    await chat.press("Bỏ qua")
    await chat.expect("Đồng ý lưu thông tin")
    await chat.press("Đồng ý")
    await chat.expect(f"Chào mừng {name}")


async def person(
    chat_factory: Callable[..., ChatClient],
    invite: Invite,
    uid: str,
    name: str,
    unit: str,
    role: str,
) -> ChatClient:
    """A person who joined `unit` with `role` through the web chat."""
    client = chat_factory(uid)
    await join(client, await invite(unit=unit, role=role), name)
    return client


async def person_id(app: Application, uid: str) -> int:
    """The person behind a test's web chat client (labelled `uid`, see ChatClient.open)."""
    async with app.db.read() as conn:
        found = (
            await conn.execute(
                select(identities.c.person_id).where(
                    identities.c.channel == "web", identities.c.display_name == uid
                )
            )
        ).scalar_one()
    assert found is not None
    return int(found)


async def nominate(
    app: Application,
    reporter_uid: str | int,
    unit_code: str,
    name: str = "Nguyễn Thị Lan",
    *,
    field: str = "good_deed",
    at: datetime | None = None,
    files: int = 0,
) -> str:
    """Store a submitted nomination as the nominate flow would; returns its code. The
    reporter is a web chat client's label, or a person's id."""
    reporter = reporter_uid if isinstance(reporter_uid, int) else await person_id(app, reporter_uid)
    return await nominate_as(app, reporter, unit_code, name, field=field, at=at, files=files)


async def nominate_as(
    app: Application,
    reporter: int,
    unit_code: str,
    name: str = "Nguyễn Thị Lan",
    *,
    kind: str = "individual",
    field: str = "good_deed",
    at: datetime | None = None,
    files: int = 0,
) -> str:
    """Store a submitted nomination of this person's; returns its code."""
    now = at or app.clock()
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, unit_code)
        assert unit is not None
        new = nominations.NewNomination(
            reporter_id=reporter,
            unit_id=unit.id,
            campaign_id=None,
            kind=kind,
            nominee_name=name,
            nominee_key=fold(name),
            birth_year=None,
            place="Thôn 3",
            field=field,
            achievement=ACHIEVEMENT,
            contact_phone=None,
            consent_public=True,
        )
        evidence = [
            nominations.NewEvidence(
                kind="photo", channel="web", file_ref=f"{n:032x}.jpg", mime="image/jpeg"
            )
            for n in range(files)
        ]
        created = await nominations.create_nomination(conn, new, evidence, now, now.year)
    return created.code


async def status_of(app: Application, code: str) -> str:
    """A nomination's current status."""
    async with app.db.read() as conn:
        return str(
            (
                await conn.execute(
                    select(nominations_table.c.status).where(nominations_table.c.code == code)
                )
            ).scalar_one()
        )


async def item(app: Application, code: str) -> reviews.ReviewItem:
    """A nomination as reviewers see it."""
    async with app.db.read() as conn:
        found = await reviews.find_by_code(conn, code)
    assert found is not None
    return found


async def person_named(app: Application, full_name: str) -> int:
    """The id of the person who joined under this name (on any channel)."""
    async with app.db.read() as conn:
        found = (
            await conn.execute(select(people.c.id).where(people.c.full_name == full_name))
        ).scalar_one()
    return int(found)
