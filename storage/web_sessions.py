"""Web sessions: browsers signed in to the web chat (and, later, the console).

Only the SHA-256 of a session's token is stored. A session ends when it is revoked, when its
absolute end passes, or when it has not been seen for the idle lifetime the caller gives.

Instances remember the sessions they read (bot/web/sessions.py), so every change to what
`live_session` returns is told with `changed` (or `execute_changing`), in the transaction
that makes it: a session revoked, an account linked, unlinked or forgotten, a person renamed
or erased. (Deleting sessions that had ended already needs no word: nothing remembers an
ended session.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import String, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.sql.dml import UpdateBase

from storage import notify
from storage.db import Connection
from storage.rows import WebSession
from storage.schema import identities, people, web_sessions
from storage.types import UTCDateTime

CHAT = "chat"
CONSOLE = "console"
# What a change names in its notification (bot/web/sessions.py forgets what it matches).
SESSION = "session"
ACCOUNT = "account"
PERSON = "person"
_NOW = bindparam("now", type_=UTCDateTime())
_IDLE_FLOOR = bindparam("idle_floor", type_=UTCDateTime())
_LIVE = and_(
    web_sessions.c.revoked_at.is_(None),
    web_sessions.c.expires_at > _NOW,
    web_sessions.c.last_seen_at > _IDLE_FLOOR,
)
_PERSON_ID = func.coalesce(web_sessions.c.person_id, identities.c.person_id)
_COLUMNS = (
    web_sessions.c.id,
    web_sessions.c.kind,
    web_sessions.c.identity_id,
    identities.c.external_id.label("chat_id"),
    _PERSON_ID.label("person_id"),
    people.c.full_name.label("name"),
    web_sessions.c.device,
    web_sessions.c.created_at,
    web_sessions.c.last_seen_at,
    web_sessions.c.expires_at,
)
_JOINED = web_sessions.outerjoin(
    identities, identities.c.id == web_sessions.c.identity_id
).outerjoin(people, people.c.id == _PERSON_ID)
# Every request of a signed-in browser runs this one: built once.
_BY_TOKEN = (
    select(*_COLUMNS)
    .select_from(_JOINED)
    .where(web_sessions.c.token_hash == bindparam("token_hash"), _LIVE)
)
_TOUCH = (
    update(web_sessions)
    .where(web_sessions.c.id == bindparam("session_id"))
    .values(last_seen_at=_NOW)
)


def changed(conn: Connection, what: str, key: int) -> None:
    """Tell every instance, once `conn` commits, that the sessions of a session id (SESSION),
    a chat account (ACCOUNT) or a person (PERSON) ended or read differently now."""
    conn.notify(notify.SESSIONS, f"{what} {key}")


async def execute_changing(
    conn: Connection, statement: UpdateBase, parameters: dict[str, Any], what: str, key: int
) -> None:
    """Run `statement` and tell what `changed` tells; on PostgreSQL the rows it changes
    send the word themselves (pg_notify, delivered at commit like NOTIFY): a transaction
    with nothing else to tell goes without a statement of its own at commit."""
    payload = f"{what} {key}"
    mark = conn.wire_mark
    if mark is None:
        await conn.execute(statement, parameters)
    else:
        told = {"tell_topic": notify.SESSIONS, "tell_payload": mark + payload}
        await conn.execute(_telling(statement), {**parameters, **told})
    conn.notify(notify.SESSIONS, payload, told=mark is not None)


# A few entries: the module constants passed to `execute_changing`.
@lru_cache(maxsize=8)
def _telling(statement: UpdateBase) -> UpdateBase:
    topic = bindparam("tell_topic", type_=String())
    return statement.returning(func.pg_notify(topic, bindparam("tell_payload", type_=String())))


async def create_session(
    conn: Connection,
    *,
    token_hash: str,
    kind: str,
    identity_id: int | None,
    person_id: int | None,
    device: str,
    now: datetime,
    expires_at: datetime,
) -> int:
    """Store a new session under its token's hash; its id."""
    return int(
        (
            await conn.execute(
                web_sessions.insert()
                .values(
                    token_hash=token_hash,
                    kind=kind,
                    identity_id=identity_id,
                    person_id=person_id,
                    device=device[:60],
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
                .returning(web_sessions.c.id)
            )
        ).scalar_one()
    )


async def live_session(
    conn: Connection, token_hash: str, now: datetime, idle: timedelta
) -> WebSession | None:
    """The live session behind a token's hash, or None (unknown, revoked, expired, idle)."""
    row = (
        await conn.execute(
            _BY_TOKEN, {"token_hash": token_hash, "now": now, "idle_floor": now - idle}
        )
    ).first()
    return WebSession.model_validate(row) if row else None


async def touch(conn: Connection, session_id: int, now: datetime) -> None:
    """Record that the session was just used (its idle end moves on)."""
    await conn.execute(_TOUCH, {"session_id": session_id, "now": now})


async def device_of_identity(conn: Connection, identity_id: int) -> str | None:
    """The device summary of a web chat account's latest session."""
    row = (
        await conn.execute(
            select(web_sessions.c.device)
            .where(web_sessions.c.identity_id == identity_id)
            .order_by(web_sessions.c.id.desc())
            .limit(1)
        )
    ).first()
    return str(row[0]) if row else None


async def revoke(conn: Connection, session_id: int, now: datetime) -> None:
    """End one session now."""
    changed(conn, SESSION, session_id)
    await conn.execute(
        update(web_sessions)
        .where(web_sessions.c.id == session_id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_for_identity(conn: Connection, identity_id: int, now: datetime) -> int:
    """End every session of one web chat account; how many were live."""
    changed(conn, ACCOUNT, identity_id)
    result = await conn.execute(
        update(web_sessions)
        .where(web_sessions.c.identity_id == identity_id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


async def devices_of(
    conn: Connection,
    person_id: int,
    now: datetime,
    idle: timedelta,
    console_idle: timedelta | None = None,
) -> list[WebSession]:
    """The person's live sessions, web chat devices and console alike, newest use first
    (console sessions end sooner when unused: `console_idle`)."""
    rows = await conn.execute(
        select(*_COLUMNS)
        .select_from(_JOINED)
        .where(
            or_(web_sessions.c.person_id == person_id, identities.c.person_id == person_id),
            _LIVE,
        )
        .order_by(web_sessions.c.last_seen_at.desc(), web_sessions.c.id.desc()),
        {"now": now, "idle_floor": now - idle},
    )
    found = [WebSession.model_validate(r) for r in rows]
    if console_idle is None:
        return found
    return [s for s in found if s.kind != CONSOLE or s.last_seen_at > now - console_idle]


async def purge_ended(conn: Connection, before: datetime) -> int:
    """Delete sessions that were revoked or reached their absolute end before a time."""
    result = await conn.execute(
        delete(web_sessions).where(
            or_(web_sessions.c.revoked_at < before, web_sessions.c.expires_at < before)
        )
    )
    return int(result.rowcount)


async def purge_guests(conn: Connection, created_before: datetime) -> int:
    """Delete sessions whose account never joined, made before a time (a guest's day)."""
    never_joined = select(identities.c.id).where(identities.c.person_id.is_(None))
    result = await conn.execute(
        delete(web_sessions).where(
            web_sessions.c.kind == CHAT,
            web_sessions.c.created_at < created_before,
            web_sessions.c.identity_id.in_(never_joined),
        )
    )
    return int(result.rowcount)


async def revoke_console_sessions(conn: Connection, person_id: int, now: datetime) -> int:
    """End every web console session of a person; how many were live."""
    changed(conn, PERSON, person_id)
    result = await conn.execute(
        update(web_sessions)
        .where(
            web_sessions.c.person_id == person_id,
            web_sessions.c.kind == CONSOLE,
            web_sessions.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)


async def count_purgeable(conn: Connection, ended_before: datetime, guests_before: datetime) -> int:
    """Sessions the purge would delete: ended long enough ago, or guests' older than a day."""
    never_joined = select(identities.c.id).where(identities.c.person_id.is_(None))
    query = (
        select(func.count())
        .select_from(web_sessions)
        .where(
            or_(
                web_sessions.c.revoked_at < ended_before,
                web_sessions.c.expires_at < ended_before,
                (web_sessions.c.kind == CHAT)
                & (web_sessions.c.created_at < guests_before)
                & web_sessions.c.identity_id.in_(never_joined),
            )
        )
    )
    return int((await conn.execute(query)).scalar_one())
