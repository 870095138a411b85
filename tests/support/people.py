"""Joining people with invites, for tests that need several members and officials."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.support.chat import ChatClient

Invite = Callable[..., Awaitable[str]]
MakeChat = Callable[..., ChatClient]


async def join(chat: ChatClient, code: str, name: str) -> None:
    """Redeem an invite: code, name, phone skipped, consent."""
    await until_consent(chat, code, name)
    await chat.press("Đồng ý")
    await chat.expect(f"Chào mừng {name}")


async def until_consent(chat: ChatClient, code: str, name: str) -> None:
    """Start joining with an invite up to the consent question: code, name, phone skipped."""
    await chat.send(f"/start {code}")
    await chat.expect("Mã mời hợp lệ", "họ và tên")
    await chat.send(name)
    await chat.expect("Số điện thoại của bạn")
    await chat.press("Bỏ qua")
    await chat.expect("Đồng ý lưu thông tin cá nhân")


async def person(
    chat: MakeChat, invite: Invite, uid: str, name: str, unit: str, role: str = "member"
) -> ChatClient:
    """A joined person on the web chat."""
    client = chat(uid, name)
    await join(client, await invite(unit=unit, role=role), name)
    return client
