"""/thongke's charts are drawn for a phone: several tall images (by status, by field, by
unit) 1080 px wide whose every line of text is at least 28 px high. (That answering a message
never loads Pillow or openpyxl is tests/test_process_imports.py's.)"""

from __future__ import annotations

import io

from PIL import Image

from bot.app import Application
from bot.charts import render_chart
from tests.support.clock import FakeClock
from tests.support.officials import nominate_in_call, open_call
from tests.support.people import Invite, MakeChat, person

# What a 360 px screen shows of a 1080 px image, as text 28 px high there reads as 9 px.
WIDTH = 1080
MIN_TEXT_PX = 28


def _grey_ink(pixel: float | tuple[int, ...]) -> bool:
    assert isinstance(pixel, tuple)
    return max(pixel) < 140 and max(pixel) - min(pixel) < 24


def text_lines(png: bytes) -> list[int]:
    """Heights of the bands of text (dark grey pixels: the bars and the title are red) in
    the chart, top to bottom."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    dark = [any(_grey_ink(pixels[x, y]) for x in range(0, width, 2)) for y in range(height)]
    # A dot below a letter (ộ, ự) sits a few rows under its line: gaps that small join.
    bands: list[tuple[int, int]] = []
    for y, inked in enumerate(dark):
        if not inked:
            continue
        if bands and y - bands[-1][1] <= 6:
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return [end - start + 1 for start, end in bands]


def test_every_line_of_a_chart_is_large_enough_for_a_phone() -> None:
    bars = [
        ("Hội Liên hiệp Phụ nữ xã An Bình", 12),
        ("Đoàn Thanh niên Cộng sản Hồ Chí Minh phường Hoà Lạc và các chi đoàn trực thuộc", 3),
        ("Hội Cựu chiến binh", 1),
    ]
    png = render_chart("Đề cử theo đơn vị", "Xã An Bình, 30 ngày qua · tổng 16 đề cử", bars)
    image = Image.open(io.BytesIO(png))
    assert image.width == WIDTH and image.height > image.width * 0.6
    bands = text_lines(png)
    # The title, the subtitle, each label (the long one on two lines) and each value.
    assert len(bands) >= 2 + 4
    assert min(bands) >= MIN_TEXT_PX, bands


async def test_stats_send_three_phone_charts(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await open_call(official, app, clock, count=2)
    await hoa.expect("📣")
    await nominate_in_call(hoa, "Nguyễn Thị Mai")
    await official.send("/thongke")
    stats = await official.expect("Tổng số đề cử: 1", "Bạn muốn làm gì tiếp?")
    media = stats[0].media
    assert [m["kind"] for m in media] == ["photo"] * 3
    for m in media:
        png = (await official.http.get(m["url"])).content
        assert Image.open(io.BytesIO(png)).width == WIDTH
        assert min(text_lines(png)) >= MIN_TEXT_PX
