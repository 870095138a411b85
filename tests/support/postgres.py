"""A throwaway PostgreSQL cluster for the test suite's second leg and the benchmarks.

Debian's `postgresql` binaries (`/usr/lib/postgresql/<version>/bin`) make a cluster in a
temporary folder, listening on 127.0.0.1 on a free port (and a socket in that folder), with
durability switched off (nothing here must survive a power cut). PostgreSQL refuses to run as
root, so under root every command runs as the unprivileged `postgres` user Debian's package
creates. A watcher process stops the cluster and removes the folder when the process that
started it ends, however it ends (a failure, Ctrl-C, even SIGKILL).
"""

from __future__ import annotations

import glob
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=300 -c shared_buffers=64MB"
)


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def server_bin() -> Path:
    """The newest installed server's bin folder (Debian's layout)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed: run scripts/provision-test-deps "
            "(or `apt-get install postgresql`), or set TEST_DATABASE_URL"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One running throwaway cluster; `url(name)` names a database in it."""

    def __init__(self, folder: Path, port: int, bindir: Path, run_as: list[str]) -> None:
        self.folder = folder
        self.port = port
        self._bindir = bindir
        self._run_as = run_as
        self._watcher: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database in this cluster (trust authentication)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        command = [*self._run_as, str(self._bindir / "pg_ctl"), "-D", str(self.data), *args]
        return subprocess.run(command, capture_output=True, check=check)

    def _start_server(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} {SERVER_OPTIONS}"
        log = str(self.folder / "server.log")
        result = self._pg_ctl("-l", log, "-w", "-t", "60", "-o", options, "start", check=False)
        if result.returncode != 0:
            text = Path(log).read_text(errors="replace") if Path(log).exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr!r} {text[-2000:]}")

    @classmethod
    def start(cls) -> Cluster:
        """initdb and start a cluster in a new temporary folder."""
        bindir = server_bin()
        folder = Path(tempfile.mkdtemp(prefix="gs-pg-"))
        run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            run_as = ["runuser", "-u", "postgres", "--"]
        cluster = cls(folder, 0, bindir, run_as)
        cluster._watch()
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ],
            capture_output=True,
            check=True,
        )
        for attempt in range(5):  # a free port may be taken before the server binds it
            cluster.port = _free_port()
            try:
                cluster._start_server()
                break
            except RuntimeError:
                if attempt == 4:
                    cluster.stop()
                    raise
        return cluster

    def restart(self) -> None:
        """Stop the server at once (every connection drops) and start it again."""
        self._pg_ctl("-m", "immediate", "stop")
        self._start_server()

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self.data.exists():
            self._pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._watcher is not None and self._watcher.poll() is None:
            self._watcher.terminate()
            self._watcher.wait()

    def _watch(self) -> None:
        # Its own session: Ctrl-C in the terminal reaches the tests, not the watcher.
        self._watcher = subprocess.Popen(
            [
                sys.executable,
                __file__,
                str(os.getpid()),
                str(self._bindir / "pg_ctl"),
                str(self.folder),
                *self._run_as,
            ],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )


def _watch_parent(parent: int, pg_ctl: str, folder: str, run_as: list[str]) -> None:
    """Wait for `parent` to end, then stop the cluster and remove its folder."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # the parent stopped it itself
    try:
        watched = os.pidfd_open(parent)
    except ProcessLookupError:
        pass  # already gone
    else:
        select.select([watched], [], [])  # readable once the parent has exited
    data = Path(folder) / "data"
    if data.exists():
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    _watch_parent(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:])
