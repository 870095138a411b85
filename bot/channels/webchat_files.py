"""The web chat's files: evidence uploads (checked, re-encoded, within a quota) and the
signed links through which a signed-in account opens the files sent to it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from bot.intake import AlsoWrite
from bot.media import FolderMedia
from bot.web import signed
from bot.web.guard import same_origin
from handlers.accepting import takes_files
from handlers.messages import t
from handlers.types import LOCAL_FILES, Attachment, Inbound, InboundKind
from storage import web_uploads
from storage.conversations import load_turn
from storage.db import Connection, Database
from storage.rows import WebSession

if TYPE_CHECKING:
    from bot.web.evidence import Evidence

Clock = Callable[[], datetime]
CurrentSession = Callable[[Request], Awaitable[WebSession | None]]
_MEDIA_NAME = re.compile(
    r"[A-Za-z0-9_-]{10,40}\.(jpg|png|webp|pdf|mp4|webm|ogg|mp3|wav|m4a|xlsx|json)"
)
_DOWNLOAD = re.compile(r"[^a-z0-9]+")
# Links in a page stay usable this long after the page fetched them.
LINK_LIFETIME = timedelta(hours=1)
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    # A member's own data download (/dulieu).
    "json": "application/json",
}
# Shown in the page; everything else is downloaded as an attachment.
INLINE = frozenset({"jpg", "png", "webp", "mp4", "webm", "ogg", "mp3", "wav", "m4a"})
# A file's own policy: nothing it holds may run, be framed or load anything.
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
# Simple content types a cross-site form could post without asking: never an upload.
FORM_TYPES = frozenset({"text/plain", "multipart/form-data", "application/x-www-form-urlencoded"})


@dataclass(frozen=True)
class FilePolicy:
    """Where files live and how many a person may upload."""

    media: FolderMedia
    max_upload: int
    uploads_per_day: int
    timezone: ZoneInfo
    link_key: bytes
    public_origin: str


class WebFiles:
    """Uploads from signed-in members at a step that takes files; signed file links."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: FilePolicy,
        current: CurrentSession,
        accept: Callable[[Inbound, AlsoWrite], Awaitable[int | None]],
    ) -> None:
        self._db = db
        self._clock = clock
        self._policy = policy
        self._current = current
        self._accept = accept
        self.max_upload = policy.max_upload

    # ------------------------------------------------------------------------- links
    def links(self, chat_id: str, media: Sequence[Attachment]) -> list[dict[str, Any]]:
        """The page's view of a message's files: signed links for this account only."""
        expires = int((self._clock() + LINK_LIFETIME).timestamp())
        shown = []
        for item in media:
            if item.channel not in ("web", LOCAL_FILES) or not _MEDIA_NAME.fullmatch(item.file_ref):
                continue
            download = download_name(item)
            url = signed.media_link(
                self._policy.link_key, item.file_ref, download, chat_id, expires
            )
            shown.append({"kind": item.kind, "url": url, "name": download})
        return shown

    async def get_media(self, request: Request) -> Response:
        """A stored file, to the signed-in account its link was made for, before it expires."""
        session = await self._current(request)
        name = str(request.path_params["name"])
        match = _MEDIA_NAME.fullmatch(name)
        if session is None or session.chat_id is None or match is None:
            return Response(status_code=404)
        query = request.query_params
        now = int(self._clock().timestamp())
        key = self._policy.link_key
        given = signed.LinkQuery(query.get("n", ""), query.get("e", ""), query.get("s", ""))
        if not signed.verify(key, name, session.chat_id, given, now):
            return Response(status_code=404)
        path = self._policy.media.file(name)
        if path is None:
            return Response(status_code=404)
        return file_response(path, match.group(1), given.download)

    # ----------------------------------------------------------------------- uploads
    async def post_upload(self, request: Request) -> Response:
        """One evidence file: only from a joined member whose conversation asks for files."""
        if not same_origin(request, self._policy.public_origin):
            return JSONResponse({"error": "cross-origin request refused"}, status_code=403)
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if not kind or kind in FORM_TYPES:
            return JSONResponse({"error": "send the file as its own body"}, status_code=415)
        session = await self._current(request)
        if session is None or session.chat_id is None or session.identity_id is None:
            return JSONResponse({"error": "not signed in"}, status_code=401)
        refusal = await self._refusal(session)
        if refusal is not None:
            return refusal
        # The guard has capped the body already (413 before reading past the cap).
        data = await request.body()
        accepted = await asyncio.to_thread(_accept, data)
        if accepted is None:
            return JSONResponse({"error": "type", "text": t("web.upload_refused")}, 415)
        name = await self._policy.media.put(accepted.data, accepted.ext)
        now = self._clock()
        identity_id = session.identity_id

        async def note_upload(conn: Connection) -> None:
            # In the transaction that records the message: the quota and erasure see it.
            await web_uploads.record_upload(
                conn, identity_id, name, accepted.kind, len(accepted.data), now
            )

        upload_id = (request.query_params.get("id") or "")[:64] or name
        inbound = Inbound(
            kind=InboundKind.MEDIA,
            channel="web",
            external_id=f"{session.chat_id}:{upload_id}",
            sender_id=session.chat_id,
            chat_id=session.chat_id,
            received_at=now,
            attachments=[
                Attachment(
                    kind=accepted.kind,
                    file_ref=name,
                    channel="web",
                    mime=accepted.mime,
                    size=len(accepted.data),
                )
            ],
        )
        item_id = await self._accept(inbound, note_upload)
        return JSONResponse({"ok": True, "duplicate": item_id is None})

    async def _refusal(self, session: WebSession) -> Response | None:
        """Why this account may not upload now, if it may not."""
        assert session.identity_id is not None
        if session.person_id is None:
            return JSONResponse({"error": "not joined", "text": t("web.upload_not_now")}, 403)
        now = self._clock()
        local = now.astimezone(self._policy.timezone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._db.read() as conn:
            state = (await load_turn(conn, session.identity_id)).state
            today = await web_uploads.count_since(conn, session.person_id, midnight)
        if not takes_files(state):
            return JSONResponse({"error": "not now", "text": t("web.upload_not_now")}, 403)
        if today >= self._policy.uploads_per_day:
            text = t("web.upload_quota", count=self._policy.uploads_per_day)
            return JSONResponse({"error": "quota", "text": text}, 429)
        return None


def file_response(path: Path, ext: str, download: str) -> Response:
    """A stored file as a signed link serves it: its exact type, shown or downloaded under
    the server's name, never cached, and sandboxed (nothing in it may run or load)."""
    response = FileResponse(
        path,
        media_type=MEDIA_TYPES[ext],
        content_disposition_type="inline" if ext in INLINE else "attachment",
        filename=download,
    )
    response.headers["cache-control"] = "private, no-store"
    response.headers["content-security-policy"] = FILE_CSP
    return response


def download_name(item: Attachment) -> str:
    """The name a file is offered under: the server's own, in plain letters."""
    ext = item.file_ref.rsplit(".", 1)[-1]
    stem = (item.file_name or "").rsplit(".", 1)[0] if item.channel == LOCAL_FILES else ""
    clean = _DOWNLOAD.sub("-", stem.lower()).strip("-")[:60]
    return f"{clean or 'guong-sang'}.{ext}"


def _accept(data: bytes) -> Evidence | None:
    """An upload's stored form (bot/web/evidence.py). Pillow is imported by the first upload,
    in the worker thread: a process that only answers messages never loads it."""
    from bot.web.evidence import accept

    return accept(data)
