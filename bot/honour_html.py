"""The honour pages' HTML: small, readable on a 360 px phone, no script of another site.

The page shows the chosen photo once (a compressed JPEG), the name, what and where, the day
it was honoured and the unit that honours, the story once, ways to share it (a plain link,
Facebook's share address, the phone's own share sheet through /static/honour.js) and the
way back to the list. The list is a grid of cards with small photos.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import quote

from handlers.messages import t
from handlers.text import unbreakable_parts
from storage.publications import Publication

FACEBOOK_SHARE = "https://www.facebook.com/sharer/sharer.php?u="


def esc(text: str) -> str:
    """Text for HTML, with codes and phone numbers kept whole on one line."""
    return "".join(
        f'<span class="nw">{html.escape(part)}</span>' if whole else html.escape(part)
        for part, whole in unbreakable_parts(text)
    )


def document(title: str, body: str, meta: str = "", *, wide: bool = False) -> str:
    """A whole page around its body."""
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>{meta}"
        '<link rel="stylesheet" href="/static/honour.css">'
        '<script src="/static/honour.js" defer></script></head>'
        f"<body><main{' class=wide' if wide else ''}>{body}"
        f"<footer>{html.escape(t('honour.footer'))}</footer></main></body></html>"
    )


def _back() -> str:
    return f'<nav><a href="/vinh-danh">{html.escape(t("honour.back"))}</a></nav>'


def _when(found: Publication, zone_date: str) -> str:
    parts = [t("honour.published_on", date=zone_date)]
    if found.unit_name:
        parts.append(t("honour.by_unit", unit=found.unit_name))
    return f'<p class="meta">{html.escape(" · ".join(parts))}</p>'


def _share(url: str) -> str:
    link = html.escape(url)
    facebook = html.escape(FACEBOOK_SHARE + quote(url, safe=""))
    return (
        f'<section class="share"><h2>{html.escape(t("honour.share_title"))}</h2>'
        f'<p class="actions"><button type="button" id="share" hidden>'
        f"{html.escape(t('honour.share_native'))}</button>"
        f'<button type="button" id="copy" data-link="{link}" '
        f'data-done="{html.escape(t("honour.copied"))}" hidden>{html.escape(t("honour.copy"))}'
        f'</button><a class="button" href="{facebook}" rel="noopener" target="_blank">'
        f"{html.escape(t('honour.share_facebook'))}</a></p>"
        f'<p class="link">{html.escape(t("honour.link"))} <a href="{link}">{link}</a></p>'
        "</section>"
    )


def page(found: Publication, url: str, published_on: str) -> str:
    """One exemplar's page."""
    image = f"{url}/the.jpg" if found.card else ""
    meta = (
        f'<meta property="og:title" content="{html.escape(found.title)}">'
        f'<meta property="og:description" content="{html.escape(found.story[:200])}">'
        f'<meta property="og:url" content="{html.escape(url)}">'
        '<meta property="og:type" content="article">'
        + (f'<meta property="og:image" content="{html.escape(image)}">' if image else "")
    )
    photo = (
        f'<img class="photo" src="/vinh-danh/{found.slug}/anh.jpg" '
        f'alt="{html.escape(t("honour.photo_alt", name=found.title))}">'
        if found.picture
        else ""
    )
    story = "".join(f"<p>{esc(p)}</p>" for p in found.story.split("\n") if p.strip())
    body = (
        f"{_back()}<article>{photo}<h1>{esc(found.title)}</h1>"
        f'<p class="sub">{esc(found.subtitle)}</p>{_when(found, published_on)}'
        f'<div class="story">{story}</div></article>{_share(url)}'
        f'<p class="more"><a href="/vinh-danh">{html.escape(t("honour.more"))}</a></p>'
    )
    return document(found.title, body, meta)


def index(items: Sequence[tuple[Publication, str]]) -> str:
    """The list: a grid of cards (small photo, name, what and where, the day)."""
    cards = []
    for found, published_on in items:
        thumb = (
            f'<img src="/vinh-danh/{found.slug}/anh-nho.jpg" alt="" loading="lazy">'
            if found.thumb
            else f'<span class="initial">{html.escape(found.title[:1])}</span>'
        )
        cards.append(
            f'<li><a href="/vinh-danh/{found.slug}">{thumb}'
            f'<span class="name">{esc(found.title)}</span>'
            f'<span class="sub">{esc(found.subtitle)}</span>'
            f'<span class="date">{html.escape(published_on)}</span></a></li>'
        )
    title = t("honour.index_title")
    body = f"<h1>{html.escape(title)}</h1>"
    if cards:
        body += f'<ul class="grid">{"".join(cards)}</ul>'
    else:
        body += f"<p>{html.escape(t('honour.index_empty'))}</p>"
    return document(title, body, wide=True)


def missing(gone: bool) -> str:
    """The page of a story taken down (410), or of one that never was (404)."""
    key = "gone" if gone else "not_found"
    body = (
        f"<h1>{html.escape(t(f'honour.{key}_title'))}</h1>"
        f"<p>{html.escape(t(f'honour.{key}'))}</p>"
        f'<p class="more"><a href="/vinh-danh">{html.escape(t("honour.more"))}</a></p>'
    )
    return document(t(f"honour.{key}_title"), body)
