"""The public honour pages (/vinh-danh): plain HTML that loads fast on a phone, one page per
exemplar, with Open Graph tags so a link shared on Zalo or Facebook shows its card.

Public by design, and only while published: a story taken down answers 410 Gone (page,
photo, card), a slug that never existed 404. Pictures are files the publish flow made for
the public (bot/cards.py), never the member's evidence itself.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot import honour_html
from bot.media import FolderMedia, sniff
from storage import publications
from storage.db import Database

_SLUG = re.compile(r"[a-z0-9-]{1,160}")
INDEX_SIZE = 100
PUBLIC_CACHE = {"cache-control": "public, max-age=60"}
# The pictures of a story, by the last part of their address: the page's photo, the list's
# thumbnail, the share card (which other sites may show: Zalo's and Facebook's previews).
PICTURES = {"anh.jpg": "picture", "anh-nho.jpg": "thumb", "the.jpg": "card"}


def _html(document: str, status: int = 200) -> HTMLResponse:
    # Public by design; short-lived in caches so a withdrawal is seen within a minute.
    return HTMLResponse(document, status_code=status, headers=PUBLIC_CACHE)


class HonourPages:
    """Serves the published exemplars."""

    def __init__(self, db: Database, media: FolderMedia, base_url: str, zone: ZoneInfo) -> None:
        self._db = db
        self._media = media
        self._base = base_url.rstrip("/")
        self._zone = zone

    def routes(self) -> list[BaseRoute]:
        """The list, the pages, their pictures and their share cards."""
        return [
            Route("/vinh-danh", self.index, methods=["GET"]),
            Route("/vinh-danh/{slug}/{picture}", self.picture, methods=["GET"]),
            Route("/vinh-danh/{slug}", self.page, methods=["GET"]),
        ]

    def _day(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).strftime("%d/%m/%Y")

    async def index(self, request: Request) -> Response:
        """Every published exemplar, newest first, as a grid of cards."""
        async with self._db.read() as conn:
            items = await publications.all_published(conn, INDEX_SIZE)
        return _html(honour_html.index([(p, self._day(p.published_at)) for p in items]))

    async def page(self, request: Request) -> Response:
        """One exemplar's page."""
        found = await self._find(str(request.path_params["slug"]))
        if found is None or found.status != "published":
            return _html(honour_html.missing(found is not None), 410 if found else 404)
        url = f"{self._base}/vinh-danh/{found.slug}"
        return _html(honour_html.page(found, url, self._day(found.published_at)))

    async def picture(self, request: Request) -> Response:
        """A published story's photo, thumbnail or share card."""
        column = PICTURES.get(str(request.path_params["picture"]))
        found = await self._find(str(request.path_params["slug"])) if column else None
        if found is None:
            return Response(status_code=404)
        if found.status != "published":
            return Response(status_code=410)
        headers = dict(PUBLIC_CACHE)
        if column == "card":
            headers["cross-origin-resource-policy"] = "cross-origin"
        return self._file(getattr(found, str(column)), headers)

    def _file(self, name: str | None, headers: dict[str, str]) -> Response:
        path = self._media.file(name) if name else None
        if path is None:
            return Response(status_code=404)
        # Cards published before they were JPEG are PNG: the bytes say which.
        with path.open("rb") as head:
            sniffed = sniff(head.read(16))
        kind = sniffed.mime if sniffed is not None else "application/octet-stream"
        return FileResponse(path, media_type=kind, headers=headers)

    async def _find(self, slug: str) -> publications.Publication | None:
        if not _SLUG.fullmatch(slug):
            return None
        async with self._db.read() as conn:
            return await publications.by_slug(conn, slug)
