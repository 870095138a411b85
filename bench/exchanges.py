"""How many exchanges a member needs for a nomination with one photo.

An exchange is one thing the member does: a message typed, a button tapped, a file sent.
A member who has joined nominates someone with one photo, answering every question the way
the member guide says (name, year of birth, place, field, story, the photo, "Xong", phone,
consent, "Gửi"), four ways:

  web, no call       /decu, then buttons where there are choices
  web, from a call   "Đề cử ngay" on the call's message, then the same
  numbered, …        a Zalo-like channel: every choice typed as its number, "xong" typed
  numbered, lower…   the same, the nominee's name typed without capitals ("nguyễn thị lan")
  web, story first   the member starts by telling the story, then follows the questions

The member is a script that reads each question and answers it (so a question added or
removed changes the count), against the real Application on a temporary SQLite file through
the web chat's HTTP routes. A numbered channel is the web chat answered by typing only: the
conversation core is the same for Zalo OA, Zalo Bot and the web.

    python -m bench.exchanges                 the current code
    python -m bench.exchanges --baseline main the current code and `main` side by side

With --baseline the other revision is extracted (git archive) into a temporary folder and
this same script runs there in a child process; the counts are exact, not timings.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
STORY = "Bà Lan nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện."
# What the member answers to each question: (a fragment of the question, the answer).
# An answer "tap:X" picks the option labelled X; "photo" sends the picture.
# The first fragment found wins: the summary, which repeats every answer, comes first.
ANSWERS = (
    ("Xem lại đề cử", "tap:Gửi"),
    ("giữ lại tin của bạn", "tap:Đề cử người tốt với nội dung này"),
    ("chưa hiểu ý bạn", "tap:Đề cử người tốt"),
    ("Tôi sẽ ghi tên là", "tap:Đúng, ghi là Nguyễn Thị Lan"),
    ("Họ và tên người được đề cử", "{name}"),
    ("Đã nhận 1/10 tệp", "tap:Xong"),
    ("thuộc đợt phát động nào", "tap:Đề cử người tốt năm 2026"),
    ("Bạn đề cử ai?", "tap:Cá nhân"),
    ("Năm sinh", "1968"),
    ("Nơi sinh sống", "Thôn 3, xã An Bình"),
    ("Lĩnh vực", "tap:Người tốt, việc tốt"),
    ("Hãy kể thành tích", STORY),
    ("Gửi minh chứng", "photo"),
    ("Số điện thoại liên hệ", "0912 345 678"),
    ("công khai", "tap:Có"),
)
DONE = "Mã đề cử của bạn"
LIMIT = 40


def photo() -> bytes:
    """A small real photo."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Member:
    """One browser on the web chat, counting what it does."""

    http: httpx.AsyncClient
    app: Any
    numbered: bool
    nominee: str = "Nguyễn Thị Lan"
    done: int = 0
    cursor: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def read(self) -> list[dict[str, Any]]:
        """The bot's messages since the last read, once it settled."""
        await self.app.settle()
        response = await self.http.get("/api/messages", params={"after": self.cursor})
        found = [m for m in response.json()["messages"] if not m.get("mine")]
        if found:
            self.cursor = found[-1]["id"]
        self.seen += found
        return found

    async def post(self, body: dict[str, Any], *, counted: bool = True) -> None:
        response = await self.http.post("/api/send", json={"id": uuid.uuid4().hex, **body})
        assert response.status_code == 200, response.text
        self.done += int(counted)

    async def choose(self, label: str) -> None:
        """Tap the option (web) or type its number (numbered channels)."""
        for message in reversed(self.seen):
            labels = [c["label"] for c in message["choices"]]
            if label in labels:
                if self.numbered:
                    await self.post({"text": str(labels.index(label) + 1)})
                else:
                    token = message["choices"][labels.index(label)]["token"]
                    await self.post({"button": token, "label": label})
                return
        raise LookupError(f"no option {label!r}")

    async def answer(self, question: str) -> None:
        """Answer a question as the guide says."""
        for fragment, reply in ANSWERS:
            if fragment in question:
                if reply == "photo":
                    response = await self.http.post(
                        "/api/upload",
                        params={"id": uuid.uuid4().hex},
                        content=photo(),
                        headers={"content-type": "image/jpeg"},
                    )
                    assert response.status_code == 200, response.text
                    self.done += 1
                elif reply.startswith("tap:"):
                    await self.choose(reply[4:])
                else:
                    await self.post({"text": reply.format(name=self.nominee)})
                return
        raise LookupError(f"no answer for: {question[:200]!r}")


async def _member(app: Any, cli_ops: Any, settings: Any, unit: str, name: str) -> Member:
    """A browser that joined `unit` (not counted)."""
    base = "http://127.0.0.1"
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app.http), base_url=base, headers={"origin": base}
    )
    assert (await http.post("/api/session", json={})).status_code == 200
    member = Member(http, app, numbered=False)
    code = (await cli_ops.create_invite(app.db, settings, unit, "member", 5, 1, app.clock())).code
    for step in (f"/start {code}", name):
        await member.post({"text": step}, counted=False)
    await member.read()
    await member.choose("Bỏ qua")
    await member.read()
    await member.choose("Đồng ý")
    await member.read()
    member.done = 0
    return member


async def _open_call(app: Any, cli_ops: Any, settings: Any) -> None:
    """An official of the commune opens a call for every field (not counted)."""
    official = await _member(app, cli_ops, settings, "X-AN-BINH", "Lê Văn Cán")
    code = (
        await cli_ops.create_invite(app.db, settings, "X-AN-BINH", "official", 1, 1, app.clock())
    ).code
    await official.post({"text": f"/start {code}"})
    steps = [
        "/dotphatdong",
        "tap:Tạo đợt mới",
        "Đề cử người tốt năm 2026",
        "Mời các hội viên đề cử những tấm gương người tốt, việc tốt ở địa phương mình.",
        "tap:Tất cả lĩnh vực",
        "31/12/2026",
        "tap:Xã An Bình",
        "tap:Bỏ qua",
        "tap:Mở đợt và gửi",
    ]
    for step in steps:
        await official.read()
        if step.startswith("tap:"):
            await official.choose(step[4:])
        else:
            await official.post({"text": step})
    await official.read()
    await official.http.aclose()


async def count(
    numbered: bool, call: bool, nominee: str = "Nguyễn Thị Lan", first: str = "/decu"
) -> int:
    """Exchanges of one nomination with one photo."""
    from bot import cli_ops
    from bot.app import Application
    from bot.settings import Settings
    from storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        os.environ["UNDO_MINUTES"] = "0"  # the call goes out at once (no undo window)
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bot.db'}",
            media_dir=Path(folder) / "media",
        )
        await upgrade(settings.database_url)
        # A clock that moves (as the real one does) from a fixed morning.
        start, began = datetime(2026, 11, 25, 2, 0, tzinfo=UTC), time.monotonic()

        def clock() -> datetime:
            return start + timedelta(seconds=time.monotonic() - began)

        app = Application(settings, clock=clock)
        await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
        await app.start()
        try:
            member = await _member(app, cli_ops, settings, "X-AN-BINH-HPN", "Trần Thị Hoa")
            member.numbered, member.nominee = numbered, nominee
            if call:
                await _open_call(app, cli_ops, settings)
                await member.read()
                await member.choose("Đề cử ngay")
            else:
                await member.post({"text": first})
            for _ in range(LIMIT):
                said = await member.read()
                if any(DONE in m["text"] for m in said):
                    return member.done
                await member.answer(said[-1]["text"] if said else "")
            raise RuntimeError("no receipt")
        finally:
            await member.http.aclose()
            await app.stop()


CASES = (
    ("web, no call", False, False, "Nguyễn Thị Lan"),
    ("web, from a call", False, True, "Nguyễn Thị Lan"),
    ("numbered, no call", True, False, "Nguyễn Thị Lan"),
    ("numbered, from a call", True, True, "Nguyễn Thị Lan"),
    ("numbered, lower case", True, False, "nguyễn thị lan"),
)


async def measure() -> dict[str, int]:
    """Every case's count on the code this process runs."""
    counts = {label: await count(numbered, call, name) for label, numbered, call, name in CASES}
    counts["web, story first"] = await count(False, False, first=STORY)
    return counts


def baseline(ref: str) -> dict[str, int]:
    """The counts of another revision: its files, this script, a child process."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        (Path(folder) / "bench" / "exchanges.py").write_text(
            Path(__file__).read_text(encoding="utf-8"), encoding="utf-8"
        )
        done = subprocess.run(
            [sys.executable, "-m", "bench.exchanges", "--json"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
        )
        counts: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
        return counts


def main() -> None:
    """Print the counts (and a baseline's, with the ratio)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a git revision to compare with (e.g. main)")
    parser.add_argument("--json", action="store_true", help="one JSON line, for --baseline")
    options = parser.parse_args()
    now = asyncio.run(measure())
    if options.json:
        print(json.dumps(now))
        return
    before = baseline(options.baseline) if options.baseline else {}
    head = f"{options.baseline:>12}{'ratio':>8}" if before else ""
    print(f"{'case':<24}{'exchanges':>10}{head}")
    for label, value in now.items():
        line = f"{label:<24}{value:>10}"
        if before:
            line += f"{before[label]:>12}{value / before[label]:>8.2f}"
        print(line)


if __name__ == "__main__":
    main()
