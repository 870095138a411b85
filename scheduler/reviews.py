"""Scheduled jobs of reviewing: the daily digest, SLA reminders, abandoned-draft reminders.

Each job only enqueues into the outbox (bulk priority, with a dedupe key) inside the
transaction that claims its firing; the delivery lanes send later. None calls a channel.
"""

from __future__ import annotations

from datetime import timedelta

from handlers import digest
from handlers.messages import t
from handlers.types import Choice, Reply
from scheduler.core import JobContext
from storage import bulk, digests, outbox
from storage.rows import Identity

# A draft untouched this long gets one reminder.
DRAFT_IDLE = timedelta(hours=24)


def _message(identity: Identity, reply: Reply, dedupe_key: str, batch: str) -> outbox.NewMessage:
    return outbox.NewMessage(
        channel=identity.channel,
        chat_id=identity.external_id,
        identity_id=identity.id,
        payload=reply.model_dump(mode="json"),
        priority=outbox.PRIORITY_BULK,
        dedupe_key=dedupe_key,
        batch=batch,
    )


async def send_digests(ctx: JobContext) -> dict[str, int]:
    """Queue each reviewer's digest; move every reviewer's watermark to this firing.

    A digest of several messages keeps one dedupe key per message (the first one's is
    `digest:<date>:<person>`), so a rerun never doubles any of them; for reviewers whose
    conversation is idle its lines also become the current menu, so a typed number opens one.
    """
    local_date = ctx.now.astimezone(ctx.config.timezone).date().isoformat()
    composed = await digest.compose(ctx.conn, ctx.now, ctx.config)
    wanted = [d for d in composed if d.worth_sending]
    reachable = await digests.latest_reachable(ctx.conn, [d.person_id for d in wanted])
    sent = [d for d in wanted if d.person_id in reachable]
    lines = await digest.lines_for(ctx.conn, sent)
    idle = await bulk.idle_menu_seqs(ctx.conn, [reachable[d.person_id].id for d in sent])
    messages: list[outbox.NewMessage] = []
    menus: list[tuple[int, int, dict[str, object]]] = []
    for d in sent:
        identity = reachable[d.person_id]
        parts = digest.render(d, lines, ctx.now, ctx.config)
        seq = idle.get(identity.id)
        prefix = f"{seq + 1}." if seq is not None else ""
        options = [[o.value, o.label] for p in parts for o in p.options]
        if seq is not None and options:
            menus.append((identity.id, seq + 1, {"seq": seq + 1, "options": options}))
        for n, part in enumerate(parts):
            reply = Reply(
                text=part.text,
                choices=[Choice(label=o.label, token=f"{prefix}{o.value}") for o in part.options],
                listed=True,
            )
            key = f"digest:{local_date}:{d.person_id}" + (f":{n + 1}" if n else "")
            messages.append(_message(identity, reply, key, f"digest:{local_date}"))
    queued = await outbox.enqueue(ctx.conn, messages, ctx.now)
    await bulk.set_idle_menus(ctx.conn, menus)
    await digests.set_marks(ctx.conn, [d.person_id for d in composed], ctx.now)
    return {
        "reviewers": len(composed),
        "queued": queued,
        "unreachable": len(wanted) - len(sent),
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
            Reply(text=t("reminder.sla", count=len(found), days=days, codes=", ".join(found[:20]))),
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
