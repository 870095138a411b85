"""Bar charts drawn for a phone (Pillow): read in a chat bubble on a 360 px screen.

The image is 1080 px wide, so a chat app shows it at about a third of its size: labels are
40 px (13 px on the screen), values 44 px, the title 56 px. Each label has its own line above
its bar, so long unit names are not cut to a few letters; at most MAX_BARS bars (the core
adds up the rest into one "others" bar), which keeps the image under about 1,500 px tall: one
screen, and little shrinking by chat apps that cap photos at 1,280 px on a side.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH = 1080
MARGIN = 60
TITLE_PX = 56
SUBTITLE_PX = 36
LABEL_PX = 40
VALUE_PX = 44
BAR_PX = 46
ROW_GAP_PX = 34
MAX_BARS = 10
# Lines a title or a label may take before it is cut with "…".
TITLE_LINES = 2
LABEL_LINES = 2

BRAND = (179, 38, 30)
INK = (33, 33, 33)
MUTED = (85, 85, 85)
TRACK = (242, 236, 232)
FONT_FILES = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def font(size: int, *, bold: bool = False) -> Font:
    """A font with Vietnamese glyphs where the system has one (DejaVu), else Pillow's own."""
    for candidate in FONT_FILES[bold]:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int, lines: int) -> list[str]:
    """The text in lines that fit `width` pixels, at most `lines`, the last cut with "…".

    Lines break only at plain spaces and line ends: a no-break space (inside a phone number)
    or a hyphen (inside a code) never starts a new line."""
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in (w for w in paragraph.split(" ") if w):
            candidate = f"{current} {word}" if current else word
            if draw.textlength(candidate, font=face) <= width or not current:
                current = candidate
                continue
            out.append(current)
            current = word
        out.append(current)
    while out and not out[-1]:
        out.pop()
    if len(out) > lines:
        out = out[:lines]
        out[-1] += "…"
    for n, line in enumerate(out):  # one word longer than the width
        while draw.textlength(line, font=face) > width and len(line) > 1:
            line = line[:-2] + "…"
        out[n] = line
    return out


def _line_height(size: int) -> int:
    return int(size * 1.3)


def render_chart(title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> bytes:
    """A horizontal bar chart as PNG bytes: the first MAX_BARS bars, largest scale first."""
    shown = list(bars)[:MAX_BARS]
    faces = {
        "title": font(TITLE_PX, bold=True),
        "subtitle": font(SUBTITLE_PX),
        "label": font(LABEL_PX),
        "value": font(VALUE_PX, bold=True),
    }
    inner = WIDTH - 2 * MARGIN
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    title_lines = wrap(measure, title, faces["title"], inner, TITLE_LINES)
    subtitle_lines = wrap(measure, subtitle, faces["subtitle"], inner, TITLE_LINES)
    labels = [wrap(measure, label, faces["label"], inner, LABEL_LINES) for label, _ in shown]
    height = MARGIN + len(title_lines) * _line_height(TITLE_PX)
    height += len(subtitle_lines) * _line_height(SUBTITLE_PX) + ROW_GAP_PX
    for lines in labels:
        height += len(lines) * _line_height(LABEL_PX) + BAR_PX + ROW_GAP_PX
    height += MARGIN
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 12), fill=BRAND)
    y = MARGIN
    for line in title_lines:
        draw.text((MARGIN, y), line, font=faces["title"], fill=BRAND)
        y += _line_height(TITLE_PX)
    for line in subtitle_lines:
        draw.text((MARGIN, y), line, font=faces["subtitle"], fill=MUTED)
        y += _line_height(SUBTITLE_PX)
    y += ROW_GAP_PX
    top = max((value for _, value in shown), default=0) or 1
    widest = max((draw.textlength(str(v), font=faces["value"]) for _, v in shown), default=0)
    span = inner - int(widest) - 20
    for lines, (_, value) in zip(labels, shown, strict=True):
        for line in lines:
            draw.text((MARGIN, y), line, font=faces["label"], fill=INK)
            y += _line_height(LABEL_PX)
        draw.rectangle((MARGIN, y, MARGIN + span, y + BAR_PX), fill=TRACK)
        end = MARGIN + max(int(span * value / top), 6)
        draw.rectangle((MARGIN, y, end, y + BAR_PX), fill=BRAND)
        draw.text(
            (end + 14, y + BAR_PX // 2), str(value), font=faces["value"], fill=INK, anchor="lm"
        )
        y += BAR_PX + ROW_GAP_PX
    buffer = io.BytesIO()
    # Flat colours and text: a 64-colour palette keeps the file small and the text sharp.
    image.quantize(colors=64).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
