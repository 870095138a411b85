"""Evidence files received by the bot itself: type by magic bytes, generated names."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.files import write_private
from handlers.types import AttachmentKind


@dataclass(frozen=True)
class Sniffed:
    """What a file's first bytes say it is."""

    kind: AttachmentKind
    mime: str
    ext: str


def sniff(head: bytes) -> Sniffed | None:
    """Recognise the allowed file types by content, never by name or Content-Type."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("photo", "image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("photo", "image/png", "png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("photo", "image/webp", "webp")
    if head.startswith(b"%PDF-"):
        return Sniffed("document", "application/pdf", "pdf")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A"):
            return Sniffed("voice", "audio/mp4", "m4a")
        return Sniffed("video", "video/mp4", "mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("video", "video/webm", "webm")
    if head.startswith(b"OggS"):
        return Sniffed("voice", "audio/ogg", "ogg")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return Sniffed("voice", "audio/mpeg", "mp3")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("voice", "audio/wav", "wav")
    if head.startswith(b"PK\x03\x04"):
        return Sniffed("document", "application/zip", "zip")
    return None


class FolderMedia:
    """The Media port on a folder (MEDIA_DIR): 0600 files with random names in a 0700 folder.

    Several instances share one folder (NFS or similar, mounted at the same MEDIA_DIR): a
    file is written under a fresh name and never changed, so they never write the same one.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def file(self, name: str) -> Path | None:
        """The file on disk for streaming it (HTTP), if there is one by that plain name."""
        if Path(name).name != name or name.startswith("."):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    async def put(self, data: bytes, ext: str, prefix: str = "") -> str:
        """Write a new file under a random name outside any code path; its name."""
        name = f"{prefix}{secrets.token_urlsafe(16)}.{ext}"
        await asyncio.to_thread(write_private, self.folder / name, data)
        return name

    async def read(self, name: str) -> bytes | None:
        """The file's bytes, or None."""
        path = self.file(name)
        if path is None:
            return None
        try:
            return await asyncio.to_thread(path.read_bytes)
        except OSError:
            return None

    async def exists(self, name: str) -> bool:
        """Whether the file is there."""
        return self.file(name) is not None

    async def delete(self, name: str) -> None:
        """Remove the file, if it is there."""
        path = self.file(name)
        if path is not None:
            path.unlink(missing_ok=True)

    async def names(self, suffix: str) -> list[str]:
        """Names of the files ending in `suffix`."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.glob(f"*{suffix}") if p.is_file())
