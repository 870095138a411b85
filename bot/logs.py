"""Logging setup: our own records only carry ids; chatty libraries are kept out."""

from __future__ import annotations

import logging

# HTTP clients log request URLs (httpx at INFO), and Telegram's URLs contain the bot token.
QUIET = ("aiohttp", "httpx", "telegram", "apscheduler")


def configure_logging(level: str) -> None:
    """Root handler at `level`; libraries that would log personal data or tokens at WARNING."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
