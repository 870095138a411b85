"""The public honour pages (/vinh-danh): plain HTML that loads fast on a phone, one page per
exemplar, with Open Graph tags so a link shared on Zalo or Facebook shows its card."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot.media import FolderMedia
from handlers.messages import t
from storage import publications
from storage.db import Database

_SLUG = re.compile(r"[a-z0-9-]{1,160}")
INDEX_SIZE = 100
PUBLIC_CACHE = {"cache-control": "public, max-age=60"}


def _page(title: str, body: str, meta: str = "", status: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>{meta}"
        '<link rel="stylesheet" href="/static/honour.css"></head>'
        f"<body><main>{body}<footer>{html.escape(t('honour.footer'))}</footer></main></body></html>"
    )
    # Public by design; short-lived in caches so a withdrawal is seen within a minute.
    return HTMLResponse(document, status_code=status, headers=PUBLIC_CACHE)


class HonourPages:
    """Serves the published exemplars; withdrawn ones answer 410 Gone."""

    def __init__(self, db: Database, media: FolderMedia, base_url: str) -> None:
        self._db = db
        self._media = media
        self._base = base_url.rstrip("/")

    def routes(self) -> list[BaseRoute]:
        """The index, the pages and their cards."""
        return [
            Route("/vinh-danh", self.index, methods=["GET"]),
            Route("/vinh-danh/{slug}.png", self.card, methods=["GET"]),
            Route("/vinh-danh/{slug}", self.page, methods=["GET"]),
        ]

    async def index(self, request: Request) -> Response:
        """Every published exemplar, newest first."""
        async with self._db.read() as conn:
            items = await publications.all_published(conn, INDEX_SIZE)
        links = "".join(
            f'<li><a href="/vinh-danh/{p.slug}">{html.escape(p.title)}</a>'
            f' <span class="sub">— {html.escape(p.subtitle)}</span></li>'
            for p in items
        )
        body = f"<h1>{html.escape(t('honour.index_title'))}</h1>"
        body += f"<ul>{links}</ul>" if items else f"<p>{html.escape(t('honour.index_empty'))}</p>"
        return _page(t("honour.index_title"), body)

    async def page(self, request: Request) -> Response:
        """One exemplar's page."""
        slug = str(request.path_params["slug"])
        found = await self._published(slug)
        if found is None:
            return _page(
                t("honour.gone_title"), f"<p>{html.escape(t('honour.gone'))}</p>", status=410
            )
        url = f"{self._base}/vinh-danh/{found.slug}"
        image = f"{url}.png" if found.card else ""
        description = found.story[:200]
        meta = (
            f'<meta property="og:title" content="{html.escape(found.title)}">'
            f'<meta property="og:description" content="{html.escape(description)}">'
            f'<meta property="og:url" content="{html.escape(url)}">'
            '<meta property="og:type" content="article">'
            + (f'<meta property="og:image" content="{html.escape(image)}">' if image else "")
        )
        picture = f'<img src="/vinh-danh/{found.slug}.png" alt="">' if found.card else ""
        body = (
            f"{picture}<h1>{html.escape(found.title)}</h1>"
            f'<p class="sub">{html.escape(found.subtitle)}</p>'
            f'<p class="story">{html.escape(found.story)}</p>'
        )
        return _page(found.title, body, meta)

    async def card(self, request: Request) -> Response:
        """The share card image of a published exemplar."""
        found = await self._published(str(request.path_params["slug"]))
        if found is None or not found.card:
            return Response(status_code=410)
        path = self._media.file(found.card)
        if path is None:
            return Response(status_code=404)
        # Shared on Zalo and Facebook: other sites may show it, only while it is published.
        headers = {**PUBLIC_CACHE, "cross-origin-resource-policy": "cross-origin"}
        return FileResponse(path, media_type="image/png", headers=headers)

    async def _published(self, slug: str) -> publications.Publication | None:
        if not _SLUG.fullmatch(slug):
            return None
        async with self._db.read() as conn:
            found = await publications.by_slug(conn, slug)
        return found if found is not None and found.status == "published" else None
