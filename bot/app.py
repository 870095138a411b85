"""The composition root: builds every part from the settings and runs them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.alerts import alert_admins
from bot.channels.base import Channel
from bot.channels.telegram import TelegramChannel
from bot.channels.webchat import WebChat
from bot.channels.zalo_bot import ZaloBot
from bot.channels.zalo_oa import ZaloOA
from bot.delivery import Delivery
from bot.documents import FileDocuments
from bot.honour import HonourPages
from bot.intake import Intake
from bot.settings import Settings
from handlers.config import CoreConfig
from handlers.runner import Runner
from scheduler.core import Scheduler
from scheduler.registry import build_jobs
from storage import outbox
from storage.db import Database
from storage.rows import OutboxItem

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock (tests inject another)."""
    return datetime.now(UTC)


class Application:
    """Every long-lived part of the bot, wired explicitly; no globals."""

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.db = Database(settings.database_url, pool_size=settings.database_pool_size)
        quiet_start, quiet_end = settings.quiet_window
        self.config = CoreConfig(
            timezone=ZoneInfo(settings.timezone),
            max_upload_bytes=settings.max_upload_bytes,
            review_sla_days=settings.review_sla_days,
            media_dir=settings.media_dir,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            broadcast_daily_cap=settings.broadcast_daily_cap,
            nominations_per_day=settings.nominations_per_day,
            messages_per_minute=settings.messages_per_minute,
            summary_weekday=settings.summary_weekday,
            public_base_url=(
                settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"
            ).rstrip("/"),
            public_channel=(
                ("telegram", settings.public_channel_chat_id)
                if settings.public_channel_chat_id
                else None
            ),
            documents=FileDocuments(settings.media_dir),
        )
        self.runner = Runner(self.db, self.config, clock, on_commit=self._stepped)
        self.intake = Intake(self.db, self.runner, clock)
        self.webchat = WebChat(
            self.db, self.intake, clock, settings.media_dir, settings.max_upload_bytes
        )
        # The web chat is always on; the platforms whose settings are present join it.
        self.channels: list[Channel] = [self.webchat]
        self.telegram: TelegramChannel | None = None
        if settings.telegram_bot_token is not None:
            self.telegram = TelegramChannel(settings, self.db, self.intake, clock, self._committed)
            self.channels.append(self.telegram)
        self.zalo_oa: ZaloOA | None = None
        self.zalo_bot: ZaloBot | None = None
        if settings.zalo_oa_enabled:
            self.zalo_oa = ZaloOA(settings, self.db, self.intake, clock, self._zalo_token_failed)
            self.channels.append(self.zalo_oa)
        if settings.zalo_bot_token is not None:
            self.zalo_bot = ZaloBot(settings, self.intake, clock)
            self.channels.append(self.zalo_bot)
        self.delivery = Delivery(self.db, clock, self.channels)
        self.delivery.lanes[self.webchat.name].on_marked = self.webchat.marked
        self.scheduler = Scheduler(
            self.db,
            self.config,
            clock,
            self._committed,
            build_jobs(settings.digest_at, settings.summary_at),
        )
        self.honour = HonourPages(self.db, settings.media_dir, self.config.public_base_url)
        self.http = Starlette(routes=self._routes())
        self._started = False

    def _committed(self) -> None:
        self.delivery.kick()

    def _stepped(self, claimed: Sequence[OutboxItem], queued_more: bool) -> None:
        self.delivery.offer(claimed, queued_more)

    async def _zalo_token_failed(self, reason: str) -> None:
        """Zalo OA cannot send until someone acts: tell the admins on their other channels."""
        await alert_admins(
            self.db, self.clock, "alert.zalo_oa_token", about_channel="zalo_oa", topic="zalo_oa"
        )
        self.delivery.kick()

    def _routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [Route("/healthz", self.health, methods=["GET"])]
        routes.extend(self.honour.routes())
        for channel in self.channels:
            routes.extend(channel.routes())
        return routes

    async def health(self, request: Request) -> Response:
        """Liveness and the size of the backlog."""
        async with self.db.read() as conn:
            pending = await outbox.count_pending(conn)
        metrics = {
            c.name: dict(counts)
            for c in self.channels
            if (counts := getattr(c, "metrics", None)) is not None
        }
        outside = {name: lane.outside_window for name, lane in self.delivery.lanes.items()}
        body: dict[str, object] = {
            "ok": True,
            "outbox_pending": pending,
            "channels": [c.name for c in self.channels],
            "metrics": metrics,
            "outside_window": outside,
        }
        if self.telegram is not None:
            body["telegram"] = self.telegram.status()
        return JSONResponse(body)

    async def start(self) -> None:
        """Check the database, resume unfinished work, start receiving."""
        await self.db.check()
        if await self.db.register_instance():
            # No other instance runs: rows still claimed were claimed by one that crashed.
            async with self.db.write() as conn:
                await outbox.release_all_claims(conn)
        self.delivery.start()
        recovered = await self.runner.recover()
        if recovered:
            log.info("resuming %d inbound events recorded before the restart", recovered)
        for channel in self.channels:
            await channel.start()
        await self.scheduler.start()
        self._started = True

    async def settle(self) -> None:
        """Wait until every recorded event is handled and every due message sent."""
        while True:
            if self.telegram is not None:
                await self.telegram.settle()  # album parts held back from the runner
            await self.runner.idle()
            await self.delivery.settle()
            await asyncio.sleep(0)
            if self.runner_idle():
                return

    def runner_idle(self) -> bool:
        """Whether the runner has nothing queued (after delivery settled)."""
        return not self.runner.busy

    async def stop(self) -> None:
        """Finish the steps in hand, then the sends in hand, then close the channels.

        The channels close last: closing one first aborted its sends in flight, which were
        then sent again after the restart. Events recorded meanwhile wait in the inbox for
        the next start.
        """
        if self._started:
            await self.scheduler.stop()
            await self.runner.stop()
            await self.delivery.stop()
            for channel in self.channels:
                await channel.stop()
            self._started = False
        await self.db.close()
