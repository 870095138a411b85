"""Tests for the loopback-only network guard."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError

from tests.fakes.network_guard import (
    NetworkBlockedError,
    blocked_attempts,
    install_loopback_guard,
)
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
def guard() -> Iterator[None]:
    uninstall = install_loopback_guard()
    try:
        yield
    finally:
        uninstall()


@pytest.fixture
def listener() -> Iterator[int]:
    """A loopback TCP listener that accepts one connection; yields its port."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = int(server.getsockname()[1])
    thread = threading.Thread(target=lambda: server.accept()[0].close(), daemon=True)
    thread.start()
    yield port
    thread.join(5)
    server.close()


@pytest.mark.usefixtures("guard")
def test_remote_hosts_are_blocked() -> None:
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("api.telegram.org", 443)
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("api.telegram.org", 443), timeout=1)
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as raw,
        pytest.raises(NetworkBlockedError),
    ):
        raw.connect(("149.154.167.220", 443))
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as raw,
        pytest.raises(NetworkBlockedError),
    ):
        raw.connect_ex(("10.0.0.1", 80))
    with pytest.raises(NetworkBlockedError):
        httpx.get("https://api.telegram.org/bot1:x/getMe")
    assert blocked_attempts()[:4] == [
        "api.telegram.org",
        "api.telegram.org",
        "149.154.167.220",
        "10.0.0.1",
    ]


@pytest.mark.usefixtures("guard")
def test_loopback_is_allowed(listener: int) -> None:
    assert socket.getaddrinfo("localhost", listener)
    with socket.create_connection(("127.0.0.1", listener), timeout=2):
        pass
    assert blocked_attempts() == []


@pytest.mark.usefixtures("guard")
async def test_fake_telegram_works_under_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    with FakeTelegram() as fake:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            assert (await bot.get_me()).username == "guong_sang_bot"
        with pytest.raises(NetworkError, match="blocked in tests"):
            async with Bot(fake.token):  # default base_url: api.telegram.org
                pass
    assert "api.telegram.org" in blocked_attempts()


def test_uninstall_restores_and_install_is_idempotent() -> None:
    originals = (socket.socket.connect, socket.create_connection, socket.getaddrinfo)
    uninstall = install_loopback_guard()
    try:
        assert install_loopback_guard() is uninstall
        assert socket.getaddrinfo is not originals[2]
    finally:
        uninstall()
    assert (socket.socket.connect, socket.create_connection, socket.getaddrinfo) == originals
