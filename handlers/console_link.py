"""/web: a one-time link that signs a reviewer, official or admin into the web console.

The link's token is random (256 bits), kept only as a hash, spent by the first sign-in and
dead after CONSOLE_LINK_MINUTES; asking again makes the earlier link stop working.
"""

from __future__ import annotations

import secrets

from handlers.menu import show_main_menu
from handlers.turn import Turn
from storage import audit, console_links

TOKEN_BYTES = 32


def signin_url(base_url: str, token: str) -> str:
    """The link's address: the console's sign-in page with the token."""
    return f"{base_url.rstrip('/')}/console/signin?t={token}"


async def web(turn: Turn) -> None:
    """Give the person a fresh one-time link into the console (the dispatcher checked the
    role; the sign-in checks it again when the link is used)."""
    assert turn.person is not None
    lifetime = turn.config.console_link_lifetime
    if lifetime is None:
        show_main_menu(turn, "console.link.off")
        return
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await console_links.create_link(turn.conn, token, turn.person.id, turn.now, turn.now + lifetime)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="console_link.made",
        object_type="person",
        object_id=turn.person.id,
        detail={"channel": turn.inbound.channel},
    )
    minutes = int(lifetime.total_seconds() // 60)
    show_main_menu(
        turn,
        "console.link.ready",
        url=signin_url(turn.config.public_base_url, token),
        minutes=minutes,
    )
