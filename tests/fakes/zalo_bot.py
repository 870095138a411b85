"""FakeZaloBot: the Telegram-like Zalo Bot Platform (channels.md A.11).

Routes: `POST /bot{token}/{method}` (GET and query/form/JSON parameters also accepted, as the
general docs allow) for getMe, getUpdates, setWebhook, deleteWebhook, getWebhookInfo,
sendMessage, sendPhoto, sendSticker, sendChatAction. The bot points its API base at
`base_url` and builds `{base_url}/bot{token}/{method}`.

Facts used [S]: envelope `{ok, result, error_code?, description?}`; getUpdates long-polls
with `timeout` (default 30 s) and fails while a webhook is set; there is NO offset or
update_id; webhook `secret_token` is 8-256 characters and comes back in the
`X-Bot-Api-Secret-Token` header; webhook payload `{ok:true, result:{event_name, message{from{id,
display_name, is_bot}, chat{id, chat_type}, text, photo, caption, sticker, url, message_id,
date}}}` with `date` in epoch ms; text 1-2000 characters; parse_mode markdown or html;
sendPhoto takes `photo` as a URL; sendChatAction answers `{"ok": true}`.

How updates are confirmed: channels.md documents no offset, update_id, cursor or ack, so the
only model consistent with it is implicit confirmation: an update leaves the queue when a
getUpdates response carrying it is built (at-most-once). A poll whose client disconnects
before an update arrives consumes nothing. `lose_next_poll_response()` shows the cost: the
update is dequeued and the client gets a 502, so it is gone. [U] knobs: `result_shape`
("object": one update per call, the documented sample; "list": up to `max_updates_per_poll`),
`empty_poll` (what a poll that times out returns), `poll_includes_event_name`.

All error codes and descriptions are [U] (A.11 gives only the envelope); they default to
Telegram-like values and are overridable with `errors=`; `error_http_status` picks whether the
HTTP status mirrors `error_code` ("mirror") or is always 200 ("200").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.requests import Request

from .zalo_base import DeliveryResult, Incoming, Reply, UploadedFile
from .zalo_bot_inbound import DEFAULT_CHAT_ID, BotInbound, ChatState

__all__ = ["DEFAULT_BOT_TOKEN", "DEFAULT_CHAT_ID", "BotSent", "FakeZaloBot"]

DEFAULT_BOT_ID = "1385920471635829104"
DEFAULT_BOT_TOKEN = f"{DEFAULT_BOT_ID}:FakeZaloBotAccessTokenAbCdEf0123456789"

# [U] every entry: (error_code, description).
DEFAULT_BOT_ERRORS: dict[str, tuple[int, str]] = {
    "unauthorized": (401, "Unauthorized"),
    "not_found": (404, "Not Found"),
    "bad_request": (400, "Bad Request: {detail}"),
    "webhook_active": (409, "Conflict: can't use getUpdates while webhook is active"),
    "poll_timeout": (408, "Request timeout"),  # seen in third-party client code
    "blocked": (403, "Forbidden: the user has blocked the bot"),
    "chat_not_found": (400, "Bad Request: chat not found"),
}

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[^/]+)$")


@dataclass(frozen=True)
class BotSent:
    """A message the bot sent (sendMessage / sendPhoto / sendSticker)."""

    method: str
    chat_id: str
    params: dict[str, Any]
    message_id: str
    date: int
    upload: UploadedFile | None = None

    @property
    def text(self) -> str | None:
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None


class FakeZaloBot(BotInbound):
    name = "fake-zalo-bot"
    default_fault_status = 500

    def __init__(
        self,
        *,
        token: str = DEFAULT_BOT_TOKEN,
        account_name: str = "bot.GuongSang",
        account_type: str = "BASIC",
        can_join_groups: bool = False,
        text_limit: int = 2000,
        default_poll_timeout: float = 30.0,
        result_shape: Literal["object", "list"] = "object",
        max_updates_per_poll: int = 100,
        empty_poll: Literal["timeout_error", "ok_empty"] = "timeout_error",
        poll_includes_event_name: bool = True,
        error_http_status: Literal["mirror", "200"] = "mirror",
        errors: dict[str, tuple[int, str]] | None = None,
        require_public_https_webhook: bool = False,
        require_prior_contact: bool = False,
        accept_photo_upload: bool = False,
        chat_actions: tuple[str, ...] = ("typing",),
        port: int = 0,
    ) -> None:
        """[U] options (see module docstring for the update model):

        - empty_poll: "timeout_error" answers {"ok": false, "error_code": 408,
          "description": "Request timeout"} (what third-party clients handle); "ok_empty"
          answers {"ok": true, "result": {}} ("object") or [] ("list").
        - require_public_https_webhook: A.11 [S] says localhost / private-IP URLs are refused
          and URLs must be HTTPS; off by default so tests can use 127.0.0.1.
        - require_prior_contact: A.11 [U] whether the bot can message a user who never wrote;
          True makes such sends fail with "chat_not_found".
        - accept_photo_upload: A.11 documents `photo` as a URL only; True also accepts a
          multipart file part named `photo`.
        - chat_actions: "typing" is documented; "upload_photo" is "coming soon".
        """
        super().__init__(port=port)
        self.token = token
        self.bot_id = token.split(":", 1)[0]
        self.account_name = account_name
        self.account_type = account_type
        self.can_join_groups = can_join_groups
        self.text_limit = text_limit
        self.default_poll_timeout = default_poll_timeout
        self.result_shape = result_shape
        self.max_updates_per_poll = max_updates_per_poll
        self.empty_poll = empty_poll
        self.poll_includes_event_name = poll_includes_event_name
        self.error_http_status = error_http_status
        self.errors = {**DEFAULT_BOT_ERRORS, **(errors or {})}
        self.require_public_https_webhook = require_public_https_webhook
        self.require_prior_contact = require_prior_contact
        self.accept_photo_upload = accept_photo_upload
        self.chat_actions = chat_actions
        self._queue: deque[dict[str, Any]] = deque()
        self._chats: dict[str, ChatState] = {}
        self._sent: list[BotSent] = []
        self._actions: list[tuple[str, str]] = []
        self._webhook_url = ""
        self._webhook_secret = ""
        self._webhook_updated_at = 0
        self._lost_poll_responses = 0
        self._polls_in_flight = 0
        self._max_polls_in_flight = 0
        self._last_delivery: concurrent.futures.Future[DeliveryResult] | None = None

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    def _route_key(self, path: str) -> str:
        match = _PATH.match(path)
        return match.group("method") if match else path

    def _error(self, kind: str, detail: str = "") -> Reply:
        code, text = self.errors[kind]
        body = {"ok": False, "error_code": code, "description": text.replace("{detail}", detail)}
        return Reply(code if self.error_http_status == "mirror" else 200, body)

    def _default_fault_body(self, status: int) -> Any:
        return {"ok": False, "error_code": status, "description": "Internal Server Error"}

    def fail_next(
        self,
        path: str | None = None,
        *,
        count: int = 1,
        status: int | None = None,
        json: Any = None,
        hang: float = 0.0,
        error_code: int | None = None,
        description: str = "injected fault",
    ) -> None:
        """Fault the next call(s) to `path` (a method name such as "sendMessage", or None)."""
        if error_code is not None and json is None:
            json = {"ok": False, "error_code": error_code, "description": description}
            if status is None:
                status = error_code if self.error_http_status == "mirror" else 200
        super().fail_next(path, count=count, status=status, json=json, hang=hang)

    # ---------------------------------------------------------------- control
    def block_chat(self, chat_id: str, blocked: bool = True) -> None:
        with self._lock:
            self._chats.setdefault(chat_id, ChatState()).blocked = blocked

    def invalidate_chat(self, chat_id: str) -> None:
        with self._lock:
            self._chats.setdefault(chat_id, ChatState()).invalid = True

    def sent_messages(self, chat_id: str | None = None, method: str | None = None) -> list[BotSent]:
        with self._lock:
            return [
                m
                for m in self._sent
                if (chat_id is None or m.chat_id == chat_id)
                and (method is None or m.method == method)
            ]

    def chat_actions_sent(self, chat_id: str | None = None) -> list[tuple[str, str]]:
        """(chat_id, action) pairs from sendChatAction."""
        with self._lock:
            return [a for a in self._actions if chat_id is None or a[0] == chat_id]

    def pending_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._queue)

    @property
    def webhook(self) -> tuple[str, str]:
        """(url, secret_token); url is "" when no webhook is set."""
        with self._lock:
            return self._webhook_url, self._webhook_secret

    def set_webhook(self, url: str, secret_token: str) -> None:
        """Set the webhook directly, without an API call."""
        with self._lock:
            self._webhook_url, self._webhook_secret = url, secret_token
            self._webhook_updated_at = self.now_ms()

    @property
    def polls_in_flight(self) -> int:
        """getUpdates requests parked right now."""
        with self._lock:
            return self._polls_in_flight

    @property
    def max_concurrent_polls(self) -> int:
        with self._lock:
            return self._max_polls_in_flight

    def lose_next_poll_response(self, n: int = 1) -> None:
        """The next `n` getUpdates that carry updates dequeue them, then answer 502."""
        with self._lock:
            self._lost_poll_responses += n

    # --------------------------------------------------------------- dispatch
    async def _dispatch(self, incoming: Incoming) -> Reply:
        match = _PATH.match(incoming.path)
        if match is None:
            return self._error("not_found")
        if match.group("token") != self.token:
            return self._error("unauthorized")
        method = match.group("method")
        params = incoming.params()
        if method == "getUpdates":
            return await self._get_updates(incoming, params)
        handlers = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }
        handler = handlers.get(method)
        if handler is None:
            return self._error("not_found")
        return handler(incoming, params)

    @staticmethod
    def _ok(result: Any) -> Reply:
        return Reply(200, {"ok": True, "result": result})

    def _get_me(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        return self._ok(
            {
                "id": self.bot_id,
                "account_name": self.account_name,
                "account_type": self.account_type,
                "can_join_groups": self.can_join_groups,
            }
        )

    def _webhook_url_problem(self, url: str) -> str | None:
        parts = urlsplit(url)
        if not parts.scheme or not parts.hostname:
            return "url is invalid"
        if not self.require_public_https_webhook:
            return None
        if parts.scheme != "https":
            return "url must be HTTPS"
        host = parts.hostname
        try:
            private = not ipaddress.ip_address(host).is_global
        except ValueError:
            private = host == "localhost" or host.endswith(".localhost")
        return "url must be publicly reachable" if private else None

    def _set_webhook(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url:
            return self._error("bad_request", "url is required")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return self._error("bad_request", "secret_token must be 8-256 characters")
        problem = self._webhook_url_problem(url)
        if problem:
            return self._error("bad_request", problem)
        self.set_webhook(url, secret)
        return self._get_webhook_info(incoming, params)

    def _delete_webhook(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        self.set_webhook("", "")
        return self._get_webhook_info(incoming, params)

    def _get_webhook_info(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        with self._lock:
            return self._ok({"url": self._webhook_url, "updated_at": self._webhook_updated_at})

    def _take_updates(self) -> list[dict[str, Any]]:
        limit = 1 if self.result_shape == "object" else self.max_updates_per_poll
        taken: list[dict[str, Any]] = []
        while self._queue and len(taken) < limit:
            update = dict(self._queue.popleft())
            if not self.poll_includes_event_name:
                update.pop("event_name", None)
            taken.append(update)
        return taken

    async def _get_updates(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        with self._lock:
            if self._webhook_url:
                return self._error("webhook_active")
        try:
            wait = float(params.get("timeout", self.default_poll_timeout))
        except (TypeError, ValueError):
            return self._error("bad_request", "timeout is invalid")
        with self._lock:
            self._polls_in_flight += 1
            self._max_polls_in_flight = max(self._max_polls_in_flight, self._polls_in_flight)
            self._changes.notify()
        try:
            return await self._long_poll(incoming, wait)
        finally:
            with self._lock:
                self._polls_in_flight -= 1
                self._changes.notify()

    async def _long_poll(self, incoming: Incoming, wait: float) -> Reply:
        """Answer when an update arrives, the server stops or `wait` runs out; a client that
        hangs up first gets nothing (and nothing is taken from the queue)."""
        gone = asyncio.ensure_future(_client_gone(incoming.request))
        answer = asyncio.ensure_future(self._changes.wait_async(self._poll_answer, max(wait, 0)))
        try:
            await asyncio.wait({gone, answer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not answer.done():
                answer.cancel()
        if answer.done() and not answer.cancelled():
            if answer.exception() is None:
                return answer.result()
            return self._empty_poll()
        return Reply(499, {"ok": False, "error_code": 499, "description": "client gone"})

    def _poll_answer(self) -> Reply | None:
        """Under the lock: the answer for a parked poll, once there is one."""
        taken = self._take_updates()
        if taken and self._lost_poll_responses > 0:
            self._lost_poll_responses -= 1
            return Reply(502, {"ok": False, "error_code": 502, "description": "lost"})
        if taken:
            return self._ok(taken[0] if self.result_shape == "object" else taken)
        return self._empty_poll() if self.stopping else None

    def _empty_poll(self) -> Reply:
        if self.empty_poll == "timeout_error":
            return self._error("poll_timeout")
        return self._ok({} if self.result_shape == "object" else [])

    def _chat_problem(self, chat_id: Any) -> Reply | None:
        if not isinstance(chat_id, str) or not chat_id:
            return self._error("bad_request", "chat_id is required")
        with self._lock:
            chat = self._chats.get(chat_id)
        if chat is not None and chat.invalid:
            return self._error("chat_not_found")
        if chat is not None and chat.blocked:
            return self._error("blocked")
        if self.require_prior_contact and (chat is None or not chat.contacted):
            return self._error("chat_not_found")
        return None

    def _text_problem(self, value: Any, name: str, required: bool) -> Reply | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not 1 <= len(value) <= self.text_limit:
            return self._error("bad_request", f"{name} must be 1-{self.text_limit} characters")
        return None

    def _record_send(
        self, method: str, params: dict[str, Any], upload: UploadedFile | None = None
    ) -> Reply:
        sent = BotSent(
            method, params["chat_id"], params, secrets.token_hex(10), self.now_ms(), upload
        )
        with self._lock:
            self._sent.append(sent)
        return self._ok({"message_id": sent.message_id, "date": sent.date})

    def _send_message(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        problem = self._chat_problem(params.get("chat_id")) or self._text_problem(
            params.get("text"), "text", True
        )
        if problem is None and params.get("parse_mode") not in (None, "markdown", "html"):
            problem = self._error("bad_request", "parse_mode must be markdown or html")
        return problem or self._record_send("sendMessage", params)

    def _send_photo(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        upload = incoming.files.get("photo")
        problem = self._chat_problem(params.get("chat_id")) or self._text_problem(
            params.get("caption"), "caption", False
        )
        if problem is None:
            photo = params.get("photo")
            url_ok = isinstance(photo, str) and photo.startswith("http")
            if (upload is None and not url_ok) or (
                upload is not None and not self.accept_photo_upload
            ):
                problem = self._error("bad_request", "photo must be a URL")
        return problem or self._record_send("sendPhoto", params, upload)

    def _send_sticker(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        problem = self._chat_problem(params.get("chat_id"))
        if problem is None and not (isinstance(params.get("sticker"), str) and params["sticker"]):
            problem = self._error("bad_request", "sticker is required")
        return problem or self._record_send("sendSticker", params)

    def _send_chat_action(self, incoming: Incoming, params: dict[str, Any]) -> Reply:
        problem = self._chat_problem(params.get("chat_id"))
        action = params.get("action")
        if problem is None and action not in self.chat_actions:
            problem = self._error("bad_request", "action is not supported")
        if problem is not None:
            return problem
        with self._lock:
            self._actions.append((params["chat_id"], str(action)))
        return Reply(200, {"ok": True})  # A.11 sample: no `result`


async def _client_gone(request: Request) -> None:
    """Returns once the client hangs up (the body is read: only a disconnect can arrive)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
