"""A browser on the web console, driven over HTTP: signs in with the link /web gives in the
chat, reads pages, and posts their forms with the page's form token."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from bot.app import Application
from bot.web.sessions import token_hash
from storage import web_sessions
from tests.support.chat import ChatClient, browser

LINK = re.compile(r"https?://[^\s/]+(/console/signin\?t=[A-Za-z0-9_-]+)")
TOKEN = re.compile(r'name="token" value="([0-9a-f]{64})"')


@dataclass
class Page:
    """A console response: its status and its text (markup and unescaped text)."""

    status: int
    html: str
    location: str = ""

    @property
    def text(self) -> str:
        """The page's visible words, roughly (tags dropped, entities decoded)."""
        return html.unescape(re.sub(r"<[^>]+>", " ", self.html))

    def has(self, *fragments: str) -> bool:
        """Whether every fragment appears in the page's text."""
        words = " ".join(self.text.split())
        return all(" ".join(f.split()) in words for f in fragments)


def as_page(response: httpx.Response) -> Page:
    """The Page of an HTTP response."""
    return Page(response.status_code, response.text, response.headers.get("location", ""))


async def console_link(chat: ChatClient) -> str:
    """Ask the bot for a link with /web; the link's path and query."""
    await chat.send("/web")
    messages = await chat.expect("trang quản trị")
    found = LINK.search("\n".join(m.text for m in messages))
    assert found is not None, [m.text for m in messages]
    return found.group(1)


class ConsoleClient:
    """One browser on the console (its own cookies; same origin as the pages)."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.http = browser(app)
        self.token = ""

    async def sign_in(self, chat: ChatClient) -> Page:
        """The whole sign-in: /web in the chat, open the link, press the button."""
        link = await console_link(chat)
        landing = await self.get(link)
        assert landing.status == 200 and landing.has("Đăng nhập"), landing.text
        return await self.use_link(link.split("t=", 1)[1])

    async def use_link(self, token: str) -> Page:
        """Press the landing page's button for this link token."""
        response = await self.http.post("/console/signin", data={"link": token})
        return as_page(response)

    async def get(self, path: str, **params: Any) -> Page:
        """Open a page (and remember its form token)."""
        # No params at all when none are given: an empty mapping drops the path's own query.
        page = as_page(await self.http.get(path, params=params or None))
        found = TOKEN.search(page.html)
        if found:
            self.token = found.group(1)
        return page

    async def post(self, path: str, data: Mapping[str, str | list[str]]) -> Page:
        """Post a form of the last page, with its token (a list posts a field many times)."""
        response = await self.http.post(path, data={"token": self.token, **data})
        page = as_page(response)
        found = TOKEN.search(page.html)
        if found:
            self.token = found.group(1)
        return page

    async def close(self) -> None:
        """Close the browser's connections."""
        await self.http.aclose()


async def console_session(app: Application, person_id: int, hours: int = 1) -> str:
    """A console session made straight in the database (a member's, say, which no sign-in
    would open: one that outlived a role); the cookie's token."""
    token = secrets.token_urlsafe(32)
    now = app.clock()
    async with app.db.write() as conn:
        await web_sessions.create_session(
            conn,
            token_hash=token_hash(token),
            kind=web_sessions.CONSOLE,
            identity_id=None,
            person_id=person_id,
            device="",
            now=now,
            expires_at=now + timedelta(hours=hours),
        )
    return token
