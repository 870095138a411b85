"""After a reload the web chat shows both sides of the conversation: what the person sent
(their typed texts, the buttons they pressed, their files) between the bot's messages, and
only their own; the page's automatic greeting is not shown as theirs."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import Application
from tests.helpers_flow import join
from tests.support.chat import ChatClient
from tests.support.clock import FakeClock
from tests.support.media import jpeg
from tests.support.review import Invite

JPEG = jpeg()


async def history(client: ChatClient) -> list[tuple[str, str]]:
    """What a reloaded page reads, from the start: ("me" | "bot", text) in order."""
    response = await client.http.get("/api/messages", params={"after": 0})
    assert response.status_code == 200
    return [("me" if m.get("mine") else "bot", m["text"]) for m in response.json()["messages"]]


async def test_a_reload_shows_both_sides(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    hoa = chat("hoa")
    await hoa.open()
    await hoa.send("/start", message_id="auto-greeting")  # what a new page sends by itself
    await hoa.expect("hãy gõ mã mời")
    await join(hoa, await invite())
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    await hoa.press("Cá nhân")
    await hoa.expect("Họ và tên")
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")
    shown = await history(hoa)
    mine = [text for side, text in shown if side == "me"]
    # Neither the automatic /start nor the typed invite (a code: stripped once used) is there.
    assert mine == ["Trần Thị Hoa", "Bỏ qua", "Đồng ý", "/decu", "Cá nhân", "/huy"]
    # Each of hers comes right before the bot's answer to it.
    for n, (side, text) in enumerate(shown):
        if text == "Cá nhân":
            assert side == "me" and "Họ và tên" in shown[n + 1][1]
    # Another browser's person sees only their own.
    lan = chat("lan")
    await lan.open()
    await lan.send("xin chào")
    await lan.expect("hãy gõ mã mời")
    assert [t for side, t in await history(lan) if side == "me"] == ["xin chào"]


async def test_a_file_sent_shows_in_the_history_through_its_signed_link(
    app: Application, chat: Callable[..., ChatClient], invite: Invite
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    await hoa.send("/decu")
    await hoa.send("1")
    await hoa.send("Nguyễn Thị Lan")
    await hoa.send("bo qua")
    await hoa.send("Thôn 3")
    await hoa.send("6")
    await hoa.send("Bà Lan nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện.")
    await hoa.expect("Gửi minh chứng")
    assert (await hoa.upload(JPEG, "anh.jpg")).status_code == 200
    await hoa.expect("Đã nhận 1/10 tệp")
    response = await hoa.http.get("/api/messages", params={"after": 0})
    [photo] = [m for m in response.json()["messages"] if m.get("mine") and m["media"]]
    assert photo["text"] == "📎" and photo["media"][0]["kind"] == "photo"
    opened = await hoa.http.get(photo["media"][0]["url"])
    assert opened.status_code == 200 and opened.headers["content-type"] == "image/jpeg"
    await hoa.send("/huy")
    await hoa.expect("Đã huỷ")


async def test_a_poll_after_a_message_shows_only_what_she_sent_since(
    app: Application, chat: Callable[..., ChatClient], invite: Invite, clock: FakeClock
) -> None:
    hoa = chat("hoa")
    await join(hoa, await invite())
    seen = (await hoa.http.get("/api/messages", params={"after": 0})).json()["messages"]
    last = max(m["id"] for m in seen if not m.get("mine"))
    clock.advance(seconds=5)
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    response = await hoa.http.get("/api/messages", params={"after": last})
    shown = [("me" if m.get("mine") else "bot", m["text"]) for m in response.json()["messages"]]
    # Her texts from before that message are not repeated; the new one comes before its answer.
    assert [text for side, text in shown if side == "me"] == ["/decu"]
    assert shown[0] == ("me", "/decu") and shown[-1] == ("bot", "Bạn đề cử ai?")
