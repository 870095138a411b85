"""One person on several chat apps: a code shown by /my, typed on the other app, links it.

A link code proves the typist holds the person's existing account; an invite alone cannot
(anyone invited could claim to be anyone), so invites on a second app create a new person.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from handlers.menu import show_main_menu
from handlers.turn import Turn
from storage import audit, link_codes, people
from storage.invites import ALPHABET

CODE_LENGTH = 8  # about 39 bits; guessing is capped by the invite attempt limit per account
TTL = timedelta(minutes=60)


def new_link_code() -> str:
    """A fresh random link code (the invites' alphabet: no look-alike characters)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def offer_code(turn: Turn) -> None:
    """Make a new code for the sender and show it with the main menu."""
    assert turn.person is not None
    code = new_link_code()
    await link_codes.create_link_code(turn.conn, turn.person.id, code, turn.now + TTL, turn.now)
    shown = f"{code[:4]}-{code[4:]}"
    show_main_menu(turn, "link.your_code", code=shown, minutes=int(TTL.total_seconds() // 60))


async def redeem(turn: Turn, code: str) -> bool:
    """Link the sender's unlinked account with a link code; False when no link code matches."""
    if turn.person is not None:
        return False
    since = turn.now - timedelta(hours=1)
    failures = await audit.count_recent(
        turn.conn,
        action="invite.failed",
        object_type="identity",
        object_id=turn.identity.id,
        since=since,
    )
    if failures >= turn.config.invite_attempts_per_hour:
        return False  # the invite check that follows says "too many attempts"
    found = await link_codes.find_link_code(turn.conn, code)
    if found is None:
        return False
    if not await link_codes.use_link_code(turn.conn, found.id, turn.identity.id, turn.now):
        turn.say("link.expired")
        return True
    await people.link_identity(turn.conn, turn.identity.id, found.person_id)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=found.person_id,
        action="identity.linked",
        object_type="identity",
        object_id=turn.identity.id,
        detail={"channel": turn.identity.channel},
    )
    turn.person = await people.get_person(turn.conn, found.person_id)
    assert turn.person is not None
    turn.memberships = await people.memberships_of(turn.conn, found.person_id)
    show_main_menu(turn, "link.done", name=turn.person.full_name)
    return True
