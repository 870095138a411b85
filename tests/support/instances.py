"""Several running instances of the bot on one test database, and clients for them.

On PostgreSQL `instances` are two applications on one database (as behind a load balancer):
the first started alone and holds every role, the second stands by. SQLite serves one
process, so there the list holds the one application: a test written for "any instance"
then checks what a single instance does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import Application
from bot.settings import Settings
from storage.schema import PENDING_ROW, outbox
from tests.support.chat import ChatClient, Message
from tests.support.clock import FakeClock


@asynccontextmanager
async def running(settings: Settings, clock: FakeClock) -> AsyncIterator[Application]:
    """An application started on these settings, stopped at the end."""
    app = Application(settings, clock=clock)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def client_for(app: Application) -> httpx.AsyncClient:
    """An HTTP client calling the application's routes in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app.http), base_url="http://t")


@asynccontextmanager
async def every_instance(settings: Settings, clock: FakeClock) -> AsyncIterator[list[Application]]:
    """Instances started on one database: two on PostgreSQL, the one on SQLite."""
    async with running(settings, clock) as first:
        if first.db.is_sqlite:
            yield [first]
            return
        async with running(settings, clock) as second:
            yield [first, second]


@pytest.fixture
async def instances(
    app: Application, settings: Settings, clock: FakeClock
) -> AsyncIterator[list[Application]]:
    """Every instance behind the load balancer: two on PostgreSQL, one on SQLite."""
    if app.db.is_sqlite:
        yield [app]
        return
    async with running(settings, clock) as other:
        yield [app, other]


async def settle_all(apps: list[Application]) -> None:
    """Wait until every instance is idle and no due message waits to be sent.

    A wake-up from one instance to another travels through the database server, so one
    instance may look idle before it has heard of the others' rows: look at the outbox too.
    """
    while True:
        for app in apps:
            await app.runner.idle()
        for app in apps:
            await app.settle()
        now = apps[0].clock()
        async with apps[0].db.read() as conn:
            due = (
                await conn.execute(
                    select(func.count()).where(PENDING_ROW, outbox.c.next_attempt_at <= now)
                )
            ).scalar_one()
        if not due:
            return
        for app in apps:
            app.delivery.kick()


def same_browser(client: ChatClient, app: Application) -> ChatClient:
    """The same browser (its session cookie) reaching another instance."""
    assert client.token is not None
    other = ChatClient(app, client.uid, client.name, token=client.token)
    other.cursor = client.cursor
    return other


async def wait_for_messages(
    client: ChatClient, *fragments: str, wait: float = 20.0
) -> list[Message]:
    """Long-poll this browser's instance until the fragments have arrived, in order.

    The poll waits up to `wait` seconds on the server; the test gives up after 10 s, so a
    wake-up that never comes fails it rather than being rescued by the poll's own timeout.
    """

    async def poll() -> list[Message]:
        got: list[Message] = []
        while not _in_order("\n".join(m.text for m in got), fragments):
            response = await client.http.get(
                "/api/messages", params={"after": client.cursor, "wait": wait}
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            for m in body["messages"]:
                got.append(Message(m["id"], m["text"], m["choices"], m["ask_phone"], m["media"]))
                client.cursor = m["id"]
        return got

    messages = await asyncio.wait_for(poll(), 10.0)
    client.seen.extend(messages)
    return messages


def _in_order(text: str, fragments: tuple[str, ...]) -> bool:
    position = 0
    for fragment in fragments:
        found = text.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True
