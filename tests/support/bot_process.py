"""The bot as a child process (`python -m bot run`), for crash and memory tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """`python -m bot run` in a child process, killed with SIGKILL when asked."""

    def __init__(self, tmp: Path, database_url: str, **env: str) -> None:
        self.port = free_port()
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
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        # Popen only forks; it does not wait, so it does not block the loop.
        self.proc = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        raise AssertionError("the bot did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()
