"""Benchmark: the weight of an honour page and of the list, as a phone downloads them.

    python -m bench.honour_page [--photos 5] [--cards 12]

Publishes stories with phone-sized photos (2560×1920, stored the way the web chat stores
evidence) through the real renderers and storage, then fetches the page, its stylesheet, its
script and its photo, and the list with its thumbnails, through the real HTTP app. Prints the
bytes of each part, medians over the photos, and, as the baseline, the page as it was: the
share card (1080×1080, then a PNG, a JPEG now) as its picture. The photos are synthetic
(gradients, shapes and strong fine noise for texture): they compress worse than most real
photos of people and places, so the figures lean high.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics

import httpx
from PIL import Image, ImageDraw, ImageFilter

from bench.local import local_app
from bot.app import Application
from bot.cards import render_card
from bot.files import write_private
from bot.web.evidence import reencode_image
from handlers.flows.publish import PAGE_PHOTO_SIDE, THUMB_SIDE
from storage import nominations, people, publications
from storage.units import get_unit_by_code

STORY = (
    "Bà Nguyễn Thị Tư, sinh năm 1958, hiện sống tại Thôn Đông, xã An Bình.\n"
    "Mười năm nay, mỗi sáng bà nấu ba mươi suất cơm và mang đến bệnh viện huyện cho bệnh "
    "nhân nghèo. Bà vận động bà con trong thôn góp gạo, rau, củi; nhiều người trẻ đã cùng "
    "bà đi phát cơm vào cuối tuần. " * 3
)


def photo(seed: int) -> bytes:
    """A phone photo stand-in: sky and ground, a few shapes, soft noise; stored as evidence."""
    rng = random.Random(seed)
    width, height = 2560, 1920
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        sky = y < height * 0.55
        base = (120, 170, 230) if sky else (90, 130, 60)
        shade = int(40 * y / height)
        draw.line((0, y, width, y), fill=tuple(max(0, c - shade) for c in base))
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randrange(40, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + size, y + size * 0.7), fill=colour)
    # Texture as foliage, cloth and faces have it: real photos carry a lot of fine detail.
    noise = Image.merge("RGB", [Image.effect_noise((width, height), 90) for _ in range(3)])
    image = Image.blend(image, noise, 0.35).filter(ImageFilter.GaussianBlur(0.7))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    stored = reencode_image(buffer.getvalue())
    assert stored is not None
    return stored


async def publish(app: Application, n: int, data: bytes) -> tuple[str, int]:
    """A published story with this photo, made by the same renderers as the publish flow."""
    assert app.config.documents is not None
    name = f"bench{n}.jpg"
    write_private(app.settings.media_dir / name, data)
    documents = app.config.documents
    card = await documents.card_jpeg(
        "Nguyễn Thị Tư", "Người tốt, việc tốt · Xã An Bình", STORY, name
    )
    picture = await documents.photo_jpeg(name, PAGE_PHOTO_SIDE)
    old_card = render_card(
        "Nguyễn Thị Tư",
        "Người tốt, việc tốt · Xã An Bình",
        STORY,
        data,
        png=True,
    )
    thumb = await documents.photo_jpeg(name, THUMB_SIDE)
    now = app.clock()
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, "X-AN-BINH-HPN")
        assert unit is not None
        person = await people.create_person(conn, f"Người {n}", None, now)
        new = nominations.NewNomination(
            reporter_id=person.id,
            unit_id=unit.id,
            campaign_id=None,
            kind="individual",
            nominee_name="Nguyễn Thị Tư",
            nominee_key="nguyen thi tu",
            birth_year=1958,
            place="Thôn Đông, xã An Bình",
            field="good_deed",
            achievement=STORY,
            contact_phone=None,
            consent_public=True,
        )
        made = await nominations.create_nomination(conn, new, [], now, now.year)
        published = await publications.publish(
            conn,
            nomination_id=made.id,
            slug=f"{made.id}-nguyen-thi-tu",
            title="Nguyễn Thị Tư",
            subtitle="Người tốt, việc tốt · Hội Liên hiệp Phụ nữ xã An Bình",
            story=STORY,
            photo=name,
            card=card,
            picture=picture,
            thumb=thumb,
            unit_id=unit.parent_id or unit.id,
            published_by=person.id,
            now=now,
        )
    return published.slug, len(old_card)


async def size(client: httpx.AsyncClient, path: str) -> int:
    """Bytes of one resource."""
    response = await client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(response.content)


async def run(photos: int, cards: int) -> None:
    """Publish, fetch, print."""
    async with local_app("gs-honour-") as app:
        transport = httpx.ASGITransport(app=app.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            css = await size(client, "/static/honour.css")
            js = await size(client, "/static/honour.js")
            rows = []
            slugs = []
            for n in range(max(photos, cards)):
                slug, png_card = await publish(app, n, photo(n))
                slugs.append(slug)
                if n >= photos:
                    continue
                rows.append(
                    (
                        await size(client, f"/vinh-danh/{slug}"),
                        await size(client, f"/vinh-danh/{slug}/anh.jpg"),
                        await size(client, f"/vinh-danh/{slug}/the.jpg"),
                        png_card,
                    )
                )
            index_html = await size(client, "/vinh-danh")
            thumbs = [await size(client, f"/vinh-danh/{s}/anh-nho.jpg") for s in slugs[:cards]]
    html = float(statistics.median(r[0] for r in rows))
    picture = float(statistics.median(r[1] for r in rows))
    card = float(statistics.median(r[2] for r in rows))
    old_card = float(statistics.median(r[3] for r in rows))
    page = html + css + js + picture
    before = html + css + old_card
    print(f"honour page, median of {photos} photos (bytes)")
    print(f"  html {html:,.0f}  css {css:,}  js {js:,}  photo {picture:,.0f}")
    print(f"  page total {page:,.0f}")
    print(f"  baseline, the page as it was (the card as a PNG for its picture): {before:,.0f}")
    print(f"  page / baseline = {page / before:.2f}")
    print(f"share card: JPEG {card:,.0f}, as the PNG it was {old_card:,.0f}")
    total = index_html + css + js + sum(thumbs)
    thumb = statistics.median(thumbs)
    print(f"list of {cards} cards: html {index_html:,}, thumbnails median {thumb:,.0f}")
    print(f"  total {total:,} (photos {PAGE_PHOTO_SIDE} px, thumbnails {THUMB_SIDE} px, JPEG)")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--cards", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(run(args.photos, args.cards))


if __name__ == "__main__":
    main()
