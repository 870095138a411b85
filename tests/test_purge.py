"""The retention purge under an injected clock: what goes when, what stays, that a second run
finds nothing, that two schedulers on one database purge a slot once, and the CLI's dry run."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update

from bot import cli_ops
from bot.app import Application
from scheduler.core import BatchContext, Scheduler
from scheduler.registry import build_jobs
from scheduler.retention import purge as retention_purge
from storage.people import create_person
from storage.schema import (
    audit_log,
    conversations,
    evidence,
    identities,
    inbox,
    job_runs,
    nominations,
    outbox,
    publications,
)
from storage.units import get_unit_by_code
from tests.support.clock import FakeClock
from tests.support.nominating import nominate
from tests.support.people import Invite, MakeChat, person

ROOT = Path(__file__).resolve().parents[1]


async def purge(app: Application) -> dict[str, int]:
    result = await app.scheduler.fire_interval("purge")
    assert result is not None
    return result


async def totals(app: Application) -> tuple[int, int]:
    """Rows in the inbox and the outbox."""
    async with app.db.read() as conn:
        ins = (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()
        outs = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
    return int(ins), int(outs)


async def unstripped(app: Application) -> tuple[int, int]:
    async with app.db.read() as conn:
        ins = (await conn.execute(select(inbox.c.payload))).scalars().all()
        outs = (await conn.execute(select(outbox.c.payload))).scalars().all()
    return (
        sum(1 for p in ins if not p.get("redacted")),
        sum(1 for p in outs if not p.get("redacted")),
    )


async def test_what_goes_when_and_what_stays(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    official = await person(chat, invite, "can-bo", "Lê Văn Cán", "X-AN-BINH", "official")
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    lan = await person(chat, invite, "lan", "Phạm Thị Lan", "X-AN-BINH-HPN")
    await nominate(hoa, "Nguyễn Thị Rớt")
    await nominate(hoa, "Nguyễn Thị Đạt")
    await nominate(lan, "Lê Văn Dở", consent=None)  # a draft left open, with its photo
    guest = chat("guest")
    await guest.send("xin chào")
    await guest.expect("hãy gõ mã mời")
    async with app.db.write() as conn:  # decided now: the first rejected, the second approved
        await conn.execute(
            update(nominations)
            .where(nominations.c.id == 1)
            .values(status="rejected", updated_at=clock())
        )
        await conn.execute(
            update(nominations).where(nominations.c.id == 2).values(status="approved")
        )
        files = dict(
            (await conn.execute(select(evidence.c.nomination_id, evidence.c.file_ref))).all()
        )
    await official.send("/xuat")
    await official.expect("Tệp Excel")
    media = app.settings.media_dir
    assert len(list(media.glob("x*.xlsx"))) == 1
    start = await totals(app)

    clock.advance(hours=7)
    first = await purge(app)
    assert first["exports_deleted"] == 1 and first["inbox_stripped"] == 0
    assert list(media.glob("x*.xlsx")) == []
    assert await app.scheduler.fire_interval("purge") is None  # this slot is done

    clock.advance(days=3)
    await hoa.send("/cuatoi")  # a new message, kept in full
    await hoa.expect("Các đề cử của bạn (2)")
    stripped = await purge(app)
    assert stripped["inbox_stripped"] == start[0] and stripped["outbox_stripped"] == start[1]
    assert await unstripped(app) == (1, 2)  # /cuatoi and its two replies
    again = await purge_next(app, clock)
    assert all(count == 0 for count in again.values()), again

    clock.advance(days=28)
    drafts = await purge(app)
    assert drafts["drafts_dropped"] == 1 and drafts["uploads_deleted"] == 1
    assert drafts["strangers_forgotten"] == 1
    async with app.db.read() as conn:
        open_flows = (
            await conn.execute(
                select(conversations.c.flow).where(conversations.c.flow.is_not(None))
            )
        ).all()
        forgotten = (
            (
                await conn.execute(
                    select(identities.c.external_id).where(identities.c.person_id.is_(None))
                )
            )
            .scalars()
            .all()
        )
    assert open_flows == []
    assert len(forgotten) == 1 and forgotten[0].startswith("~")
    assert (media / files[1]).exists() and (media / files[2]).exists()

    clock.advance(days=60)
    rejected = await purge(app)
    assert rejected["rejected_evidence_deleted"] == 1 and rejected["job_runs_pruned"] >= 2
    assert not (media / files[1]).exists() and (media / files[2]).exists()

    async with app.db.read() as conn:
        audits = (await conn.execute(select(func.count()).select_from(audit_log))).scalar_one()
    clock.advance(days=640)
    old = await purge(app)
    assert old["audit_pruned"] == audits
    assert all(count == 0 for count in (await purge_next(app, clock)).values())
    # Nominations are the organisation's records: they stay.
    async with app.db.read() as conn:
        kept = (await conn.execute(select(func.count()).select_from(nominations))).scalar_one()
    assert kept == 2
    for client in (official, hoa, lan, guest):
        client.signed_out = True  # their sessions ended long ago


async def purge_next(app: Application, clock: FakeClock) -> dict[str, int]:
    """The next slot's purge (a second run of the same rules)."""
    clock.advance(hours=1)
    return await purge(app)


async def test_two_schedulers_purge_a_slot_once(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    other = Scheduler(app.db, app.config, clock, build_jobs(app.settings.digest_at))
    clock.advance(days=4)
    results = await asyncio.gather(
        app.scheduler.fire_interval("purge"), other.fire_interval("purge")
    )
    done = [r for r in results if r is not None]
    assert len(done) == 1 and done[0]["inbox_stripped"] > 0
    async with app.db.read() as conn:
        claims = (
            await conn.execute(
                select(job_runs.c.key, job_runs.c.finished_at).where(job_runs.c.job == "purge")
            )
        ).all()
    assert len(claims) == 1 and claims[0][1] is not None


async def test_the_cli_dry_run_changes_nothing(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock, tmp_path: Path
) -> None:
    await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    before = await totals(app)
    later = clock() + timedelta(days=4)
    counts = await cli_ops.purge(app.db, app.settings, later, dry_run=True)
    assert counts["inbox_stripped"] == before[0] and counts["outbox_stripped"] == before[1]
    assert await unstripped(app) == (before[0] - 1, before[1])  # the invite code: at once
    report = cli_ops.purge_report(counts, dry_run=True)
    assert report.startswith("would go (dry run):")
    assert f"{before[0]:>8}  inbox messages stripped of their content" in report
    applied = await cli_ops.purge(app.db, app.settings, later, dry_run=False)
    assert applied["inbox_stripped"] == before[0]
    assert await unstripped(app) == (0, 0)
    # The command itself, as an operator runs it.
    env = {
        **os.environ,
        "DATABASE_URL": app.settings.database_url,
        "MEDIA_DIR": str(app.settings.media_dir),
        "PYTHONPATH": str(ROOT),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "purge", "--dry-run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("would go (dry run):")
    assert "0  inbox messages stripped" in done.stdout


async def test_a_withdrawn_publication_keeps_no_picture_of_the_nominee(
    app: Application, chat: MakeChat, invite: Invite, clock: FakeClock
) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate(hoa, "Nguyễn Thị Mai")
    media = app.settings.media_dir
    names = ["card-left.jpg", "picture-left.jpg", "thumb-left.jpg"]
    for name in names:  # left behind by a withdrawal cut short
        (media / name).write_bytes(b"\xff\xd8 a picture of the nominee")
    async with app.db.write() as conn:
        person_id = (await conn.execute(select(nominations.c.reporter_id))).scalar_one()
        await conn.execute(
            insert(publications).values(
                nomination_id=1,
                slug="nguyen-thi-mai-1",
                title="Nguyễn Thị Mai",
                subtitle="Xã An Bình",
                story="…",
                card=names[0],
                picture=names[1],
                thumb=names[2],
                status="withdrawn",
                published_by=person_id,
                published_at=clock(),
                withdrawn_at=clock(),
            )
        )
    first = await purge(app)
    assert first["withdrawn_cards_deleted"] == 1
    assert not any((media / name).exists() for name in names)
    async with app.db.read() as conn:
        row = (await conn.execute(select(publications))).one()
    assert row.card is row.picture is row.thumb is None
    assert (await purge_next(app, clock))["withdrawn_cards_deleted"] == 0


async def test_rejected_evidence_goes_in_batches_each_after_the_last(
    app: Application, clock: FakeClock
) -> None:
    """Evidence of rejected nominations goes in batches that each start after the last row
    the previous one took (PostgreSQL kept walking past the deleted rows): every rejected
    one goes, whatever batch it falls in, and the evidence of the others stays."""
    now = clock()
    async with app.db.write() as conn:
        unit = await get_unit_by_code(conn, "X-AN-BINH-HPN")
        assert unit is not None
        reporter = await create_person(conn, "Người đề cử", None, now)
        for n in range(1, 36):
            await conn.execute(
                insert(nominations).values(
                    id=n,
                    code=f"GS-2026-{n:06d}",
                    reporter_id=reporter.id,
                    unit_id=unit.id,
                    kind="individual",
                    nominee_name=f"Người {n}",
                    nominee_key=f"nguoi {n}",
                    place="Thôn 3",
                    field="good_deed",
                    achievement="Giúp người nghèo",
                    consent_public=False,
                    status="rejected" if n % 3 == 0 else "approved",
                    submitted_at=now,
                    updated_at=now,
                )
            )
            for copy in range(2):  # two pieces each, interleaved by id
                await conn.execute(
                    insert(evidence).values(
                        nomination_id=n,
                        kind="photo",
                        channel="zalo_oa",
                        file_ref=f"https://f1.photo.talk.zdn.vn/{n}-{copy}.jpg",
                        added_at=now,
                        added_by=reporter.id,
                    )
                )
    config = app.config.model_copy(update={"purge_batch": 10})
    took: list[tuple[str, int]] = []
    result = await retention_purge(
        BatchContext(
            db=app.db, now=now + app.config.rejected_evidence_retention * 2, config=config
        ),
        on_batch=lambda rule, batch: took.append((rule, batch.rows)),
    )
    assert result["rejected_evidence_deleted"] == 22
    assert [rows for rule, rows in took if rule == "rejected_evidence_deleted"] == [10, 10, 2]
    async with app.db.read() as conn:
        left = (await conn.execute(select(evidence.c.nomination_id))).scalars().all()
    assert sorted(set(left)) == [n for n in range(1, 36) if n % 3]
    assert len(left) == 2 * 24
