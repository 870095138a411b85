"""Signed file links: genuine ones open for their recipient until they expire; any change to
the name, the download name, the recipient, the expiry or the tag makes them worthless."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from bot.web import signed

KEY = b"k" * 32
names = st.from_regex(r"[A-Za-z0-9_-]{10,40}\.(jpg|pdf|xlsx)", fullmatch=True)
downloads = st.from_regex(r"[a-z0-9-]{1,60}\.(jpg|pdf|xlsx)", fullmatch=True)
recipients = st.from_regex(r"w[0-9a-f]{20}", fullmatch=True)
times = st.integers(min_value=1_600_000_000, max_value=4_000_000_000)
lifetimes = st.integers(min_value=1, max_value=7 * 24 * 3600)


def parsed(link: str) -> tuple[str, signed.LinkQuery]:
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return parts.path.rsplit("/", 1)[1], signed.LinkQuery(query["n"], query["e"], query["s"])


@given(names, downloads, recipients, times, lifetimes, st.integers(min_value=0))
def test_a_link_opens_for_its_recipient_until_it_expires(
    name: str, download: str, recipient: str, now: int, lifetime: int, later: int
) -> None:
    link = signed.media_link(KEY, name, download, recipient, now + lifetime)
    path_name, query = parsed(link)
    assert path_name == name and query.download == download
    assert signed.verify(KEY, name, recipient, query, now)
    assert signed.verify(KEY, name, recipient, query, now + lifetime - 1)
    assert not signed.verify(KEY, name, recipient, query, now + lifetime + later)


@given(names, downloads, recipients, recipients, times)
def test_a_link_opens_nothing_for_another_recipient(
    name: str, download: str, owner: str, other: str, now: int
) -> None:
    _, query = parsed(signed.media_link(KEY, name, download, owner, now + 60))
    assert signed.verify(KEY, name, other, query, now) == (other == owner)


@given(
    names,
    downloads,
    recipients,
    times,
    st.sampled_from(["name", "download", "expires", "tag", "key"]),
    st.data(),
)
def test_any_tampering_is_refused(
    name: str, download: str, recipient: str, now: int, part: str, data: st.DataObject
) -> None:
    _, query = parsed(signed.media_link(KEY, name, download, recipient, now + 3600))
    key = KEY
    if part == "name":
        other = data.draw(names.filter(lambda n: n != name))
        name = other
    elif part == "download":
        query = signed.LinkQuery(
            data.draw(downloads.filter(lambda d: d != download)), query.expires, query.tag
        )
    elif part == "expires":
        # A later expiry (or any other number, or junk) was not what was signed.
        changed = data.draw(
            st.one_of(
                st.integers(min_value=now + 1, max_value=10**12).map(str),
                st.text(max_size=20),
            ).filter(lambda e: e != query.expires)
        )
        query = signed.LinkQuery(query.download, changed, query.tag)
    elif part == "tag":
        changed = data.draw(st.text(max_size=60).filter(lambda s: s != query.tag))
        query = signed.LinkQuery(query.download, query.expires, changed)
    else:
        key = data.draw(st.binary(min_size=32, max_size=32).filter(lambda k: k != KEY))
    assert not signed.verify(key, name, recipient, query, now)
