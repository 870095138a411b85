"""A chat-shaped test helper: send as a person, pop the bot's replies, fail on unread ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.app import Application


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


class ChatClient:
    """One person on the web chat, driven through its HTTP routes."""

    def __init__(
        self, app: Application, http: httpx.AsyncClient, uid: str, name: str | None = None
    ) -> None:
        self.app = app
        self.http = http
        self.uid = uid
        self.name = name
        self.cursor = 0
        self.seen: list[Message] = []

    async def _post(self, body: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        body = {"id": message_id or uuid.uuid4().hex, "name": self.name, **body}
        response = await self.http.post(f"/api/chat/{self.uid}/send", json=body)
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
                    return await self._post({"button": choice["token"]})
        raise AssertionError(f"no button {label!r} in {[m.labels for m in self.seen]}")

    async def press_token(self, token: str) -> dict[str, Any]:
        """Send a raw button token (stale or forged)."""
        return await self._post({"button": token})

    async def share_phone(self, number: str) -> dict[str, Any]:
        """Use the page's share-my-number button."""
        return await self._post({"phone": number})

    async def upload(self, data: bytes, name: str = "file.bin") -> httpx.Response:
        """Attach a file."""
        return await self.http.post(
            f"/api/chat/{self.uid}/upload", params={"name": name}, content=data
        )

    async def pop(self) -> list[Message]:
        """Every reply delivered since the last pop, once the bot has settled."""
        await self.app.settle()
        response = await self.http.get(
            f"/api/chat/{self.uid}/messages", params={"after": self.cursor}
        )
        assert response.status_code == 200
        messages = [
            Message(
                id=m["id"],
                text=m["text"],
                choices=m["choices"],
                ask_phone=m["ask_phone"],
                media=m["media"],
            )
            for m in response.json()["messages"]
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
