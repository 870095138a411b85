"""Evidence files received by the bot itself: type by magic bytes, generated names."""

from __future__ import annotations

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


def store(media_dir: Path, data: bytes, ext: str) -> str:
    """Write the file (0600) under a random name outside any code path; return the name."""
    name = f"{secrets.token_urlsafe(16)}.{ext}"
    write_private(media_dir / name, data)
    return name
