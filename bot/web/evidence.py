"""What the web chat stores as evidence: re-encoded images, PDF, audio and video; nothing else.

Images are decoded and written anew as JPEG (orientation applied, EXIF/XMP/GPS dropped,
sides capped), which also destroys anything hidden in them (a JPEG that is also an HTML
page). Sizes are read from the header before any pixel is decoded, so a small file that
claims 12000×12000 pixels is refused without taking the memory it asks for.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from bot.media import Sniffed, sniff
from handlers.types import AttachmentKind

# 40 megapixels: any phone photo; refused above, before decoding. Pillow's own limit is set
# to it as well, so that no other code path decodes a bomb (it raises at twice the limit).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MAX_SIDE = 2560
JPEG_QUALITY = 85
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# The end of a ZIP's central directory: a file that also is a ZIP is refused.
ZIP_END = b"PK\x05\x06"
ZIP_TAIL = 65_557  # the end record lies within the last 64 KiB + 22 bytes


@dataclass(frozen=True)
class Evidence:
    """A file fit to store: its content (re-encoded for images) and what it is."""

    kind: AttachmentKind
    mime: str
    ext: str
    data: bytes


def accept(data: bytes) -> Evidence | None:
    """The stored form of an uploaded file, or None when it is not allowed evidence."""
    sniffed = sniff(data[:16])
    if sniffed is None or sniffed.ext == "zip":
        return None
    if sniffed.kind == "photo":
        image = reencode_image(data)
        return Evidence("photo", "image/jpeg", "jpg", image) if image is not None else None
    if ZIP_END in data[-ZIP_TAIL:]:
        return None
    if sniffed.ext == "pdf" and b"%%EOF" not in data[-2048:]:
        return None
    return _as_is(sniffed, data)


def _as_is(sniffed: Sniffed, data: bytes) -> Evidence:
    return Evidence(sniffed.kind, sniffed.mime, sniffed.ext, data)


def image_size(data: bytes) -> tuple[int, int] | None:
    """An image's width and height from its header, without decoding it."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse there too. (Should
            # another thread reset the filters meanwhile, the size check below refuses.)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS:
                    return None
                return image.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    except Image.DecompressionBombWarning:
        return None


def reencode_image(data: bytes) -> bytes | None:
    """The picture written anew as JPEG without metadata; None for bombs and non-images."""
    size = image_size(data)
    if size is None or size[0] * size[1] > MAX_PIXELS:
        return None
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode already scaled down
            upright = ImageOps.exif_transpose(source)
            picture = _flatten(upright)
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
