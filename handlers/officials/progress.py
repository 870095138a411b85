"""Live progress of bulk sends: one message to the official, replaced as it goes.

Every report has the same `replace_key`: channels that can edit messages edit the first
one; channels that cannot only show the reports marked not `minor` — each quarter of the
way and the end — as new messages. A final report follows as a message of its own.
"""

from __future__ import annotations

from datetime import datetime

from handlers.config import CoreConfig
from handlers.messages import t
from handlers.officials.fanout import send_to, target_of
from handlers.text import number
from handlers.types import Reply
from storage import bulk, outbox, zalo_templates
from storage.db import Connection

PENDING = ("queued", "retrying")
MILESTONES = 4


def _settled(counts: dict[str, int]) -> int:
    return sum(n for status, n in counts.items() if status not in PENDING)


def split_line(counts: dict[str, int], split: dict[str, int] | None) -> str:
    """ "Trong cửa sổ: 900 · mẫu tin: 80 · không gửi được: 20" where templates are in use."""
    if split is None:
        return ""
    text = "\n" + t(
        "templates.progress_split",
        window=number(counts.get("sent", 0) - split["template"]),
        template=number(split["template"]),
        unreachable=number(counts.get("unreachable", 0)),
    )
    if split["unknown"]:
        text += " " + t("templates.progress_unknown", unknown=number(split["unknown"]))
    if split["delivered"]:
        text += "\n" + t(
            "templates.progress_delivered",
            delivered=number(split["delivered"]),
            read=number(split["read"]),
        )
    return text


def progress_reply(
    sent: bulk.BulkSend,
    counts: dict[str, int],
    *,
    final: bool,
    minor: bool,
    split: dict[str, int] | None = None,
) -> Reply:
    """ "Đã gửi 1.234/5.000 · lỗi 3 · đã chặn 12" (edited in place where the channel can);
    with template messages in use, how many went in the window, by template, not at all."""
    text = t(
        "officials.progress.line",
        sent=number(counts.get("sent", 0)),
        total=number(sent.total),
        failed=number(counts.get("failed", 0)),
        blocked=number(counts.get("blocked", 0) + counts.get("unreachable", 0)),
    )
    if sent.unreachable:
        text += " " + t("officials.progress.unreachable", count=number(sent.unreachable))
    text += split_line(counts, split)
    head = t("officials.progress.done" if final else "officials.progress.sending")
    return Reply(text=f"{head}\n{text}", replace_key=f"progress:{sent.batch}", minor=minor)


def final_reply(
    sent: bulk.BulkSend, counts: dict[str, int], split: dict[str, int] | None = None
) -> Reply:
    """The report when every recipient is settled."""
    text = t(
        "officials.progress.final",
        kind=t(f"officials.bulk_kind.{sent.kind}"),
        preview=sent.text[:80],
        sent=number(counts.get("sent", 0)),
        total=number(sent.total),
        failed=number(counts.get("failed", 0)),
        blocked=number(counts.get("blocked", 0) + counts.get("unreachable", 0)),
        unreachable=number(sent.unreachable),
    )
    return Reply(text=text + split_line(counts, split))


def _quarter(counts: dict[str, int], total: int) -> int:
    return _settled(counts) * MILESTONES // total if total else MILESTONES


async def report_progress(conn: Connection, config: CoreConfig, now: datetime) -> dict[str, int]:
    """Report every unfinished bulk send whose counts moved; close the finished ones."""
    stats = {"reported": 0, "finished": 0}
    for item in await bulk.unfinished_bulks(conn):
        counts = await outbox.counts_by_status(conn, item.batch)
        done = not any(counts.get(s, 0) for s in PENDING)
        last = {k: int(v) for k, v in (item.last_counts or {}).items()}
        if counts == last and not done:
            continue
        seq = item.progress_seq
        target = await target_of(conn, item.created_by) if item.created_by else None
        if item.report and target is not None and (done or _settled(counts)):
            seq += 1
            milestone = _quarter(counts, item.total) != _quarter(last, item.total)
            split = (
                await zalo_templates.batch_split(conn, item.batch) if config.templates else None
            )
            reply = progress_reply(
                item, counts, final=done, minor=not (done or milestone), split=split
            )
            await send_to(conn, now, target, reply, f"progress:{item.batch}:{seq}")
            if done:
                final = final_reply(item, counts, split)
                await send_to(conn, now, target, final, f"report:{item.batch}")
            stats["reported"] += 1
        await bulk.record_progress(conn, item.id, counts, seq, now if done else None)
        stats["finished"] += int(done)
    return stats
