"""A bot that answers messages loads only what answering needs (issue 16: memory).

openpyxl, Pillow and Alembic together weigh about 20 MB; SQLAlchemy's asyncio layer (with its
ORM) 7 MB more, and only PostgreSQL needs it. They are imported where they are used: exports,
charts, cards and uploads, migrations that have work to do, PostgreSQL. So is each channel and
the web console: where the settings turn it on (python-telegram-bot with httpx and aiohttp
weigh about 30 MB). These run `bot run` as an operator does, on a database already migrated,
let a person join (over the web chat; over Telegram alone), and read the process's
`sys.modules` when it exits.
"""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import httpx

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_types import RecordedCall
from tests.support.bot_process import BotProcess

# The web console's posters (segno), dossiers (python-docx) and templates (Jinja) as well.
NOT_FOR_ANSWERING = ("openpyxl", "PIL", "alembic", "segno", "docx", "jinja2")
# PostgreSQL's own: loaded by PostgreSQL runs, never by SQLite ones. (SQLAlchemy loads its
# PostgreSQL dialect module for any table that names a PostgreSQL option: storage/schema.py
# declares its partial indexes apart for that reason.)
POSTGRES_ONLY = (
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.orm",
    "asyncpg",
    "sqlalchemy.dialects.postgresql",
)
# Each channel's code (with, for Telegram, its library and the HTTP clients platform calls use).
ZALO = ("bot.channels.zalo_oa", "bot.channels.zalo_bot", "bot.channels.zalo_cdn")
TELEGRAM = ("telegram", "bot.channels.telegram", "httpx", "aiohttp")
WEB = ("bot.channels.webchat", "bot.console", "jinja2")
# `bot run`, writing the names of its loaded modules to MODULES_FILE as it exits.
RUN_AND_LIST_MODULES = """
import atexit, json, os, sys
atexit.register(
    lambda: open(os.environ["MODULES_FILE"], "w").write(json.dumps(sorted(sys.modules)))
)
from bot.__main__ import main
sys.exit(main(["run"]))
"""


async def member_invite(database_url: str) -> str:
    """A member's invite code in the demo province, made in the migrated database."""
    settings = Settings(_env_file=None, database_url=database_url)
    setup = Application(settings)
    try:
        await cli_ops.import_units(setup.db, cli_ops.DEMO_UNITS)
        invite = await cli_ops.create_invite(
            setup.db, settings, "X-AN-BINH-HPN", "member", 1, 7, setup.clock()
        )
    finally:
        await setup.db.close()
    return invite.code


def on_sqlite(database_url: str) -> bool:
    """Whether the suite's leg is SQLite's."""
    return database_url.startswith("sqlite")


async def answer_and_wait(url: str, text: str) -> str:
    """Open the web chat as a browser, type one message; the bot's reply (long-polled, so
    never slept for)."""
    async with httpx.AsyncClient(base_url=url, headers={"origin": url}, timeout=30) as client:
        session = await client.post("/api/session", json={})
        assert session.status_code == 200, session.text
        sent = await client.post("/api/send", json={"id": uuid.uuid4().hex, "text": text})
        assert sent.status_code == 200, sent.text
        got = await client.get("/api/messages", params={"after": 0, "wait": 25})
    messages = got.json()["messages"]
    assert messages, "no reply"
    return str(messages[-1]["text"])


async def test_answering_a_message_imports_no_exporter_drawing_or_migration_code(
    tmp_path: Path, database_url: str
) -> None:
    bot = BotProcess(tmp_path, database_url, command=("-c", RUN_AND_LIST_MODULES))
    modules_file = tmp_path / "modules.json"
    bot.env["MODULES_FILE"] = str(modules_file)
    code = await member_invite(database_url)
    await bot.start()
    try:
        reply = await answer_and_wait(bot.url, f"/start {code}")
    finally:
        said = await bot.stop(signal.SIGINT)
    assert "tên" in reply.lower()  # the join flow asks for the person's name
    assert "has stopped" in said
    loaded = set(json.loads(modules_file.read_text()))
    assert "bot.channels.webchat" in loaded  # the list is the bot's own: its channel is there
    unwanted = NOT_FOR_ANSWERING + ZALO + TELEGRAM
    assert among(loaded, unwanted + (POSTGRES_ONLY if on_sqlite(database_url) else ())) == []


async def test_a_telegram_bot_loads_no_other_channel_nor_the_web_console(
    tmp_path: Path, database_url: str, fake_telegram: FakeTelegram
) -> None:
    bot = BotProcess(
        tmp_path,
        database_url,
        command=("-c", RUN_AND_LIST_MODULES),
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        TELEGRAM_FILE_BASE_URL=fake_telegram.file_base_url,
        TELEGRAM_POLL_TIMEOUT="1",
        WEB_CHAT="off",
        WEB_CONSOLE="false",
    )
    modules_file = tmp_path / "modules.json"
    bot.env["MODULES_FILE"] = str(modules_file)
    code = await member_invite(database_url)
    fake_telegram.add_user(USER, "An")
    await bot.start()
    try:
        fake_telegram.send_text(USER, f"/start {code}")
        reply = await fake_telegram.wait_for_async(asks_the_name, timeout=30)
    finally:
        said = await bot.stop(signal.SIGINT)
    assert reply.params["chat_id"] == USER
    assert "has stopped" in said
    loaded = set(json.loads(modules_file.read_text()))
    assert "bot.channels.telegram" in loaded  # the list is the bot's own: its channel is there
    unwanted = NOT_FOR_ANSWERING + ZALO + WEB
    assert among(loaded, unwanted + (POSTGRES_ONLY if on_sqlite(database_url) else ())) == []


USER = 4242


def asks_the_name(call: RecordedCall) -> bool:
    """The join flow's first question, sent to the new member."""
    text = str(call.params.get("text") or "")
    return call.method == "sendMessage" and call.status == 200 and "tên" in text.lower()


def among(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    """The loaded modules that are one of `packages` or inside one, sorted."""
    return sorted(m for m in loaded if any(m == n or m.startswith(f"{n}.") for n in packages))
