"""`invite create --json` gives a t.me deep link when Telegram is configured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import cli_ops
from bot.__main__ import main
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["units", "import", str(cli_ops.DEMO_UNITS)]) == 0


def invite(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    capsys.readouterr()
    assert main(["invite", "create", "--unit", "X-AN-BINH-HPN", "--role", "member", "--json"]) == 0
    created: dict[str, str] = json.loads(capsys.readouterr().out)
    return created


def test_link_from_get_me(
    cli_env: None,
    fake_telegram: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.base_url)
    created = invite(capsys)
    assert created["telegram_link"] == f"https://t.me/guong_sang_bot?start={created['code']}"
    assert len(fake_telegram.calls("getMe")) == 1


def test_link_from_the_setting_and_none_without_telegram(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invite(capsys)["telegram_link"] is None
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@gs_demo_bot")  # no call to Telegram
    created = invite(capsys)
    assert created["telegram_link"] == f"https://t.me/gs_demo_bot?start={created['code']}"


def test_telegram_unreachable_is_a_clear_error(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")  # nothing listens
    assert main(["invite", "create", "--unit", "X-AN-BINH-HPN", "--role", "member"]) == 2
    assert "TELEGRAM_BOT_USERNAME" in capsys.readouterr().err
