"""In-memory state of the fake Bot API plus the thread-safe control/inspection methods.

Every public method here may be called from the test thread while the server thread is
handling requests; all state is guarded by one re-entrant lock.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.changes import Changes
from tests.fakes.telegram_limits import FaultPlan, RateLimiter
from tests.fakes.telegram_types import (
    JsonDict,
    RecordedCall,
    SentMessage,
    StoredFile,
    WebhookDelivery,
)

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
DEFAULT_ALLOWED_UPDATES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
}
CallPredicate = Callable[[RecordedCall], bool] | str


def _matcher(predicate: CallPredicate) -> Callable[[RecordedCall], bool]:
    if isinstance(predicate, str):
        name = predicate.lower()
        return lambda call: call.method.lower() == name
    return predicate


class TelegramState:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "guong_sang_bot",
        bot_first_name: str = "Gương Sáng",
        enforce_limits: bool = False,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.latency = latency
        self.bot_user: JsonDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._lock = threading.RLock()
        self._changes = Changes(self._lock)
        # getUpdates calls waiting for updates right now (tests wait for a poll to park).
        self.parked_polls = 0
        # Requests waiting out the simulated latency right now.
        self.in_latency = 0
        self._time_offset = 0.0
        self.enforce_limits = enforce_limits
        self.limiter = RateLimiter()
        self.faults = FaultPlan()
        self.users: dict[int, JsonDict] = {}
        self.chats: dict[int, JsonDict] = {}
        self._started: set[int] = set()
        self._forbidden: dict[int, str] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._edited: set[tuple[int, int]] = set()
        self._bot_sent: list[tuple[int, int, str, JsonDict]] = []
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_media: dict[str, tuple[str, Any]] = {}
        self._counter = 0
        self._updates: list[JsonDict] = []
        self._next_update_id = 700_000_001
        self._allowed_updates: list[str] | None = None
        self._callbacks: dict[str, float] = {}
        self._calls: list[RecordedCall] = []
        self._count_429 = 0
        self._commands: dict[str, list[JsonDict]] = {}
        self._webhook: JsonDict | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._deliveries: list[WebhookDelivery] = []
        self._server_errors: list[BaseException] = []

    # -- clock -------------------------------------------------------------------------------
    def monotonic(self) -> float:
        """Fake monotonic clock (real clock + ``advance_time`` offset); drives limits/expiry."""
        return time.monotonic() + self._time_offset

    def now(self) -> float:
        return time.time() + self._time_offset

    def advance_time(self, seconds: float) -> None:
        """Move the fake clock forward (rate-limit windows, callback query expiry, dates)."""
        with self._lock:
            self._time_offset += seconds

    # -- fault control -----------------------------------------------------------------------
    def fail_next(
        self,
        method: str | None,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """The next ``count`` calls of ``method`` (None/"*": any) fail with this error."""
        with self._lock:
            self.faults.fail_next(method, status, description, retry_after, count)

    def hang_next(
        self, method: str | None, seconds: float = 30.0, count: int = 1, *, process: bool = True
    ) -> None:
        """Delay the response of the next ``count`` calls by ``seconds`` (beyond the client
        timeout). ``process=True``: the call takes effect at once, only the answer is late
        (as when Telegram delivers but the client times out); otherwise it fails with 502."""
        with self._lock:
            self.faults.hang_next(method, seconds, count, process)

    def set_fault_rates(
        self,
        rate_429: float = 0.05,
        rate_5xx: float = 0.02,
        seed: int | None = 0,
        retry_after: float = 1,
    ) -> None:
        """Random 429 / 500 answers for send methods, drawn from ``random.Random(seed)``.

        Re-seeding restarts the sequence; ``set_fault_rates(0, 0)`` turns random faults off.
        """
        with self._lock:
            self.faults.set_rates(rate_429, rate_5xx, seed, retry_after)

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self.latency = seconds

    def set_limits(self, enabled: bool, *, reset: bool = True) -> None:
        with self._lock:
            self.enforce_limits = enabled
            if reset:
                self.limiter.reset()

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    # -- users, chats, files -----------------------------------------------------------------
    def add_user(
        self,
        user_id: int,
        first_name: str = "Test",
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "vi",
        started: bool = True,
    ) -> JsonDict:
        """Register a user and their private chat (``started``: the user has pressed Start)."""
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JsonDict = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = chat[key] = value
        if language_code is not None:
            user["language_code"] = language_code
        with self._lock:
            self.users[user_id] = user
            self.chats[user_id] = chat
            if started:
                self._started.add(user_id)
        return copy.deepcopy(user)

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "supergroup",
        username: str | None = None,
    ) -> JsonDict:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat: JsonDict = {"id": chat_id, "type": chat_type, "title": title}
        if username is not None:
            chat["username"] = username
        with self._lock:
            self.chats[chat_id] = chat
        return copy.deepcopy(chat)

    def block(self, user_id: int) -> None:
        """Sends to the user now fail with 403 "Forbidden: bot was blocked by the user"."""
        with self._lock:
            self._forbidden[user_id] = "Forbidden: bot was blocked by the user"

    def unblock(self, user_id: int) -> None:
        with self._lock:
            self._forbidden.pop(user_id, None)

    def deactivate(self, user_id: int) -> None:
        """Sends to the user now fail with 403 "Forbidden: user is deactivated"."""
        with self._lock:
            self._forbidden[user_id] = "Forbidden: user is deactivated"

    def add_file(
        self,
        file_id: str,
        content: bytes,
        file_unique_id: str | None = None,
        file_path: str | None = None,
    ) -> JsonDict:
        """Make ``file_id`` downloadable through getFile + the file route; returns the File."""
        with self._lock:
            self._counter += 1
            stored = StoredFile(
                file_id,
                file_unique_id or f"AQAD{self._counter:08d}",
                file_path or f"documents/file_{self._counter}",
                content,
            )
            self._files[file_id] = stored
            return stored.as_file()

    def _new_file(
        self, kind: str, content: bytes, ext: str, media: Callable[[StoredFile], Any]
    ) -> StoredFile:
        """Register a new file of ``kind``; ``media`` builds its JSON (PhotoSize list, ...)."""
        with self._lock:
            self._counter += 1
            n = self._counter
            folder = {"photo": "photos", "voice": "voice", "sticker": "stickers"}.get(kind)
            stored = StoredFile(
                f"{FILE_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{n:08d}fake",
                f"AQAD{n:08d}",
                f"{folder or kind + 's'}/file_{n}.{ext}",
                content,
            )
            self._files[stored.file_id] = stored
            self._file_media[stored.file_id] = (kind, media(stored))
            return stored

    def file_content(self, file_id: str) -> bytes:
        with self._lock:
            return self._files[file_id].content

    # -- update queue ------------------------------------------------------------------------
    def _updates_changed(self) -> None:
        """Hook: the server wakes long polls / the webhook worker."""

    def inject_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update (``update_id`` assigned if missing); returns it."""
        with self._lock:
            update = copy.deepcopy(update)
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, int(update["update_id"])) + 1
            kind = next((key for key in update if key != "update_id"), "")
            allowed = self._allowed_updates
            wanted = kind in allowed if allowed else kind not in DEFAULT_ALLOWED_UPDATES_EXCLUDED
            if wanted:
                self._updates.append(update)
            self._changes.notify()
        self._updates_changed()
        return copy.deepcopy(update)

    def pending_updates(self) -> list[JsonDict]:
        with self._lock:
            return copy.deepcopy(self._updates)

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    # -- messages ----------------------------------------------------------------------------
    def _alloc_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _chat_ref(self, chat_id: int) -> JsonDict:
        return copy.deepcopy(self.chats[chat_id])

    def message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """The current state of a stored message (bot's or user's), None if absent/deleted."""
        with self._lock:
            msg = self._messages.get((chat_id, message_id))
            gone = (chat_id, message_id) in self._deleted
            return None if msg is None or gone else copy.deepcopy(msg)

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent, in order; text/caption/markup reflect later edits."""
        out: list[SentMessage] = []
        with self._lock:
            for cid, mid, method, params in self._bot_sent:
                if chat_id is not None and cid != chat_id:
                    continue
                msg = copy.deepcopy(self._messages[(cid, mid)])
                out.append(
                    SentMessage(
                        method=method,
                        chat_id=cid,
                        message_id=mid,
                        text=msg.get("text"),
                        caption=msg.get("caption"),
                        reply_markup=msg.get("reply_markup"),
                        message=msg,
                        params=params,
                        edited=(cid, mid) in self._edited,
                        deleted=(cid, mid) in self._deleted,
                    )
                )
        return out

    # -- recording ---------------------------------------------------------------------------
    def _record(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)
            if call.status == 429:
                self._count_429 += 1
            self._changes.notify()

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded requests in arrival-completion order (method match is case-insensitive)."""
        with self._lock:
            if method is None:
                return list(self._calls)
            return [c for c in self._calls if c.method.lower() == method.lower()]

    def mark(self) -> int:
        """Number of recorded calls so far; pass as ``since=`` to only wait for newer calls."""
        with self._lock:
            return len(self._calls)

    def count_429s(self) -> int:
        with self._lock:
            return self._count_429

    def webhook_deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._deliveries)

    def server_errors(self) -> list[BaseException]:
        """Unexpected exceptions inside the fake (answered with 500); should stay empty."""
        with self._lock:
            return list(self._server_errors)

    def _find(self, match: Callable[[RecordedCall], bool], since: int) -> RecordedCall | None:
        return next((c for c in self._calls[since:] if match(c)), None)

    def wait_for(
        self, predicate: CallPredicate, timeout: float = 5.0, *, since: int = 0
    ) -> RecordedCall:
        """Block (a thread) until a recorded call matches; a str predicate is a method name."""
        match = _matcher(predicate)
        try:
            return self._changes.wait(lambda: self._find(match, since), timeout)
        except TimeoutError:
            raise TimeoutError(self._timeout_message(timeout)) from None

    async def wait_for_async(
        self, predicate: CallPredicate, timeout: float = 5.0, *, since: int = 0
    ) -> RecordedCall:
        """Like ``wait_for``, for a coroutine: the caller's loop keeps running."""
        match = _matcher(predicate)
        try:
            return await self._changes.wait_async(lambda: self._find(match, since), timeout)
        except TimeoutError:
            raise TimeoutError(self._timeout_message(timeout)) from None

    def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Block until ``condition()`` (evaluated under the lock) holds, e.g. a delivery count."""
        self._changes.wait(condition, timeout)

    async def wait_until_async(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Like ``wait_until``, for a coroutine."""
        await self._changes.wait_async(condition, timeout)

    def _timeout_message(self, timeout: float) -> str:
        with self._lock:
            recent = [f"{c.method}->{c.status}" for c in self._calls[-10:]]
        return f"no matching call within {timeout}s; last calls: {recent}"
