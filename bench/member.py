"""One simulated member: joins with an invite and completes a nomination over HTTP."""

from __future__ import annotations

import asyncio
import io
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from PIL import Image

from handlers.messages import t

ACHIEVEMENT = (
    "Bà Lan nhiều năm liền nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện, "
    "mỗi ngày hơn 100 suất, và vận động bà con góp gạo, rau."
)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 72), (180, 120, 60)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# A small real photo (about the size of the 2 KB stand-in this script sent before): the web
# chat decodes and re-encodes every picture it stores.
JPEG = _photo()
# How long one long-poll GET may wait, and how long a step may take before it is an error.
POLL_WAIT = 10
STEP_TIMEOUT = 30.0
APOLOGY = t("common.error")


@dataclass(frozen=True)
class Step:
    """What the member sends and the fragment of the bot's answer that ends the step."""

    name: str
    kind: Literal["text", "button", "upload"]
    value: str
    expect: str


SCRIPT = (
    Step("join.code", "text", "/start {code}", "họ và tên"),
    Step("join.name", "text", "Trần Thị Hoa", "Số điện thoại của bạn"),
    Step("join.phone", "button", "Bỏ qua", "Bạn có đồng ý không?"),
    Step("join.consent", "button", "Đồng ý", "Chào mừng"),
    Step("nominate.start", "text", "/decu", "Bạn đề cử ai?"),
    Step("nominate.kind", "button", "Cá nhân", "Họ và tên người được đề cử"),
    Step("nominate.name", "text", "Nguyễn Thị Lan", "Năm sinh"),
    Step("nominate.birth_year", "text", "1968", "Nơi sinh sống"),
    Step("nominate.place", "text", "Thôn 3, xã An Bình", "Lĩnh vực"),
    Step("nominate.field", "button", "Người tốt, việc tốt", "Hãy kể thành tích"),
    Step("nominate.achievement", "text", ACHIEVEMENT, "Gửi minh chứng"),
    Step("nominate.evidence", "upload", "anh.jpg", "Đã nhận 1/10 tệp"),
    Step("nominate.evidence_done", "button", "Xong", "Số điện thoại liên hệ"),
    Step("nominate.phone", "text", "0912 345 678", "đã đồng ý cho công khai chưa"),
    Step("nominate.consent", "button", "Đồng ý trực tiếp với tôi", "Xem lại đề cử"),
    Step("nominate.review", "button", "Gửi", "Mã đề cử của bạn"),
)


@dataclass(frozen=True)
class Sample:
    """Timings of one step, in seconds from the moment the POST was sent."""

    step: str
    committed: float  # the POST returned: the step's transaction is committed
    readable: float  # a GET /messages returned the reply that ends the step
    finished_at: float  # monotonic clock when the reply became readable


@dataclass
class Recorder:
    """Everything the members measured during one load."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    completed_members: int = 0


class StepFailed(Exception):
    """The bot did not answer a step as the script expects."""


class Member:
    """A person on the web chat, driven through its HTTP routes like the page does."""

    def __init__(self, client: httpx.AsyncClient, uid: str, code: str) -> None:
        self.client = client
        self.uid = uid
        self.code = code
        self.cursor = 0
        self.messages: list[dict[str, Any]] = []
        self.session_open = False

    async def run(
        self, recorder: Recorder, rng: random.Random, think: tuple[float, float] | None, stop: float
    ) -> None:
        """Play the script until its end or until the stop time; record every step."""
        for step in SCRIPT:
            if time.monotonic() >= stop:
                return
            try:
                recorder.samples.append(await self.play(step))
            except (StepFailed, httpx.HTTPError, TimeoutError) as error:
                recorder.errors.append(f"{step.name}: {type(error).__name__}: {error}"[:300])
                return
            if think is not None:
                await asyncio.sleep(rng.uniform(*think))
        recorder.completed_members += 1

    async def play(self, step: Step) -> Sample:
        """Send one answer, then long-poll until the expected reply is readable."""
        started = time.monotonic()
        response = await self.send(step)
        if response.status_code != 200:
            raise StepFailed(f"HTTP {response.status_code}: {response.text[:100]}")
        committed = time.monotonic() - started
        await self.wait_for(step.expect, started + STEP_TIMEOUT)
        finished = time.monotonic()
        return Sample(step.name, committed, finished - started, finished)

    async def send(self, step: Step) -> httpx.Response:
        """POST the answer; once more, with the same id, if a kept-alive connection broke."""
        message_id = uuid.uuid4().hex
        try:
            return await self._post(step, message_id)
        except httpx.RemoteProtocolError:
            # uvicorn closes idle connections after 5 s; a POST racing that close never
            # reached the bot. The id makes a repeat harmless (the bot drops duplicates).
            return await self._post(step, message_id)

    async def _post(self, step: Step, message_id: str) -> httpx.Response:
        if not self.session_open:
            # What the page does first: a session of its own (the cookie goes in the jar).
            opened = await self.client.post("/api/session", json={})
            if opened.status_code != 200:
                return opened
            self.session_open = True
        if step.kind == "upload":
            return await self.client.post(
                "/api/upload",
                params={"id": message_id},
                content=JPEG,
                headers={"content-type": "image/jpeg"},
            )
        body: dict[str, str] = {"id": message_id}
        if step.kind == "button":
            body["button"] = self.token(step.value)
        else:
            body["text"] = step.value.format(code=self.code)
        return await self.client.post("/api/send", json=body)

    def token(self, label: str) -> str:
        """The token of the newest button with this label."""
        for message in reversed(self.messages):
            for choice in message["choices"]:
                if choice["label"] == label:
                    return str(choice["token"])
        raise StepFailed(f"no button {label!r}")

    async def wait_for(self, fragment: str, deadline: float) -> None:
        """Read new messages until one contains the fragment."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StepFailed(f"no reply with {fragment!r}")
            response = await self.client.get(
                "/api/messages",
                params={"after": self.cursor, "wait": min(POLL_WAIT, remaining)},
            )
            if response.status_code != 200:
                raise StepFailed(f"GET messages: HTTP {response.status_code}")
            new: list[dict[str, Any]] = response.json()["messages"]
            if new:
                self.cursor = int(new[-1]["id"])
                self.messages.extend(new)
            for message in new:
                if message["text"] == APOLOGY:
                    raise StepFailed("the bot answered with its error apology")
                if fragment in message["text"]:
                    return
