"""A chat-shaped test helper: send as a person, pop the bot's replies, fail on unread ones.

Each client is one browser: its own cookie jar, a session the server opens on its first
request, and nothing else naming who it is (the `uid` is only the test's label for it).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import update

from bot.app import Application
from bot.web.sessions import token_hash
from storage import accounts, web_sessions
from storage.rows import WebSession
from storage.schema import identities


@dataclass
class Message:
    """One bot message as the web chat shows it."""

    id: int
    text: str
    choices: list[dict[str, str]] = field(default_factory=list)
    ask_phone: bool = False
    media: list[dict[str, str]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """The button labels."""
        return [c["label"] for c in self.choices]


def browser(app: Application, token: str | None = None) -> httpx.AsyncClient:
    """An HTTP client that behaves like the page in one browser: same origin, own cookies.

    With an https PUBLIC_BASE_URL the cookie is Secure, so the browser speaks https too."""
    base = ("https" if app.sessions.secure else "http") + "://127.0.0.1"
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app.http), base_url=base, headers={"origin": base}
    )
    if token is not None:
        client.cookies.set(app.sessions.cookie, token)
    return client


class ChatClient:
    """One person in one browser on the web chat, driven through its HTTP routes."""

    def __init__(
        self, app: Application, uid: str, name: str | None = None, *, token: str | None = None
    ) -> None:
        self.app = app
        self.uid = uid
        self.name = name
        self.http = browser(app, token)
        self.cursor = 0
        self.seen: list[Message] = []
        self.own: list[dict[str, Any]] = []
        self._opened = token is not None
        self.signed_out = False

    @property
    def token(self) -> str | None:
        """The session cookie's token (to come back as the same browser after a restart)."""
        return self.http.cookies.get(self.app.sessions.cookie)

    async def open(self) -> dict[str, Any]:
        """What the page does first: ask for (or be given) a session."""
        response = await self.http.post("/api/session", json={})
        assert response.status_code == 200, response.text
        self._opened = True
        result: dict[str, Any] = response.json()
        if result.get("fresh"):
            # The test's label on the server-made account, so helpers can find it by name.
            async with self.app.db.write() as conn:
                await conn.execute(
                    update(identities)
                    .where(identities.c.external_id == await self.chat_id())
                    .values(display_name=self.uid)
                )
        return result

    async def session(self) -> WebSession:
        """This browser's live session, as the server sees it."""
        assert self.token is not None
        async with self.app.db.read() as conn:
            found = await web_sessions.live_session(
                conn, token_hash(self.token), self.app.clock(), self.app.sessions.lifetimes.idle
            )
        assert found is not None
        return found

    async def chat_id(self) -> str:
        """The server-made chat account of this browser."""
        found = await self.session()
        assert found.chat_id is not None
        return found.chat_id

    async def _post(self, body: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        if not self._opened:
            await self.open()
        body = {"id": message_id or uuid.uuid4().hex, **body}
        response = await self.http.post("/api/send", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def send(self, text: str, *, message_id: str | None = None) -> dict[str, Any]:
        """Type a message."""
        return await self._post({"text": text}, message_id)

    async def press(self, label: str) -> dict[str, Any]:
        """Tap the button with this label on the latest message that has it."""
        for message in reversed(self.seen):
            for choice in message.choices:
                if choice["label"] == label:
                    return await self._post({"button": choice["token"], "label": label})
        raise AssertionError(f"no button {label!r} in {[m.labels for m in self.seen]}")

    async def press_token(self, token: str) -> dict[str, Any]:
        """Send a raw button token (stale or forged)."""
        return await self._post({"button": token})

    async def share_phone(self, number: str) -> dict[str, Any]:
        """Use the page's share-my-number button."""
        return await self._post({"phone": number})

    async def upload(self, data: bytes, name: str = "file.bin") -> httpx.Response:
        """Attach a file, as the page does (the name stays in the browser)."""
        if not self._opened:
            await self.open()
        return await self.http.post(
            "/api/upload",
            params={"id": uuid.uuid4().hex},
            content=data,
            headers={"content-type": "application/octet-stream"},
        )

    async def pop(self) -> list[Message]:
        """Every reply delivered since the last pop, once the bot has settled."""
        await self.app.settle()
        if not self._opened:
            return []
        response = await self.http.get("/api/messages", params={"after": self.cursor})
        if response.status_code == 401:
            self.signed_out = True  # this browser was signed out: it reads nothing more
            return []
        assert response.status_code == 200, response.text
        found = response.json()["messages"]
        # The person's own messages come back too (the page shows them after a reload).
        self.own.extend(m for m in found if m.get("mine"))
        messages = [
            Message(
                id=m["id"],
                text=m["text"],
                choices=m["choices"],
                ask_phone=m["ask_phone"],
                media=m["media"],
            )
            for m in found
            if not m.get("mine")
        ]
        if messages:
            self.cursor = messages[-1].id
        self.seen.extend(messages)
        return messages

    async def expect(self, *fragments: str) -> list[Message]:
        """Pop replies and check that each fragment appears, in order, across them."""
        messages = await self.pop()
        text = "\n---\n".join(m.text for m in messages)
        position = 0
        for fragment in fragments:
            found = text.find(fragment, position)
            assert found >= 0, f"{fragment!r} not in replies:\n{text}"
            position = found + len(fragment)
        return messages

    async def assert_no_unread(self) -> None:
        """Fail when the bot said something the test did not read."""
        unread = await self.pop()
        assert not unread, f"unread replies for {self.uid}: {[m.text for m in unread]}"

    async def close(self) -> None:
        """Close this browser's connections."""
        await self.http.aclose()


async def browser_account(app: Application, label: str) -> tuple[str, str]:
    """A browser's session and chat account made straight in the database (for tests that
    record events before the app runs): the cookie's token and the account's chat id."""
    token = secrets.token_urlsafe(32)
    now = app.clock()
    async with app.db.write() as conn:
        chat_id = f"w-{label}-{secrets.token_hex(8)}"
        account = await accounts.create_web_account(conn, chat_id, now)
        await web_sessions.create_session(
            conn,
            token_hash=token_hash(token),
            kind=web_sessions.CHAT,
            identity_id=account,
            person_id=None,
            device="",
            now=now,
            expires_at=now + app.sessions.lifetimes.guest,
        )
    return token, chat_id
