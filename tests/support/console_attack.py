"""The console's state-changing routes, each with a real form body aimed at one commune's
objects, and a fingerprint of everything they could change (tests/console/test_attacks.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot import cli_ops
from bot.app import Application
from storage import campaigns as campaigns_store
from storage import reviews
from storage.schema import (
    audit_log,
    bulk_sends,
    campaigns,
    commendations,
    criteria,
    invites,
    memberships,
    merges,
    nominations,
    outbox,
    review_events,
    scores,
    web_sessions,
)
from storage.units import get_unit_by_code
from tests.support.review import person_id

Body = dict[str, str]


@dataclass
class Targets:
    """One commune's objects the routes act on (X-AN-BINH)."""

    unit: int
    submitted: int
    duplicate_of: int
    to_bulk: int
    to_decide: int
    to_score: int
    approved: int
    criterion: int
    membership: int
    invite_code: str
    campaign: int


async def targets(app: Application, codes: dict[str, str]) -> Targets:
    """Look the objects up (the nominations are made by the test: codes by purpose)."""
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, "X-AN-BINH")
        assert unit is not None
        ids = {}
        for code in codes.values():
            found = await reviews.find_by_code(conn, code)
            assert found is not None
            ids[code] = found.id
        approved = codes["approved"]
        await reviews.change_status(conn, ids[approved], ["submitted"], "approved", app.clock())
        criterion = (
            await conn.execute(
                select(func.min(criteria.c.id)).where(criteria.c.field == "good_deed")
            )
        ).scalar_one()
    hoa = await person_id(app, "hoa")
    async with app.db.read() as conn:
        membership = (
            await conn.execute(select(memberships.c.id).where(memberships.c.person_id == hoa))
        ).scalar_one()
    async with app.db.write() as conn:
        call = await campaigns_store.create_campaign(
            conn,
            unit_id=unit.id,
            created_by=hoa,
            title="Đợt thử",
            body="Mời đề cử người tốt việc tốt trong xã.",
            fields=["good_deed"],
            deadline_at=app.clock() + timedelta(days=10),
            reminder_days=[7, 1],
            photo=None,
            now=app.clock(),
        )
    made = await cli_ops.create_invite(
        app.db, app.settings, "X-AN-BINH", "member", 5, 5, app.clock()
    )
    return Targets(
        unit=unit.id,
        submitted=ids[codes["submitted"]],
        duplicate_of=ids[codes["earlier"]],
        to_bulk=ids[codes["bulk"]],
        to_decide=ids[codes["decide"]],
        to_score=ids[codes["score"]],
        approved=ids[approved],
        criterion=int(criterion),
        membership=int(membership),
        invite_code=made.code,
        campaign=call.id,
    )


def bodies(t: Targets, today: str, later: str) -> dict[str, Body]:
    """Every state-changing console route with a body that does something when allowed
    (`later`: a day some weeks ahead)."""
    commend = {"form": "Giấy khen", "number": "12/QĐ", "date": today, "issuer": "UBND"}
    decision = {"decision_form": "Giấy khen", "number": "7/QĐ", "date": today, "issuer": "UBND"}
    unit = str(t.unit)
    call = {
        "title": "Đợt mới của xã",
        "body": "Mời đề cử người tốt việc tốt trong xã.",
        "field": "good_deed",
        "deadline": later,
        "unit": unit,
    }
    broadcast = {"text": "Họp chi hội sáng Chủ nhật.", "unit": unit}
    return {
        "/console/nominations/bulk": {
            "action": "approve",
            "id": str(t.to_bulk),
            "confirm": "yes",
        },
        f"/console/nominations/{t.to_decide}/decide": {"action": "approve"},
        # Right after: the decision just made is undone (the admin's own, on that card).
        f"/console/nominations/{t.to_decide}/undo": {},
        f"/console/nominations/{t.to_score}/score": {f"c{t.criterion}": "5"},
        f"/console/nominations/{t.submitted}/merge": {"into": str(t.duplicate_of)},
        f"/console/nominations/{t.approved}/commend": commend,
        "/console/members/role": {"membership": str(t.membership), "role": "reviewer"},
        "/console/members/remove": {"membership": str(t.membership)},
        "/console/invites": {
            "unit": unit,
            "role": "member",
            "uses": "5",
            "days": "5",
            "app": "web",
        },
        "/console/invites/poster": {"code": t.invite_code, "app": "web", "format": "png"},
        "/console/dossier": {"unit": unit, "id": str(t.approved), "format": "docx"},
        "/console/dossier/decisions": {"unit": unit, "id": str(t.approved), **decision},
        "/console/criteria": {
            "unit": unit,
            "field": "good_deed",
            "name0": "Lan toả rộng",
            "weight0": "2",
            "max0": "10",
        },
        "/console/campaigns/preview": call,
        "/console/campaigns": call,
        f"/console/campaigns/{t.campaign}/extend": {"deadline": later},
        f"/console/campaigns/{t.campaign}/reminders": {"days": "3, 1"},
        f"/console/campaigns/{t.campaign}/close": {},
        "/console/broadcasts/preview": broadcast,
        "/console/broadcasts": broadcast,
        "/console/signout/everywhere": {},
        "/console/signout": {},
    }


# Routes whose allowed effect is a page or a file, not a change (previews, posters).
LOOKS_ONLY = frozenset(
    {"/console/invites/poster", "/console/campaigns/preview", "/console/broadcasts/preview"}
)


async def fingerprint(app: Application) -> dict[str, Any]:
    """Everything a console action could change (sessions only as who is signed in)."""
    async with app.db.read() as conn:

        async def rows(*columns: Any) -> list[tuple[Any, ...]]:
            # Sorted here: PostgreSQL cannot order by a JSON column.
            return sorted((tuple(r) for r in await conn.execute(select(*columns))), key=repr)

        async def count(table: Any) -> int:
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())

        return {
            "nominations": await rows(nominations.c.id, nominations.c.status),
            "memberships": await rows(
                memberships.c.person_id, memberships.c.unit_id, memberships.c.role
            ),
            "criteria": await rows(
                criteria.c.unit_id, criteria.c.name, criteria.c.active, criteria.c.weight
            ),
            "live sessions": await rows(web_sessions.c.id, web_sessions.c.revoked_at),
            "calls": await rows(
                campaigns.c.id,
                campaigns.c.status,
                campaigns.c.deadline_at,
                campaigns.c.reminder_days,
            ),
            **{
                t.name: await count(t)
                for t in (
                    audit_log,
                    invites,
                    commendations,
                    scores,
                    merges,
                    review_events,
                    outbox,
                    campaigns,
                    bulk_sends,
                )
            },
        }


async def expire_links(app: Application, hours: int = 1) -> None:
    """Move every link's expiry into the past (as if it were used too late)."""
    from storage.schema import console_links

    async with app.db.write() as conn:
        await conn.execute(
            update(console_links).values(expires_at=app.clock() - timedelta(hours=hours))
        )


Fingerprint = Callable[[Application], Any]
