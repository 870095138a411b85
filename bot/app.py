"""The composition root: builds every part from the settings and runs them together."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.alerts import alert_admins
from bot.channels.base import Channel
from bot.delivery import Delivery
from bot.documents import FileDocuments
from bot.files import private_dir
from bot.honour import HonourPages
from bot.intake import AlsoWrite, Intake
from bot.leases import Leases
from bot.media import FolderMedia
from bot.media_fetch import EvidenceFetcher, Fetch
from bot.settings import Settings
from bot.web.guard import origin_of
from bot.web.http import BodyCaps, build_http, from_this_machine
from bot.web.keys import Keys, SecretKeyError, load_secret
from bot.web.sessions import CONSOLE_COOKIE, Lifetimes, Sessions
from bot.web.static import StaticFiles
from handlers.config import CoreConfig
from handlers.messages import t
from handlers.runner import Runner
from handlers.templates import TemplatePlan
from handlers.types import Inbound
from scheduler.core import Scheduler
from scheduler.registry import build_jobs
from storage import kv, notify, outbox, web_sessions
from storage.db import Database
from storage.rows import OutboxItem, WebSession

# Each channel and the web console are imported where the settings turn them on: a process
# loads only the code it runs (tests/test_process_imports.py holds a Telegram bot to it).
if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.channels.webchat import WebChat
    from bot.channels.zalo_bot import ZaloBot
    from bot.channels.zalo_cdn import CdnFiles
    from bot.channels.zalo_oa import ZaloOA
    from bot.console.base import Deps as ConsoleDeps
    from bot.console.invite_links import Targets as PosterTargets

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# kv key of the SECRET_KEY check value (Keys.check) the instances compare.
KEY_CHECK = "instance.key_check"


def utc_now() -> datetime:
    """The real clock (tests inject another)."""
    return datetime.now(UTC)


def core_config(settings: Settings, clock: Clock, media: FolderMedia) -> CoreConfig:
    """The core's knobs from the settings (the application and the CLI's purge use it)."""
    quiet_start, quiet_end = settings.quiet_window
    return CoreConfig(
        timezone=ZoneInfo(settings.timezone),
        max_upload_bytes=settings.max_upload_bytes,
        draft_ttl_days=settings.draft_retention_days,
        review_sla_days=settings.review_sla_days,
        media=media,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        broadcast_daily_cap=settings.broadcast_daily_cap,
        nominations_per_day=settings.nominations_per_day,
        undo_window=timedelta(minutes=settings.undo_minutes),
        messages_per_minute=settings.messages_per_minute,
        summary_weekday=settings.summary_weekday,
        public_base_url=settings.public_url,
        public_channel=(
            ("telegram", settings.public_channel_chat_id)
            if settings.public_channel_chat_id
            else None
        ),
        documents=FileDocuments(media, clock),
        code_failures_per_hour=settings.code_failures_per_hour,
        web_session_idle=timedelta(days=settings.web_session_idle_days),
        export_retention=timedelta(hours=settings.export_retention_hours),
        message_retention=timedelta(days=settings.message_retention_days),
        rejected_evidence_retention=timedelta(days=settings.rejected_evidence_retention_days),
        job_runs_retention=timedelta(days=settings.job_runs_retention_days),
        audit_retention=timedelta(days=settings.audit_retention_days),
        purge_batch=settings.purge_batch_rows,
        console_session_idle=timedelta(minutes=settings.console_idle_minutes),
        console_link_lifetime=(
            timedelta(minutes=settings.console_link_minutes) if settings.web_console else None
        ),
        templates=template_plan(settings),
    )


def template_plan(settings: Settings) -> TemplatePlan | None:
    """What the core must know of Zalo OA's template messages (None when none is mapped)."""
    if not settings.zalo_oa_enabled:
        return None
    from bot.channels.zalo_oa_template_config import load_templates

    kinds = load_templates(settings.zalo_oa_templates).kinds
    if not kinds:
        return None
    return TemplatePlan(
        channel="zalo_oa",
        window=settings.zalo_oa_proactive_window,
        kinds=frozenset(kinds),
        daily=settings.zalo_oa_template_daily_budget,
        monthly=settings.zalo_oa_template_monthly_budget,
        price=settings.zalo_oa_template_price,
        daily_money=settings.zalo_oa_template_daily_money,
        monthly_money=settings.zalo_oa_template_monthly_money,
    )


class Application:
    """Every long-lived part of the bot, wired explicitly; no globals."""

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.keys = Keys.from_secret(
            load_secret(
                settings.secret_key.get_secret_value() if settings.secret_key else None,
                settings.key_file,
            )
        )
        private_dir(settings.media_dir)
        # One store every instance sees (MEDIA_DIR shared between them: README).
        self.media = FolderMedia(settings.media_dir)
        self.db = Database(settings.database_url, pool_size=settings.database_pool_size)
        self.config = core_config(settings, clock, self.media)
        self.delivery = Delivery(self.db, clock)
        self.runner = Runner(self.db, self.config, clock, _AfterStep(self))
        self.intake = Intake(self.db, self.runner, clock)
        https = settings.public_url.lower().startswith("https://")
        self.sessions = Sessions(
            self.db,
            clock,
            Lifetimes(
                idle=timedelta(days=settings.web_session_idle_days),
                absolute=timedelta(days=settings.web_session_max_days),
            ),
            secure=https,
        )
        self.console_sessions = Sessions(
            self.db,
            clock,
            Lifetimes(
                idle=timedelta(minutes=settings.console_idle_minutes),
                absolute=timedelta(hours=settings.console_max_hours),
            ),
            secure=https,
            cookie=CONSOLE_COOKIE,
        )
        self.channels: list[Channel] = []
        self.webchat: WebChat | None = None
        if settings.web_chat_on:
            self.webchat = self._web_chat()
            self.channels.append(self.webchat)
        self.telegram: TelegramChannel | None = None
        if settings.telegram_bot_token is not None:
            from bot.channels.telegram import TelegramChannel

            self.telegram = TelegramChannel(settings, self.db, self.intake, clock, self.media)
            self.channels.append(self.telegram)
        self.zalo_oa: ZaloOA | None = None
        self.zalo_bot: ZaloBot | None = None
        if settings.zalo_oa_enabled:
            from bot.channels.zalo_oa import ZaloOA

            self.zalo_oa = ZaloOA(
                settings,
                self.db,
                self.intake,
                clock,
                self._zalo_token_failed,
                self.keys,
                self.media,
                on_template_alert=self._zalo_templates_stopped,
            )
            self.channels.append(self.zalo_oa)
        if settings.zalo_bot_token is not None:
            from bot.channels.zalo_bot import ZaloBot

            self.zalo_bot = ZaloBot(settings, self.intake, clock)
            self.channels.append(self.zalo_bot)
        for channel in self.channels:
            self.delivery.add(channel, announce=channel is self.webchat)
        # Wake-ups from this process and (PostgreSQL) every other instance.
        self.db.listen(notify.OUTBOX, self.delivery.heard)
        self.fetcher = self._fetcher()
        if self.webchat is not None:
            self.db.listen(notify.DELIVERED, self.webchat.heard)
        self.leases = Leases(self.db, clock, timedelta(seconds=settings.instance_lease_seconds))
        self._taking_over: asyncio.Task[None] | None = None
        self.scheduler = Scheduler(
            self.db, self.config, clock, build_jobs(settings.digest_at, settings.summary_at)
        )
        self.honour = HonourPages(
            self.db, self.media, self.config.public_base_url, self.config.timezone
        )
        self.static = StaticFiles()
        self.http = build_http(
            self._routes(),
            settings.public_url,
            BodyCaps(upload=settings.max_upload_bytes, webhook=settings.max_webhook_bytes),
            settings.web_body_idle_seconds,
        )
        self._started = False

    def _fetcher(self) -> EvidenceFetcher:
        """Clean copies of pictures sent through the chat platforms (bot/media_fetch.py)."""
        sources: dict[str, Fetch] = {}
        self.cdn: CdnFiles | None = None
        if self.telegram is not None:
            sources[self.telegram.name] = self.telegram.fetch_file
        if self.zalo_oa is not None or self.zalo_bot is not None:
            from bot.channels.zalo_cdn import CdnFiles

            self.cdn = CdnFiles(self.settings.zalo_media_hosts.split(","))
            for channel in (self.zalo_oa, self.zalo_bot):
                if channel is not None:
                    sources[channel.name] = self.cdn.fetch
        return EvidenceFetcher(
            self.db, self.clock, sources, self.media, self.settings.max_upload_bytes
        )

    def _web_chat(self) -> WebChat:
        from bot.channels.webchat import WebChat, WebLimits
        from bot.channels.webchat_files import FilePolicy, WebFiles

        settings = self.settings
        public_origin = origin_of(settings.public_url)

        async def current(request: Request) -> WebSession | None:
            return await self.sessions.current(request, web_sessions.CHAT)

        files = WebFiles(
            self.db,
            self.clock,
            FilePolicy(
                media=self.media,
                max_upload=settings.max_upload_bytes,
                uploads_per_day=settings.uploads_per_day,
                timezone=self.config.timezone,
                link_key=self.keys.links,
                public_origin=public_origin,
            ),
            current,
            self._accept_upload,
        )
        return WebChat(
            self.db,
            self.intake,
            self.clock,
            self.sessions,
            files,
            WebLimits(
                public_origin=public_origin,
                address_key=self.keys.addresses,
                guest_messages_per_hour=settings.web_guest_messages_per_hour,
                sessions_per_hour=settings.web_sessions_per_hour,
            ),
        )

    async def _accept_upload(self, inbound: Inbound, also: AlsoWrite) -> int | None:
        return await self.intake.accept_and_wait(inbound, also=also)

    async def _zalo_token_failed(self, reason: str) -> None:
        """Zalo OA cannot send until someone acts: tell the admins on their other channels."""
        await alert_admins(
            self.db, self.clock, "alert.zalo_oa_token", about_channel="zalo_oa", topic="zalo_oa"
        )

    async def _zalo_templates_stopped(self, why: str, kind: str) -> None:
        """Template sends stopped until someone acts (balance, quota, template): tell the
        admins, on any channel (consultation messages on Zalo OA still go)."""
        await alert_admins(
            self.db,
            self.clock,
            "alert.zalo_template",
            about_channel="zalo_oa:templates",
            topic=f"zalo_template:{why}:{kind}",
            reason=t(f"alert.zalo_template.{why}", kind=kind),
        )

    def _routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [Route("/healthz", self.health, methods=["GET"])]
        routes.extend(self.static.routes())
        routes.extend(self.honour.routes())
        for channel in self.channels:
            routes.extend(channel.routes())
        if self.settings.web_console:
            from bot.console import console_routes

            routes.extend(console_routes(self._console_deps()))
        return routes

    def _console_deps(self) -> ConsoleDeps:
        from bot.console.base import Deps as ConsoleDeps
        from bot.console.render import Renderer

        return ConsoleDeps(
            db=self.db,
            clock=self.clock,
            config=self.config,
            sessions=self.console_sessions,
            render=Renderer(self.config.timezone),
            public_origin=origin_of(self.settings.public_url),
            forms_key=self.keys.forms,
            links_key=self.keys.links,
            media=self.media,
            targets=self._poster_targets,
        )

    def _poster_targets(self) -> PosterTargets:
        """The apps invite posters can open: those configured (Telegram's name once known)."""
        from bot.console.invite_links import Targets as PosterTargets

        settings = self.settings
        telegram = settings.telegram_bot_username or (
            self.telegram.username if self.telegram is not None else None
        )
        return PosterTargets(
            telegram_bot=telegram if self.telegram is not None else None,
            zalo_oa=settings.zalo_oa_link if self.zalo_oa is not None else None,
            zalo_bot=settings.zalo_bot_link if self.zalo_bot is not None else None,
            web=settings.public_url if self.webchat is not None else None,
        )

    async def health(self, request: Request) -> Response:
        """`ok` to anyone; the backlog and channels only to this machine or HEALTH_TOKEN."""
        if not (from_this_machine(request) or self._health_token_ok(request)):
            return PlainTextResponse("ok")
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
            "instance": self.db.instance,
            "leases": sorted(self.leases.held),
            "outbox_pending": pending,
            "channels": [c.name for c in self.channels],
            "metrics": metrics,
            "outside_window": outside,
        }
        if self.telegram is not None:
            body["telegram"] = self.telegram.status()
        return JSONResponse(body)

    def _health_token_ok(self, request: Request) -> bool:
        token = self.settings.health_token
        given = request.headers.get("authorization", "")
        if token is None or not given.startswith("Bearer "):
            return False
        expected = token.get_secret_value().encode()
        return hmac.compare_digest(given.removeprefix("Bearer ").encode(), expected)

    async def start(self) -> None:
        """Check the database, resume unfinished work, start receiving."""
        self._started = True  # from here on, `stop` undoes whatever was started
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        await self.db.check()
        if self.settings.platform_configured and self.settings.web_chat is None:
            log.warning(
                "WEB_CHAT is not set while a chat platform is configured: the web chat is on at"
                " %s (members sign in with invites or sign-in codes). Set WEB_CHAT=on or off"
                " explicitly; the README says what it exposes and how to put it behind the proxy.",
                self.settings.public_url,
            )
        # Alone: no other instance runs, so every role is free and whatever is claimed was
        # claimed by one that crashed; this instance takes it all at once.
        alone = await self.db.register_instance()
        await self._check_secret_key(alone)
        await self.db.start_listening()
        for channel in self.channels:
            await channel.start()
        for name, lane in self.delivery.lanes.items():
            self.leases.add(f"send:{name}", lane.activate, lane.deactivate)
        for poller in (self.telegram, self.zalo_bot):
            if poller is not None and poller.polls:
                self.leases.add(f"poll:{poller.name}", poller.start_polling, poller.stop_polling)
        await self.leases.start(alone=alone)
        self.fetcher.start()
        recovered = await self.runner.recover()
        if recovered:
            log.info("resuming %d inbound events recorded before the restart", recovered)
        await self.scheduler.start()
        if not self.db.is_sqlite:
            self._taking_over = asyncio.create_task(self._take_over(), name="take-over")

    async def _check_secret_key(self, alone: bool) -> None:
        """Instances sharing a database must share SECRET_KEY (signed links made by one are
        opened by another, the Zalo OA pair is sealed with it): refuse to start beside
        running instances with another key; alone, a changed key is the operator's choice."""
        async with self.db.write() as conn:
            stored = await kv.get_value(conn, KEY_CHECK)
            if stored == self.keys.check:
                return
            if stored is not None and not alone:
                raise SecretKeyError(
                    "SECRET_KEY differs from the running instances' key: every instance on"
                    " one database must have the same SECRET_KEY"
                )
            if stored is not None:
                log.warning("SECRET_KEY changed since the last start: earlier file links fail")
            await kv.put_value(conn, KEY_CHECK, self.keys.check, self.clock())

    async def _take_over(self) -> None:
        """Now and then, handle events an instance that died left pending past the lease."""
        term = self.leases.term.total_seconds()
        while True:
            await asyncio.sleep(term / 2)
            try:
                taken = await self.runner.take_over(term)
            except Exception:
                log.exception("looking for events left by other instances failed")
                continue
            if taken:
                log.warning("took over %d events another instance left unhandled", taken)

    async def settle(self) -> None:
        """Wait until every recorded event is handled and every due message sent."""
        while True:
            if self.telegram is not None:
                await self.telegram.settle()  # album parts held back from the runner
            await self.runner.idle()
            await self.fetcher.settle()
            await self.delivery.settle()
            if self.zalo_oa is not None:
                await self.zalo_oa.templates.settle()  # template outcomes written in groups
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
            if self._taking_over is not None:
                self._taking_over.cancel()
            await self.scheduler.stop()
            await self.runner.stop()
            await self.fetcher.stop()
            await self.leases.stop()  # pollers stop, lanes hand back what they did not send
            await self.delivery.stop()
            for channel in self.channels:
                await channel.stop()
            self._started = False
        if self.cdn is not None:
            await self.cdn.close()
        await self.db.close()


class _AfterStep:
    """The runner's hand-off: a step's claimed replies go to their lanes, and the pictures it
    recorded wake the fetcher of clean copies."""

    def __init__(self, app: Application) -> None:
        self._app = app

    def claims(self) -> Collection[str]:
        """The channels this instance sends now."""
        return self._app.delivery.claims()

    def delivers(self) -> Collection[str]:
        """The channels whose readers fetch from the outbox."""
        return self._app.delivery.delivers()

    def take(self, items: Sequence[OutboxItem], *, evidence: bool) -> None:
        """After a step's commit."""
        self._app.delivery.take(items)
        if evidence:
            self._app.fetcher.kick()
