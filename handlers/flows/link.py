"""One person on several chat apps (and browsers): a sign-in code shown by /taikhoan, typed on
the other app or in a new browser, links that account.

A link code proves the typist can see the person's existing account; an invite alone cannot
(anyone invited could claim to be anyone), so invites on a second app create a new person.
Every account the person already has is told at once, with how to undo it. For a person who
holds a reviewer, official or admin role the link waits until an existing account confirms.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import Role, has_role
from handlers.turn import Turn
from handlers.types import Reply
from storage import audit, link_codes, link_requests, outbox, people, web_sessions
from storage.invites import ALPHABET
from storage.rows import Identity, Membership

CODE_LENGTH = 8  # about 39 bits; guessing is capped per account, per address and overall
TTL = timedelta(minutes=60)
CONFIRM_TTL = timedelta(hours=24)


def new_link_code() -> str:
    """A fresh random link code (the invites' alphabet: no look-alike characters)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def offer_code(turn: Turn) -> None:
    """Make a new code for the sender and show it with the main menu."""
    assert turn.person is not None
    code = new_link_code()
    await link_codes.create_link_code(turn.conn, turn.person.id, code, turn.now + TTL, turn.now)
    shown = f"{code[:4]}-{code[4:]}"
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="link_code.shown",
        object_type="identity",
        object_id=turn.identity.id,
    )
    show_main_menu(turn, "link.your_code", code=shown, minutes=int(TTL.total_seconds() // 60))
    turn.keep_secret()


def privileged(memberships: list[Membership]) -> bool:
    """Whether linking an account to this person needs a confirmation first."""
    return has_role(memberships, Role.REVIEWER)


async def account_label(turn: Turn, identity: Identity) -> str:
    """How an account is named to its owner: the app, and for a browser its device."""
    if identity.channel == "web":
        device = await web_sessions.device_of_identity(turn.conn, identity.id)
        return t("accounts.channel.web", device=device or t("accounts.device_unknown"))
    key = f"accounts.channel.{identity.channel}"
    return t(key) if key in _CHANNEL_KEYS else identity.channel


_CHANNEL_KEYS = frozenset(
    {"accounts.channel.telegram", "accounts.channel.zalo_oa", "accounts.channel.zalo_bot"}
)


async def live_accounts(turn: Turn, person_id: int) -> list[Identity]:
    """The person's accounts that can be used: every app account, and browsers signed in."""
    idle = turn.config.web_session_idle
    devices = await web_sessions.devices_of(turn.conn, person_id, turn.now, idle)
    browsers = {d.identity_id for d in devices}
    return [
        i
        for i in await people.identities_of(turn.conn, person_id)
        if i.channel != "web" or i.id in browsers
    ]


async def tell_accounts(
    turn: Turn, person_id: int, key: str, *, skip: frozenset[int] = frozenset(), **params: object
) -> None:
    """Tell every usable account of a person something at once (not only the latest one)."""
    origin = f"{turn.inbound.channel}:{turn.inbound.external_id}".encode()
    event = hashlib.sha256(origin).hexdigest()[:16]
    messages = [
        outbox.NewMessage(
            channel=account.channel,
            chat_id=account.external_id,
            identity_id=account.id,
            payload=Reply(text=t(key, **params)).model_dump(mode="json"),
            dedupe_key=f"accounts:{event}:{account.id}:{key}",
        )
        for account in await live_accounts(turn, person_id)
        if account.id not in skip
    ]
    await outbox.enqueue(turn.conn, messages, turn.now)


async def redeem(turn: Turn, code: str) -> bool:
    """Link the sender's unlinked account with a link code; False when no link code matches."""
    turn.secret_inbound = True  # a code was typed: its inbox copy goes now, whatever it was
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
    memberships = await people.memberships_of(turn.conn, found.person_id)
    label = await account_label(turn, turn.identity)
    if privileged(memberships):
        await link_requests.create_request(
            turn.conn, found.person_id, turn.identity.id, turn.now, turn.now + CONFIRM_TTL
        )
        await tell_accounts(turn, found.person_id, "link.confirm_needed", account=label)
        turn.say("link.pending")
        return True
    await complete(turn, found.person_id, turn.identity, label)
    return True


async def complete(turn: Turn, person_id: int, account: Identity, label: str) -> None:
    """Link `account` to the person, tell their other accounts, welcome the new one."""
    await people.link_identity(turn.conn, account.id, person_id)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=person_id,
        action="identity.linked",
        object_type="identity",
        object_id=account.id,
        detail={"channel": account.channel},
    )
    await tell_accounts(
        turn, person_id, "link.new_account", skip=frozenset({account.id}), account=label
    )
    person = await people.get_person(turn.conn, person_id)
    assert person is not None
    if account.id == turn.identity.id:
        turn.person = person
        turn.memberships = await people.memberships_of(turn.conn, person_id)
        show_main_menu(turn, "link.done", name=person.full_name)
        return
    # Confirmed from another account: the new one is told on its own chat.
    welcome = Reply(text=t("link.done_confirmed", name=person.full_name))
    await outbox.enqueue(
        turn.conn,
        [
            outbox.NewMessage(
                channel=account.channel,
                chat_id=account.external_id,
                identity_id=account.id,
                payload=welcome.model_dump(mode="json"),
                dedupe_key=f"accounts:confirmed:{account.id}:{turn.now.timestamp():.0f}",
            )
        ],
        turn.now,
    )
