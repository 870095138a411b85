"""Short-lived links to stored files, bound to the one account they were sent to.

A link is `/media/<name>?n=<download name>&e=<expiry>&s=<tag>`, the tag an HMAC-SHA256
(stdlib `hmac`) over the file's name, the name it is downloaded under, the recipient's chat
id and the expiry. The server also checks that the
browser asking is signed in as that recipient, so a link copied elsewhere opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlencode

MAX_EXPIRY_DIGITS = 12


def tag(key: bytes, name: str, download: str, recipient: str, expires: int) -> str:
    """The link's tag: base64url of HMAC-SHA256 over the names, recipient and expiry."""
    message = "\n".join((name, download, recipient, str(expires))).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def media_link(key: bytes, name: str, download: str, recipient: str, expires: int) -> str:
    """The path and query that open `name` for `recipient` until `expires` (epoch seconds)."""
    query = urlencode(
        {"n": download, "e": expires, "s": tag(key, name, download, recipient, expires)}
    )
    return f"/media/{quote(name)}?{query}"


@dataclass(frozen=True)
class LinkQuery:
    """What a link's query says (not yet verified)."""

    download: str
    expires: str
    tag: str


def verify(key: bytes, name: str, recipient: str, given: LinkQuery, now: int) -> bool:
    """Whether a link's names, expiry and tag are genuine, for this recipient, not yet past."""
    expires = given.expires
    if not (expires.isascii() and expires.isdigit()) or len(expires) > MAX_EXPIRY_DIGITS:
        return False
    if int(expires) <= now:
        return False
    expected = tag(key, name, given.download, recipient, int(expires))
    return hmac.compare_digest(expected.encode(), given.tag.encode("utf-8", "replace"))
