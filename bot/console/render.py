"""Pages from Jinja2 templates: every text from the message catalog, every value escaped.

Templates write `{{ t("console.queue.title") }}` for a catalog text (tests check that every
key exists and is used) and never hold inline script or style: the CSP forbids both, so the
look lives in /static/console.css and the few behaviours in /static/console.js.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.responses import HTMLResponse

from handlers.messages import t

if TYPE_CHECKING:
    from jinja2 import Environment

FOLDER = Path(__file__).with_name("templates")
# Never cached (personal data). The referrer goes to our own pages only: with no referrer at
# all, browsers send `Origin: null` on a form's post, which the same-origin check refuses.
PAGE_HEADERS = {"cache-control": "private, no-store", "referrer-policy": "same-origin"}


def number(value: float | int) -> str:
    """1234 -> "1.234"; 2.5 -> "2,5" (the Vietnamese way)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def query(params: Mapping[str, str], **changes: object) -> str:
    """`?a=1&b=2` from the current parameters with some changed (None or "" removes one)."""
    merged: dict[str, str] = {k: v for k, v in params.items() if v}
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return "?" + urlencode(merged) if merged else "?"


class Renderer:
    """The template environment and the response every page goes out in."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self.timezone = timezone
        self._env: Environment | None = None

    @property
    def env(self) -> Environment:
        """The template environment, made on the first page: a bot that only answers
        messages never loads Jinja (11 MB; test_process_imports)."""
        if self._env is None:
            self._env = self._environment()
        return self._env

    def _environment(self) -> Environment:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

        env = Environment(
            loader=FileSystemLoader(FOLDER),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        env.globals.update(t=t, query=query)
        env.filters.update(
            local=self.local, day=self.day, num=number, status=_status, field=_field, kind=_kind
        )
        return env

    def local(self, moment: datetime | None) -> str:
        """HH:MM dd/mm/yyyy in the deployment's time zone."""
        if moment is None:
            return ""
        return moment.astimezone(self.timezone).strftime("%H:%M %d/%m/%Y")

    def day(self, moment: datetime | date | None) -> str:
        """dd/mm/yyyy (a datetime in the deployment's time zone)."""
        if moment is None:
            return ""
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.timezone).date()
        return moment.strftime("%d/%m/%Y")

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        """A template rendered to text."""
        return self.env.get_template(template).render(**context)

    def response(
        self, template: str, context: Mapping[str, Any], status: int = 200
    ) -> HTMLResponse:
        """A page; never cached (it holds personal data)."""
        return HTMLResponse(
            self.html(template, context),
            status_code=status,
            headers=PAGE_HEADERS,
        )


def _status(value: str) -> str:
    return t(f"status.{value}")


def _field(value: str) -> str:
    return t(f"nominate.field.{value}")


def _kind(value: str) -> str:
    return t(f"nominate.kind.{value}")
