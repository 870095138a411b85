"""Command line: python -m bot run | migrate | units import | criteria import | invite create |
backup | purge."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import uvicorn

from bot import cli_ops
from bot.app import Application, utc_now
from bot.logs import configure_logging
from bot.settings import Settings
from bot.web.server import server_config, settle
from storage.db import Database
from storage.migrate import upgrade_sync

T = TypeVar("T")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Gương Sáng bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the channels, the HTTP server and the scheduler")
    run.add_argument(
        "--demo",
        action="store_true",
        help="seed the demo province into an empty database and print its invites once",
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    units = sub.add_parser("units", help="the unit tree")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    units_import = units_sub.add_parser("import", help="upsert units from a CSV file")
    units_import.add_argument("file", type=Path)
    crit = sub.add_parser("criteria", help="criteria sets per unit and field")
    crit_sub = crit.add_subparsers(dest="criteria_command", required=True)
    crit_import = crit_sub.add_parser(
        "import",
        help="replace the sets named in a CSV (unit_code,field,criterion,weight,max_score)",
    )
    crit_import.add_argument("file", type=Path)
    invite = sub.add_parser("invite", help="invites")
    invite_sub = invite.add_subparsers(dest="invite_command", required=True)
    create = invite_sub.add_parser("create", help="make an invite code")
    create.add_argument("--unit", required=True)
    create.add_argument("--role", required=True, choices=cli_ops.ROLES)
    create.add_argument("--uses", type=int, default=1)
    create.add_argument("--days", type=int, default=7)
    create.add_argument("--json", action="store_true")
    backup = sub.add_parser("backup", help="online backup of the database")
    backup.add_argument("file", type=Path)
    purge = sub.add_parser("purge", help="apply the retention periods now (README)")
    purge.add_argument("--dry-run", action="store_true", help="only show what would go")
    purge.add_argument(
        "--vacuum",
        action="store_true",
        help="then rewrite the SQLite file, so no free page of an older version keeps old data",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and run one command; the exit code says whether it worked."""
    args = _parser().parse_args(argv)
    # Whatever this process creates (database, media, keys) is readable by its user only;
    # the modules that write data files also set 0600/0700 themselves.
    os.umask(0o077)
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        if args.command in ("run", "migrate", "units", "criteria", "invite", "purge"):
            upgrade_sync(settings.database_url)
        if args.command == "run":
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the bot has stopped by then
                asyncio.run(_run(settings, demo=args.demo))
        elif args.command == "units":
            result = asyncio.run(_with_db(settings, lambda db: cli_ops.import_units(db, args.file)))
            print(f"units: {result['created']} created, {result['updated']} updated")
        elif args.command == "criteria":
            result = asyncio.run(
                _with_db(settings, lambda db: cli_ops.import_criteria(db, args.file))
            )
            print(f"criteria: {result['criteria']} criteria in {result['sets']} sets")
        elif args.command == "invite":
            return _invite(settings, args)
        elif args.command == "purge":
            counts = asyncio.run(
                _with_db(
                    settings,
                    lambda db: cli_ops.purge(
                        db, settings, utc_now(), dry_run=args.dry_run, vacuum=args.vacuum
                    ),
                )
            )
            print(cli_ops.purge_report(counts, dry_run=args.dry_run))
        elif args.command == "backup":
            asyncio.run(_with_db(settings, lambda db: db.backup(args.file)))
            print(f"backup written to {args.file}")
    except (ValueError, FileExistsError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _invite(settings: Settings, args: argparse.Namespace) -> int:
    """`invite create`: a code, and its t.me link when the bot's Telegram name is known."""
    # Telegram's library is loaded by the commands that talk to Telegram, and only by them.
    from bot.channels.telegram import TelegramUnreachable, bot_username

    try:
        username = asyncio.run(bot_username(settings))
    except TelegramUnreachable as error:
        print(f"error: Telegram did not answer getMe ({error}).", file=sys.stderr)
        print("Set TELEGRAM_BOT_USERNAME to make invites without asking Telegram.", file=sys.stderr)
        return 2
    created = asyncio.run(
        _with_db(
            settings,
            lambda db: cli_ops.create_invite(
                db,
                settings,
                args.unit,
                args.role,
                args.uses,
                args.days,
                utc_now(),
                telegram_username=username,
            ),
        )
    )
    if args.json:
        print(json.dumps(created.model_dump(mode="json"), ensure_ascii=False))
    else:
        print(
            f"invite code: {created.code} ({created.role} in {created.unit}, "
            f"{created.uses} uses, until {created.expires_at:%Y-%m-%d %H:%M} UTC)"
        )
        if created.telegram_link:
            print(f"Telegram: {created.telegram_link}")
    return 0


async def _with_db(settings: Settings, action: Callable[[Database], Awaitable[T]]) -> T:
    db = Database(settings.database_url)
    try:
        return await action(db)
    finally:
        await db.close()


async def _run(settings: Settings, *, demo: bool) -> None:
    app = Application(settings)
    if demo:
        invites = await cli_ops.seed_demo(app.db, settings, utc_now())
        _print_demo(invites)
    await app.start()
    config = server_config(
        app.http,
        host=settings.web_host,
        port=settings.web_port,
        max_connections=settings.web_max_connections,
        log_level="warning",
        # Open web-chat long polls must not hold Ctrl-C for their full 25 s.
        timeout_graceful_shutdown=3,
    )
    where = f"http://{settings.web_host}:{settings.web_port}/"
    ready = f"Gương Sáng is running: {where}" + (" (web chat on)" if app.webchat else "")
    try:
        await _Server(config, app, ready).serve()
    finally:
        await app.stop()  # when serving never began (a second stop changes nothing)


class _Server(uvicorn.Server):
    """uvicorn's server that says when it serves, and stops the bot within its own shutdown.

    The ready line comes once the socket listens and the stop signals are uvicorn's: a client
    that read it is served, and a stop asked for from then on is a clean one. Once `serve()`
    returns, uvicorn raises the stop signal again: SIGTERM would end the process before a bot
    stopped after it (sends cut, SQLite's WAL left behind), and SIGINT would cancel that stop
    half-way. So the bot stops inside the shutdown.
    """

    def __init__(self, config: uvicorn.Config, app: Application, ready: str) -> None:
        super().__init__(config)
        self._app = app
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's startup, then the ready line (unless starting failed)."""
        await super().startup(sockets)
        if not self.should_exit:
            settle()
            print(self._ready, flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """HTTP first (no new webhooks or web chat messages), then the bot."""
        try:
            await super().shutdown(sockets)
        finally:
            await self._app.stop()
        print("Gương Sáng has stopped.", flush=True)


def _print_demo(invites: list[cli_ops.CreatedInvite]) -> None:
    if not invites:
        print(
            "The demo province is there already; its first codes were printed when it was made."
            "\nNew code: python -m bot invite create --unit X-AN-BINH-HPN --role member --days 1"
        )
        return
    print("Demo invite codes, valid one day, shown only now (type one in the web chat):")
    for invite in invites:
        print(f"  {invite.code}  {invite.role:<9} {invite.unit}  ({invite.uses} uses)")


if __name__ == "__main__":
    sys.exit(main())
