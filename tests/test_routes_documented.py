"""Every HTTP route the application serves is in the README's route table (who may call it,
how that is checked, its body cap), and the table names no route that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import SecretStr
from starlette.routing import BaseRoute, Mount, Route

from bot.app import Application
from bot.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\|\s*`(GET|POST)`\s*\|\s*`([^`]+)`\s*\|(.+)\|(.+)\|(.+)\|\s*$")


def documented() -> dict[tuple[str, str], list[str]]:
    """(method, path) → the other columns, from the table under '## HTTP routes'."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## HTTP routes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        found = ROW.match(line)
        if found:
            method, path, *columns = found.groups()
            rows[(method, path)] = [c.strip() for c in columns]
    return rows


def served(routes: list[BaseRoute], prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every route, mounts included."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= served(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.add((method, prefix + route.path))
        else:
            raise AssertionError(f"a route of unknown kind: {route!r}")
    return found


async def test_every_route_is_in_the_readme_table(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=tmp_path / "media",
        telegram_bot_token=SecretStr("123:abc"),
        telegram_bot_username="guongsang_bot",
        zalo_oa_app_id="app",
        zalo_oa_secret_key=SecretStr("secret"),
        zalo_oa_refresh_token=SecretStr("refresh"),
        zalo_bot_token=SecretStr("bot-token"),
        zalo_bot_webhook_secret=SecretStr("bot-webhook-secret"),
        web_chat=True,
    )
    app = Application(settings)
    try:
        routes = served(list(app.http.routes))
    finally:
        await app.db.close()
    table = documented()
    assert len(routes) >= 15
    assert sorted(routes - table.keys()) == [], "routes missing from the README table"
    assert sorted(table.keys() - routes) == [], "README rows for routes that do not exist"
    for key, (who, how, cap) in table.items():
        assert who and how and cap, f"{key}: every column is filled"


async def test_web_chat_off_serves_only_health_static_and_honour(
    tmp_path: Path, database_url: str
) -> None:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=tmp_path / "media",
        web_chat=False,
    )
    app = Application(settings)
    try:
        routes = served(list(app.http.routes))
    finally:
        await app.db.close()
    assert app.webchat is None
    assert {path for _, path in routes if not path.startswith("/console")} == {
        "/healthz",
        "/static/{name}",
        "/vinh-danh",
        "/vinh-danh/{slug}",
        "/vinh-danh/{slug}/{picture}",
    }


async def test_web_console_off_serves_no_console_route(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        media_dir=tmp_path / "media",
        web_console=False,
    )
    app = Application(settings)
    try:
        routes = served(list(app.http.routes))
    finally:
        await app.db.close()
    assert not [path for _, path in routes if path.startswith("/console")]
    assert app.config.console_link_lifetime is None
