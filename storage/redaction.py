"""Taking what people wrote out of the inbox and outbox: codes at once, everything after the
retention period, and a member's or nominee's data when they are erased.

Rows stay (the inbox's unique key dedupes platform redeliveries, the outbox's dedupe keys and
platform ids keep reminders single and posts editable); their payloads are replaced. Rows up
to a watermark kept in `kv` have been stripped by the purge, so an erasure only looks at the
rows after it: a few days of traffic, whatever the size of the tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, cast, or_, select, update

from storage import kv
from storage.db import Connection
from storage.schema import inbox, outbox

# A stripped row's payload: nothing of what was written (an outbox row's empty text is left
# out of the web chat's history). One value for every row, so a batch is one statement.
STRIPPED_INBOX: dict[str, Any] = {"redacted": True}
STRIPPED_OUTBOX: dict[str, Any] = {"text": "", "redacted": True}
PENDING_OUTBOX = ("queued", "retrying")
MIN_NEEDLE = 6
WATERMARK = {"inbox": "retention:inbox_stripped_to", "outbox": "retention:outbox_stripped_to"}


def is_stripped(payload: dict[str, Any]) -> bool:
    """Whether a payload was stripped (inbox or outbox)."""
    return bool(payload.get("redacted"))


async def watermark(conn: Connection, table: Table) -> int:
    """The highest id up to which the purge stripped this table."""
    value = await kv.get_value(conn, WATERMARK[table.name])
    return int(value) if isinstance(value, int) else 0


async def set_watermark(conn: Connection, table: Table, row_id: int, now: datetime) -> None:
    """Remember how far the purge has stripped this table."""
    await kv.put_value(conn, WATERMARK[table.name], row_id, now)


async def redact_inbound(conn: Connection, item_id: int) -> None:
    """Strip one inbox row now (it carried a code: invite, sign-in)."""
    await conn.execute(
        update(inbox).where(inbox.c.id == item_id).values(payload=STRIPPED_INBOX, sender_id="")
    )


async def redact_outbound(conn: Connection, item_ids: Sequence[int], text: str) -> None:
    """Replace the payload of messages that showed a code, once delivered."""
    if item_ids:
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(item_ids)))
            .values(payload={"text": text, "redacted": True})
        )


async def strip_sender(
    conn: Connection, accounts: Sequence[tuple[str, str]], *, forget_chat: bool
) -> dict[str, int]:
    """Strip everything from and to these accounts (channel, platform id).

    Inbox rows after the watermark are matched by sender; outbox rows by chat through its
    index, at any age (their chat id is the account's id too). Messages still waiting to be
    sent are settled as unreachable. `forget_chat` also blanks the chat id of the outbox
    rows (the account is being erased); the web chat's account a page still reads from keeps
    it, so that the page shows what follows.
    """
    if not accounts:
        return {"inbox": 0, "outbox": 0}
    floor = await watermark(conn, inbox)
    senders = or_(
        *(
            (inbox.c.channel == channel) & (inbox.c.sender_id == sender)
            for channel, sender in accounts
        )
    )
    mine = update(inbox).where(inbox.c.id > floor, senders)
    result = await conn.execute(mine.values(payload=STRIPPED_INBOX, sender_id=""))
    found = int(result.rowcount)
    changed = 0
    for channel, chat_id in accounts:
        chat = (outbox.c.channel == channel) & (outbox.c.chat_id == chat_id)
        await conn.execute(
            update(outbox)
            .where(chat, outbox.c.status.in_(PENDING_OUTBOX))
            .values(status="unreachable", last_error="erased", claimed_until=None)
        )
        values: dict[str, Any] = {"payload": STRIPPED_OUTBOX, "identity_id": None}
        if forget_chat:
            values["chat_id"] = ""
        changed += int((await conn.execute(update(outbox).where(chat).values(**values))).rowcount)
    return {"inbox": found, "outbox": changed}


def _json_forms(needle: str) -> set[str]:
    """How a text can appear inside a stored JSON payload (escaped or not)."""
    return {needle, json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1]}


def _replace_in(value: Any, needles: Sequence[str], placeholder: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, placeholder)
        return value
    if isinstance(value, list):
        return [_replace_in(v, needles, placeholder) for v in value]
    if isinstance(value, dict):
        return {k: _replace_in(v, needles, placeholder) for k, v in value.items()}
    return value


async def replace_mentions(
    conn: Connection, needles: Sequence[str], placeholder: str
) -> dict[str, int]:
    """Replace texts (a name, a phone number) wherever they appear in payloads not stripped
    yet: a reviewer's card naming the reporter, a notice naming a nominee."""
    # A short needle ("Lan") would also hit other people's words.
    wanted = [n for n in needles if len(n) >= MIN_NEEDLE]
    counts = {"inbox": 0, "outbox": 0}
    if not wanted:
        return counts
    for table in (inbox, outbox):
        floor = await watermark(conn, table)
        text = cast(table.c.payload, String)
        patterns = {form for needle in wanted for form in _json_forms(needle)}
        matches = or_(*(text.contains(form, autoescape=True) for form in sorted(patterns)))
        rows = list(
            await conn.execute(
                select(table.c.id, table.c.payload).where(table.c.id > floor, matches)
            )
        )
        for row_id, payload in rows:
            await conn.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(payload=_replace_in(payload, wanted, placeholder))
            )
        counts[table.name] = len(rows)
    return counts
