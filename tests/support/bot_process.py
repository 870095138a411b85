"""The bot as a child process (`python -m bot run`, as an operator starts it), for crash and
memory tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What `bot run` prints once its socket listens (bot/__main__.py).
READY = "Gương Sáng is running".encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """The bot in a child process: ready once it says it listens; SIGKILLed when asked."""

    def __init__(
        self,
        tmp: Path,
        database_url: str,
        command: tuple[str, ...] = ("-m", "bot", "run"),
        **env: str,
    ) -> None:
        self.port = free_port()
        self.command = command
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "WEB_PORT": str(self.port),
            "MEDIA_DIR": str(tmp / "media"),
            "LOG_LEVEL": "WARNING",
            # Many test browsers come from one address.
            "WEB_SESSIONS_PER_HOUR": "1000",
            "WEB_GUEST_MESSAGES_PER_HOUR": "1000",
            **env,
        }
        self.log = (tmp / "bot.log").open("ab")
        self.proc: asyncio.subprocess.Process | None = None
        # Set while the bot listens: clients that lost it to a kill wait on this to retry.
        self.up = asyncio.Event()

    async def start(self) -> None:
        """Start it and wait for its ready line (its socket is bound by then)."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.command,
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=self.log,
        )
        assert self.proc.stdout is not None
        while line := await asyncio.wait_for(self.proc.stdout.readline(), 60):
            if line.startswith(READY):
                self.up.set()
                return
        raise AssertionError(f"the bot exited before it listened; see {self.log.name}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.up.clear()
        self.proc.kill()
        await self.proc.wait()

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> str:
        """Ask it to stop (SIGINT lets `atexit` handlers run); what it printed after its ready
        line."""
        said = b""
        self.up.clear()
        if self.proc is not None and self.proc.returncode is None:
            assert self.proc.stdout is not None
            self.proc.send_signal(how)
            said = await asyncio.wait_for(self.proc.stdout.read(), 30)
            await asyncio.wait_for(self.proc.wait(), 30)
        self.log.close()
        return said.decode()


class Acknowledged:
    """Ids the bot acknowledged, in order; a test waits for a count without polling."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._grown = asyncio.Condition()

    async def add(self, item: str) -> None:
        async with self._grown:
            self.ids.append(item)
            self._grown.notify_all()

    async def reach(self, count: int) -> None:
        """Until `count` ids are in."""
        async with self._grown:
            await self._grown.wait_for(lambda: len(self.ids) >= count)
