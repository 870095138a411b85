"""Refuse any network access except loopback, so tests can never reach the real Telegram.

Usage in a conftest::

    @pytest.fixture(autouse=True, scope="session")
    def _no_network() -> Iterator[None]:
        uninstall = install_loopback_guard()
        yield
        uninstall()

Blocked attempts raise ``NetworkBlockedError`` (a RuntimeError, so HTTP libraries do not
mistake it for a transient connection failure and retry) and are also remembered in
``blocked_attempts()`` in case some layer swallows the exception.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_lock = threading.Lock()
_blocked: list[str] = []
_uninstall: Callable[[], None] | None = None


class NetworkBlockedError(RuntimeError):
    """A test tried to reach a non-loopback host."""


def blocked_attempts() -> list[str]:
    """Hosts that were refused since the guard was installed (oldest first)."""
    with _lock:
        return list(_blocked)


def _host_of(address: Any) -> str | None:
    """The host part of a socket address; None for non-IP addresses (AF_UNIX paths)."""
    if isinstance(address, tuple) and address:
        host = address[0]
        return host.decode() if isinstance(host, bytes) else str(host)
    return None


def _check(host: str | None) -> None:
    if host is None or host.lower() in ALLOWED_HOSTS:
        return
    with _lock:
        _blocked.append(host)
    raise NetworkBlockedError(f"network access to {host!r} is blocked in tests (loopback only)")


def install_loopback_guard() -> Callable[[], None]:
    """Patch socket connect/create_connection/getaddrinfo; returns a function that undoes it.

    Installing twice is harmless (the second call returns the same uninstaller).
    """
    global _uninstall
    with _lock:
        if _uninstall is not None:
            return _uninstall
        _blocked.clear()

        original_connect = socket.socket.connect
        original_connect_ex = socket.socket.connect_ex
        original_create_connection = socket.create_connection
        original_getaddrinfo = socket.getaddrinfo

        def connect(self: socket.socket, address: Any) -> None:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _check(_host_of(address))
            original_connect(self, address)

        def connect_ex(self: socket.socket, address: Any) -> int:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _check(_host_of(address))
            return original_connect_ex(self, address)

        def create_connection(address: tuple[str | None, int], *args: Any, **kwargs: Any) -> Any:
            _check(address[0])
            return original_create_connection(address, *args, **kwargs)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            _check(None if host is None else _host_of((host,)))
            return original_getaddrinfo(host, *args, **kwargs)

        socket.socket.connect = connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
        socket.create_connection = create_connection  # type: ignore[assignment]
        socket.getaddrinfo = getaddrinfo

        def uninstall() -> None:
            global _uninstall
            with _lock:
                socket.socket.connect = original_connect  # type: ignore[method-assign]
                socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
                socket.create_connection = original_create_connection
                socket.getaddrinfo = original_getaddrinfo
                _uninstall = None

        _uninstall = uninstall
        return uninstall
