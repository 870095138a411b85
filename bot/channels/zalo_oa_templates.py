"""Reaching Zalo OA members outside the 7-day window: template messages (issue 15, A.7).

Routing of one outbox row that carries a template (Reply.template), decided here so the
channel port stays one `send`:

    inside the window ──────────────▶ a consultation message, as for any row
    outside, kind mapped ───────────▶ template by user id ─ refused for this user ─▶ by the
                                      member's verified phone, where consent allows ─▶
    otherwise (no template, no phone, no budget, sends stopped) ─▶ not sent (unreachable,
                                      counted; the account stays reachable)

Money: each attempt first takes one message (and its price) from the unit's daily and
monthly budgets in the database, and records the send as `sending`, in one transaction
committed before Zalo is called. A refusal gives the budget back. An answer lost after the
request left (timeout, reset, a crash) is never sent again: Zalo documents a status lookup
by its own message id only (which a lost answer does not give), so the send is recorded
`unknown`, counted, and a later delivery event carrying its tracking id settles it.

Errors: per recipient (-114 and the like) the next route is tried; what no retry can fix
soon (balance -115, daily quota -144, template not approved -131, no permission) stops
template sends (for the day, or for the kind) and alerts the admins once; the rest retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp

from bot.channels.base import Failure, SendError
from bot.channels.zalo_oa_api import RATE_LIMIT, OAClient, ZaloError
from bot.channels.zalo_oa_template_config import TemplateMap
from handlers.templates import periods
from handlers.types import Reply, TemplateFill
from storage import zalo_templates
from storage.db import Database
from storage.zalo_templates import CHARGED, Caps

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Tells the admins (why, kind): bot.alerts.alert_admins with the catalog's alert text.
Alert = Callable[[str, str], Awaitable[None]]
Consult = Callable[[], Awaitable[str | None]]

# This recipient cannot get it this way: try the next route (A.7 table, some [U]).
NEXT_ROUTE = frozenset({-114, -118, -119, -139, -213, -227, -230, -232, -244})
BAD_PHONE = -108
# Nothing will go until someone acts: stop for the day and alert once.
STOP_ALL = {
    -115: "balance",
    -320: "balance",
    -321: "balance",
    -144: "quota",
    -117: "permission",
    -120: "permission",
    -135: "permission",
    -138: "permission",
}
# This kind's template cannot be used: stop the kind and alert once.
STOP_KIND = {
    -109: "template",
    -131: "template",
    -146: "template",
    -111: "params",
    -112: "params",
    -132: "params",
}
# ZNS webhook events about a sent template, and what each says happened.
DELIVERY_EVENTS = {"user_received_message": "delivered", "user_seen_message": "read"}
# May pass later (night-time block of promotion templates, transient errors).
TEMPORARY = frozenset({-100, -133, -211, -218})


@dataclass(frozen=True)
class Budget:
    """The budget rules (settings): messages and đồng per unit, per local day and month."""

    timezone: ZoneInfo
    daily: int
    monthly: int | None
    price_uid: int
    price_phone: int
    daily_money: int | None
    monthly_money: int | None

    def caps(self, now: datetime) -> list[tuple[str, Caps]]:
        """Each period `now` falls in, with its caps."""
        day, month = periods(now, self.timezone)
        return [
            (day, Caps(messages=self.daily, money=self.daily_money)),
            (month, Caps(messages=self.monthly, money=self.monthly_money)),
        ]


# A send's outcome waiting to be written: row, status, Zalo's id, error, budget to give back.
GiveBack = tuple[int, list[tuple[str, Caps]], int]
Outcome = tuple[int, str, str | None, str | None, GiveBack | None]


class _NextRoute(Exception):
    """This route cannot reach the person; the next one may."""


class TemplateSender:
    """Sends rows with a template outside the window; everything else goes on as before."""

    def __init__(
        self,
        *,
        templates: TemplateMap,
        api: OAClient,
        db: Database,
        clock: Clock,
        window: timedelta,
        link: str,
        development: bool,
        budget: Budget,
        alert: Alert,
    ) -> None:
        self._templates = templates
        self._api = api
        self._db = db
        self._clock = clock
        self._window = window
        self._link = link
        self._development = development
        self._budget = budget
        self._alert = alert
        # Stopped sends: "*" (every kind) or a kind -> (why, the local day it holds for).
        self._stopped: dict[str, tuple[str, date]] = {}
        # window, uid, phone, not_sent, budget, unknown, stopped, resumed
        self.metrics: Counter[str] = Counter()
        # Outcomes of sends waiting for their grouped write, and their rows.
        self._outcomes: list[Outcome] = []
        self._unwritten: set[int] = set()
        self._writer: asyncio.Task[None] | None = None

    async def send(self, chat_id: str, reply: Reply, consult: Consult) -> str | None:
        """Send one row: as a consultation message (`consult`) or as a template."""
        fill, row = reply.template, reply.outbox_id
        if fill is None or row is None or not self._templates.kinds:
            return await consult()  # (no kind mapped: delivery settled the window already)
        if row in self._unwritten:  # an earlier attempt's outcome must be on record first
            await self.settle()
        async with self._db.read() as conn:
            state = await zalo_templates.recipient(conn, "zalo_oa", chat_id, row)
        last = state.last_inbound_at
        if last is not None and self._clock() - last <= self._window:
            self.metrics["window"] += 1
            return await consult()
        data = self._templates.data(fill, self._link)
        if data is None:
            return self._not_sent(f"outside the window; no template for {fill.kind}")
        if state.previous == "sending":
            # Called before a crash, answer never recorded: it may have been paid for.
            async with self._db.write() as conn:
                await zalo_templates.settle_send(
                    conn, row, "unknown", self._clock(), error="answer lost; not sent again"
                )
            self.metrics["unknown"] += 1
            return None
        if state.previous in CHARGED:
            return state.previous_msg_id  # paid already; the outbox row was not yet marked sent
        why = self._stop_reason(fill.kind)
        if why is not None:
            return self._not_sent(f"template sends stopped: {why}")
        body: dict[str, object] = {
            "template_id": self._templates.kinds[fill.kind].template_id,
            "template_data": data,
        }
        if self._development:
            body["mode"] = "development"
        routes = [("uid", chat_id)] + ([("phone", state.phone)] if state.phone else [])
        for route, target in routes:
            try:
                return await self._attempt(row, fill, route, target, body)
            except _NextRoute:
                continue
        return self._not_sent("outside the window; no template route reaches this member")

    async def settle(self) -> None:
        """Wait until every outcome in hand is written (tests, shutdown, a retried row)."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def delivery_event(self, event: dict[str, object], at: datetime) -> bool:
        """A ZNS webhook event (`X-ZEvent-Server: ZNS`): the template reached the phone
        (`user_received_message`) or was read (`user_seen_message`, [U]). False when it is
        about no send of ours, or is another ZNS event (feedback, template status)."""
        name = event.get("event_name")
        message = event.get("message")
        if name not in DELIVERY_EVENTS or not isinstance(message, dict):
            return False
        msg_id, tracking = message.get("msg_id"), message.get("tracking_id")
        async with self._db.write() as conn:
            return await zalo_templates.record_event(
                conn,
                msg_id=str(msg_id)[:64] if msg_id else None,
                tracking_id=str(tracking)[:48] if tracking else None,
                event=DELIVERY_EVENTS[str(name)],
                at=at,
            )

    # ------------------------------------------------------------------ routes
    async def _attempt(
        self, row: int, fill: TemplateFill, route: str, target: str, body: dict[str, object]
    ) -> str | None:
        """One paid attempt: budget and record first (committed), then Zalo."""
        now = self._clock()
        price = self._budget.price_uid if route == "uid" else self._budget.price_phone
        unit = fill.unit_id or 0
        caps = self._budget.caps(now)
        tracking = f"gs-{row}-{route}"
        async with self._db.write() as conn:
            if not await zalo_templates.reserve(conn, unit, caps, price):
                self.metrics["budget"] += 1
                raise SendError(Failure.NOT_SENT, "template budget of the unit is used up")
            await zalo_templates.begin_send(
                conn,
                outbox_id=row,
                unit_id=unit,
                kind=fill.kind,
                route=route,
                tracking_id=tracking,
                price=price,
                now=now,
            )
        if route == "phone":
            request = {**body, "tracking_id": tracking}
            call = self._api.send_template(user_id=None, phone=target, body=request)
        else:
            call = self._api.send_template(user_id=target, phone=None, body=body)
        try:
            msg_id = await call
        except ZaloError as error:
            self._later(row, "failed", error=str(error), give_back=(unit, caps, price))
            raise await self._refusal(error, fill.kind, route) from error
        except SendError as error:
            if _answer_lost(error):
                self._later(row, "unknown", error=error.reason)
                self.metrics["unknown"] += 1
                return None
            self._later(row, "failed", error=error.reason, give_back=(unit, caps, price))
            raise
        self._later(row, "sent", msg_id=msg_id)
        self.metrics[route] += 1
        return msg_id

    async def _refusal(self, error: ZaloError, kind: str, route: str) -> Exception:
        """What a refusal means: the next route, or a SendError for delivery."""
        code, reason = error.code, str(error)
        if code in NEXT_ROUTE or (code == BAD_PHONE and route == "phone"):
            return _NextRoute()
        if code == RATE_LIMIT:
            return SendError(Failure.RATE_LIMITED, reason, retry_after=60.0)
        if code in TEMPORARY:
            return SendError(Failure.TEMPORARY, reason)
        if code in STOP_ALL:
            await self._stop("*", STOP_ALL[code], kind)
        else:
            await self._stop(kind, STOP_KIND.get(code, "params"), kind)
        return SendError(Failure.PERMANENT, reason)

    # ------------------------------------------------------------------- state
    def _stop_reason(self, kind: str) -> str | None:
        today = self._clock().astimezone(self._budget.timezone).date()
        for key in ("*", kind):
            stopped = self._stopped.get(key)
            if stopped is not None and stopped[1] == today:
                return stopped[0]
            if stopped is not None:
                del self._stopped[key]  # a new day: try again
                self.metrics["resumed"] += 1
        return None

    async def _stop(self, key: str, why: str, kind: str) -> None:
        """Stop sends of a kind (or all) for the local day; the admins hear of it once."""
        today = self._clock().astimezone(self._budget.timezone).date()
        held = self._stopped.get(key)
        if held is not None and held[1] == today:
            return
        self._stopped[key] = (why, today)
        self.metrics["stopped"] += 1
        log.error("Zalo template sends stopped (%s, %s) until tomorrow", key, why)
        try:
            await self._alert(why, kind)
        except Exception:  # the send's outcome is recorded either way
            log.exception("alerting the admins about template sends failed")

    def _not_sent(self, reason: str) -> str | None:
        self.metrics["not_sent"] += 1
        raise SendError(Failure.NOT_SENT, reason)

    def _later(
        self,
        row: int,
        status: str,
        *,
        msg_id: str | None = None,
        error: str | None = None,
        give_back: GiveBack | None = None,
    ) -> None:
        """Record an outcome in the next grouped write (one transaction for all meanwhile).

        Until it is written the send reads `sending`: a crash in between leaves it
        'unknown' after the restart, never sent twice. A refusal gives the budget back.
        """
        self._outcomes.append((row, status, msg_id, error, give_back))
        self._unwritten.add(row)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_outcomes())

    async def _write_outcomes(self) -> None:
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            try:
                async with self._db.write() as conn:
                    now = self._clock()
                    for row, status, msg_id, error, give_back in batch:
                        if give_back is not None:
                            unit, caps, price = give_back
                            await zalo_templates.give_back(conn, unit, [p for p, _ in caps], price)
                        await zalo_templates.settle_send(
                            conn, row, status, now, msg_id=msg_id, error=error
                        )
            except Exception:  # those sends stay 'sending': settled 'unknown' if tried again
                log.exception("recording %d template outcomes failed", len(batch))
            finally:
                self._unwritten.difference_update(b[0] for b in batch)


def _answer_lost(error: SendError) -> bool:
    """Whether the request may have reached Zalo without its answer reaching us."""
    cause = error.__cause__
    if isinstance(cause, aiohttp.ClientConnectorError):
        return False  # never connected: nothing was sent
    return isinstance(cause, (TimeoutError, aiohttp.ClientError))
