"""Template half of FakeZaloOA: ZBS/ZNS template messages by user id and by phone (A.7).

Routes (both answer HTTP 200 with `error != 0` on failure, like the rest of the Open API):
  POST /v3.0/oa/message/template   {user_id, template_id, template_data[, mode]} on the OA
                                   API host -> data.message_id (A.7 [S] Z1 §5.4)
  POST /message/template           {phone "84…", template_id, template_data, tracking_id
                                   (≤ 48), [mode]} on the business host -> data.msg_id,
                                   data.sent_time, data.quota{dailyQuota, remainingQuota}

What the fake enforces, from A.7 and its error table (Z1 §14.3): the template must exist
(-109 [U]) and be approved (-131), `template_data` must carry exactly its parameters (-132
[U]); each accepted message is charged from the Zalo Cloud Account balance (-115 when it
does not cover the price) and counts against the OA's daily quota (-144); a phone must be
`84` and 9-10 digits (-108) and belong to a Zalo account (-118 [U]); a user id the OA does
not know, or one set to refuse, fails with -114 [U] ("user not available"). `mode:
"development"` sends only to the OA's admins (others: `development_error_code`, [U]).
Which codes are which beyond -108/-115/-131/-144 is not confirmed: all are settings here.
Each success is recorded with its tracking id, so a test can see a message paid twice.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

from .zalo_base import FakeServer, Incoming

DAY = 24 * 3600
PHONE = re.compile(r"^84\d{9,10}$")

TEMPLATE_ERRORS: dict[int, str] = {
    -108: "Phone number is invalid",
    -109: "Template ID is invalid",
    -114: "User is inactive, blocked, or cannot receive this message",
    -115: "Out of quota or the balance is not enough",
    -118: "Zalo account does not exist or is disabled",
    -119: "Account cannot receive ZNS messages",
    -124: "Access token is invalid",
    -131: "Template ID has not been approved",
    -132: "Parameter is invalid",
    -139: "User refused to receive this template type",
    -144: "OA has exceeded the daily quota",
}


def template_error(code: int) -> dict[str, Any]:
    return {"error": code, "message": TEMPLATE_ERRORS.get(code, "Unknown error")}


@dataclass
class FakeTemplate:
    """A template registered at Zalo: its parameter names, approval, tag and prices."""

    params: frozenset[str]
    approved: bool = True
    tag: int = 2  # 1 transaction, 2 customer care, 3 promotion (A.7)
    price_uid: int = 200
    price_phone: int = 300


@dataclass(frozen=True)
class TemplateSent:
    """A template message the fake accepted (and charged)."""

    route: str  # "uid" | "phone"
    user_id: str
    phone: str | None
    template_id: str
    data: dict[str, str]
    tracking_id: str | None
    msg_id: str
    price: int
    development: bool


@dataclass
class TemplateState:
    templates: dict[str, FakeTemplate] = field(default_factory=dict)
    balance: int = 10_000_000
    daily_quota: int = 100_000
    used: dict[int, int] = field(default_factory=dict)  # fake day -> accepted messages
    phones: dict[str, str] = field(default_factory=dict)  # phone -> user id
    uid_refused: set[str] = field(default_factory=set)
    admins: set[str] = field(default_factory=set)
    sent: list[TemplateSent] = field(default_factory=list)
    # The answer to the n-th accepted template is held until `release` is set: the message
    # is charged and recorded, the sender hears nothing (a crash meanwhile loses the answer).
    stall_at: int | None = None
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class TemplateMixin(FakeServer):
    development_error_code: int = -119

    @abstractmethod
    def now(self) -> float:
        """Provided by the host class."""

    @abstractmethod
    def now_ms(self) -> int:
        """Provided by the host class."""

    @abstractmethod
    def _knows_user(self, user_id: str) -> bool:
        """Provided by the host class: the user ever followed or wrote to the OA."""

    def _init_templates(self) -> None:
        self.zns = TemplateState()

    # ----------------------------------------------------------------- control
    def register_template(self, template_id: str, params: list[str], **options: Any) -> None:
        with self._lock:
            self.zns.templates[template_id] = FakeTemplate(frozenset(params), **options)

    def set_phone(self, phone: str, user_id: str) -> None:
        """The Zalo account registered with this phone number."""
        with self._lock:
            self.zns.phones[phone] = user_id

    def refuse_uid(self, user_id: str) -> None:
        """Template sends by this user id fail (-114): only the phone path reaches them."""
        with self._lock:
            self.zns.uid_refused.add(user_id)

    def set_balance(self, amount: int) -> None:
        with self._lock:
            self.zns.balance = amount

    def set_daily_quota(self, quota: int) -> None:
        with self._lock:
            self.zns.daily_quota = quota

    def add_admin(self, user_id: str) -> None:
        with self._lock:
            self.zns.admins.add(user_id)

    def stall_answer(self, accepted: int) -> None:
        """Hold the answer to the `accepted`-th accepted template (1-based) until
        `zns.release` is set; `zns.stalled` is set once it is held."""
        with self._lock:
            self.zns.stall_at = accepted

    async def _maybe_stall(self, answer: dict[str, Any]) -> None:
        """Called by the host's dispatch after a template route answered."""
        with self._lock:
            due = answer.get("error") == 0 and len(self.zns.sent) == self.zns.stall_at
        if due:
            self.zns.stalled.set()
            await asyncio.to_thread(self.zns.release.wait, 120)

    def templates_sent(self, user_id: str | None = None) -> list[TemplateSent]:
        with self._lock:
            return [s for s in self.zns.sent if user_id is None or s.user_id == user_id]

    def balance(self) -> int:
        with self._lock:
            return self.zns.balance

    # --------------------------------------------------------------- handlers
    def _handle_template_uid(self, req: Incoming) -> dict[str, Any]:
        body = req.json if isinstance(req.json, dict) else {}
        user_id = body.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            return template_error(-132)
        with self._lock:
            if user_id in self.zns.uid_refused or not self._knows_user(user_id):
                return template_error(-114)
            return self._accept(body, "uid", user_id, None, None)

    def _handle_template_phone(self, req: Incoming) -> dict[str, Any]:
        body = req.json if isinstance(req.json, dict) else {}
        phone, tracking = body.get("phone"), body.get("tracking_id")
        if not isinstance(phone, str) or not PHONE.match(phone):
            return template_error(-108)
        if tracking is not None and (not isinstance(tracking, str) or len(tracking) > 48):
            return template_error(-132)
        with self._lock:
            user_id = self.zns.phones.get(phone)
            if user_id is None:
                return template_error(-118)
            return self._accept(body, "phone", user_id, phone, tracking)

    def _accept(
        self,
        body: dict[str, Any],
        route: str,
        user_id: str,
        phone: str | None,
        tracking: str | None,
    ) -> dict[str, Any]:
        """Checks common to both routes; charge and record. Called holding the lock."""
        template_id = body.get("template_id")
        template = self.zns.templates.get(str(template_id))
        if template is None:
            return template_error(-109)
        if not template.approved:
            return template_error(-131)
        data = body.get("template_data")
        if (
            not isinstance(data, dict)
            or set(data) != template.params
            or not all(isinstance(v, str) for v in data.values())
        ):
            return template_error(-132)
        development = body.get("mode") == "development"
        if development and user_id not in self.zns.admins:
            return template_error(self.development_error_code)
        price = template.price_uid if route == "uid" else template.price_phone
        if self.zns.balance < price:
            return template_error(-115)
        day = int(self.now() // DAY)
        used = self.zns.used.get(day, 0)
        if used >= self.zns.daily_quota:
            return template_error(-144)
        self.zns.balance -= price
        self.zns.used[day] = used + 1
        sent = TemplateSent(
            route,
            user_id,
            phone,
            str(template_id),
            dict(data),
            tracking,
            secrets.token_hex(12),
            price,
            development,
        )
        self.zns.sent.append(sent)
        self._changes.notify()
        if route == "uid":
            return {"error": 0, "message": "Success", "data": {"message_id": sent.msg_id}}
        quota = {
            "dailyQuota": self.zns.daily_quota,
            "remainingQuota": self.zns.daily_quota - used - 1,
        }
        data_out = {"msg_id": sent.msg_id, "sent_time": str(self.now_ms()), "quota": quota}
        return {"error": 0, "message": "Success", "data": data_out}

    # ----------------------------------------------------------------- events
    def zns_event(
        self, sent: TemplateSent, event_name: str = "user_received_message"
    ) -> dict[str, Any]:
        """A delivery event for an accepted template (sent with `X-ZEvent-Server: ZNS`):
        `user_received_message` when it reached the phone, `user_seen_message` when read."""
        message: dict[str, Any] = {"msg_id": sent.msg_id, "delivery_time": str(self.now_ms())}
        if sent.tracking_id is not None:
            message["tracking_id"] = sent.tracking_id
        return {
            "app_id": getattr(self, "app_id", ""),
            "sender": {"id": getattr(self, "oa_id", "")},
            "recipient": {"id": sent.user_id},
            "event_name": event_name,
            "message": message,
            "timestamp": str(self.now_ms()),
        }
