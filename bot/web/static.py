"""The page's script and style sheets, served as files (the CSP allows no inline script)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

FOLDER = Path(__file__).with_name("static")
TYPES = {
    "webchat.js": "text/javascript; charset=utf-8",
    "webchat.css": "text/css; charset=utf-8",
    "honour.css": "text/css; charset=utf-8",
    "honour.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


class StaticFiles:
    """A fixed list of files read once; anything else is 404."""

    def __init__(self) -> None:
        self._files = {name: (FOLDER / name).read_bytes() for name in TYPES}

    def routes(self) -> list[BaseRoute]:
        """GET /static/<name>."""
        return [Route("/static/{name}", self.get, methods=["GET"])]

    async def get(self, request: Request) -> Response:
        """One static file with its exact type."""
        name = str(request.path_params["name"])
        content = self._files.get(name)
        if content is None:
            return Response(status_code=404)
        headers = {"cache-control": "public, max-age=3600"}
        return Response(content, media_type=TYPES[name], headers=headers)
