"""Helpers of the attack suite (tests/test_http_attacks*.py): outsiders and a few steps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import func, select

from bot.app import Application
from tests.support.chat import ChatClient
from tests.support.people import person

Chat = Callable[..., ChatClient]
Invite = Callable[..., Awaitable[str]]


def outsider(base: str, *, page: bool = False, **headers: str) -> httpx.AsyncClient:
    """A client on the network: no cookie, its own headers; `page`: it sends the Origin
    our page would (so that only the session decides)."""
    origin = {"origin": base} if page else {}
    return httpx.AsyncClient(base_url=base, headers={**origin, **headers}, timeout=10)


async def count(app: Application, table: object) -> int:
    """Rows in a table."""
    async with app.db.read() as conn:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        return int((await conn.execute(query)).scalar_one())


async def official_with_export(chat: Chat, invite: Invite) -> tuple[ChatClient, str]:
    """An official who asked for the province spreadsheet; the export's signed link."""
    official = await person(chat, invite, "canbo", "Lê Văn Cán", "T-DEMO", "official")
    await official.send("/xuat")
    messages = await official.expect("")
    links = [m["url"] for message in messages for m in message.media]
    assert links, [m.text for m in messages]
    return official, links[0]


async def nominate_until_evidence(hoa: ChatClient) -> None:
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    for answer, prompt in (
        ("1", "Họ và tên"),
        ("Nguyễn Thị Lan", "Năm sinh"),
        ("bo qua", "Nơi sinh sống"),
        ("Thôn 3", "Lĩnh vực"),
        ("6", "Hãy kể thành tích"),
        ("Bà nấu cơm miễn phí cho bệnh nhân nghèo nhiều năm liền.", "Gửi minh chứng"),
    ):
        await hoa.send(answer)
        await hoa.expect(prompt)
