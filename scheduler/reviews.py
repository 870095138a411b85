"""Scheduled jobs of reviewing: the daily digest, SLA reminders, abandoned-draft reminders.

Each job only enqueues into the outbox (bulk priority, with a dedupe key) inside the
transaction that claims its firing; the delivery lanes send later. None calls a channel.
"""

from __future__ import annotations

from datetime import timedelta

from handlers import digest
from handlers.messages import t
from handlers.types import Reply
from scheduler.core import JobContext
from storage import digests, outbox
from storage.rows import Identity

# A draft untouched this long gets one reminder.
DRAFT_IDLE = timedelta(hours=24)


def _message(identity: Identity, text: str, dedupe_key: str, batch: str) -> outbox.NewMessage:
    return outbox.NewMessage(
        channel=identity.channel,
        chat_id=identity.external_id,
        identity_id=identity.id,
        payload=Reply(text=text).model_dump(mode="json"),
        priority=outbox.PRIORITY_BULK,
        dedupe_key=dedupe_key,
        batch=batch,
    )


async def send_digests(ctx: JobContext) -> dict[str, int]:
    """Queue each reviewer's digest; move every reviewer's watermark to this firing."""
    local_date = ctx.now.astimezone(ctx.config.timezone).date().isoformat()
    composed = await digest.compose(ctx.conn, ctx.now, ctx.config)
    wanted = [d for d in composed if d.worth_sending]
    reachable = await digests.latest_reachable(ctx.conn, [d.person_id for d in wanted])
    messages = [
        _message(
            reachable[d.person_id],
            digest.render(d, ctx.now, ctx.config),
            f"digest:{local_date}:{d.person_id}",
            f"digest:{local_date}",
        )
        for d in wanted
        if d.person_id in reachable
    ]
    queued = await outbox.enqueue(ctx.conn, messages, ctx.now)
    await digests.set_marks(ctx.conn, [d.person_id for d in composed], ctx.now)
    return {
        "reviewers": len(composed),
        "queued": queued,
        "unreachable": len(wanted) - len(messages),
    }


async def send_sla_reminders(ctx: JobContext) -> dict[str, int]:
    """Tell reviewers once about each nomination that has just waited past the SLA."""
    days = ctx.config.review_sla_days
    items = await digests.overdue_unreminded(ctx.conn, ctx.now - timedelta(days=days))
    if not items:
        return {"nominations": 0, "queued": 0}
    tree = {u.id: u.path for u in await digests.unit_tree(ctx.conn)}
    by_unit: dict[int, set[int]] = {}
    for scope in await digests.reviewer_scopes(ctx.conn):
        by_unit.setdefault(scope.unit_id, set()).add(scope.person_id)
    codes: dict[int, list[str]] = {}
    for item in items:
        people: set[int] = set()
        for part in tree.get(item.unit_id, "").strip("/").split("/"):
            if part:
                people |= by_unit.get(int(part), set())
        for person_id in people:
            codes.setdefault(person_id, []).append(item.code)
    reachable = await digests.latest_reachable(ctx.conn, list(codes))
    stamp = ctx.now.isoformat()
    messages = [
        _message(
            reachable[person_id],
            t("reminder.sla", count=len(found), days=days, codes=", ".join(found[:20])),
            f"sla:{stamp}:{person_id}",
            "sla",
        )
        for person_id, found in sorted(codes.items())
        if person_id in reachable
    ]
    queued = await outbox.enqueue(ctx.conn, messages, ctx.now)
    await digests.mark_reminded(ctx.conn, items, ctx.now)
    return {"nominations": len(items), "queued": queued}


async def send_draft_reminders(ctx: JobContext) -> dict[str, int]:
    """Remind a member, once per draft, of a nomination left unfinished for a day."""
    drafts = await digests.stale_drafts(
        ctx.conn,
        "nominate",
        untouched_since=ctx.now - DRAFT_IDLE,
        not_before=ctx.now - timedelta(days=ctx.config.draft_ttl_days),
    )
    messages = []
    for draft in drafts:
        started = str(draft.data.get("started_at") or draft.updated_at.isoformat())
        messages.append(
            outbox.NewMessage(
                channel=draft.channel,
                chat_id=draft.external_id,
                identity_id=draft.identity_id,
                payload=Reply(text=t("reminder.draft")).model_dump(mode="json"),
                priority=outbox.PRIORITY_BULK,
                # Once per draft: the identity and when the draft was begun.
                dedupe_key=f"draft:{draft.identity_id}:{started}",
                batch="draft",
            )
        )
    queued = await outbox.enqueue(ctx.conn, messages, ctx.now)
    return {"drafts": len(drafts), "queued": queued}
