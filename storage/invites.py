"""Invites: stored as hashes, redeemed atomically."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update

from storage.db import Connection
from storage.rows import Invite
from storage.schema import invites

# Codes are typed by hand on Zalo: letters and digits without look-alikes (0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # about 59 bits: enough against guessing with per-account attempt limits


def new_code() -> str:
    """A fresh random invite code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_hash(code: str) -> str:
    """The stored form of a code; tolerant of case, spaces and dashes people type."""
    canonical = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(canonical.encode()).hexdigest()


async def create_invite(
    conn: Connection,
    code: str,
    unit_id: int,
    role: str,
    max_uses: int,
    expires_at: datetime,
    now: datetime,
) -> int:
    """Store a new invite under the hash of its code."""
    return int(
        (
            await conn.execute(
                invites.insert()
                .values(
                    code_hash=code_hash(code),
                    unit_id=unit_id,
                    role=role,
                    max_uses=max_uses,
                    uses=0,
                    expires_at=expires_at,
                    created_at=now,
                )
                .returning(invites.c.id)
            )
        ).scalar_one()
    )


async def find_invite(conn: Connection, code: str) -> Invite | None:
    """The invite behind a typed code, valid or not."""
    row = (
        await conn.execute(select(invites).where(invites.c.code_hash == code_hash(code)))
    ).first()
    return Invite.model_validate(row) if row else None


async def get_invite(conn: Connection, invite_id: int) -> Invite | None:
    """An invite by id, as it stands (no lock: `redeem_invite` decides)."""
    row = (await conn.execute(select(invites).where(invites.c.id == invite_id))).first()
    return Invite.model_validate(row) if row else None


def usable(invite: Invite, now: datetime) -> bool:
    """Whether an invite has a use left and has not expired (as `redeem_invite` checks)."""
    return invite.uses < invite.max_uses and invite.expires_at > now


async def redeem_invite(conn: Connection, invite_id: int, now: datetime) -> bool:
    """Use up one use, only if one is left and it has not expired (one statement: no race)."""
    result = await conn.execute(
        update(invites)
        .where(
            invites.c.id == invite_id,
            invites.c.uses < invites.c.max_uses,
            invites.c.expires_at > now,
        )
        .values(uses=invites.c.uses + 1)
    )
    return result.rowcount == 1
