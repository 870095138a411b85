"""Erasing a member, and anonymising or erasing a nominee, in every table that holds them.

A member's row stays as an empty placeholder so that the organisation's records (the
nominations they made, the decisions they took) keep someone to point at; everything that
was theirs is deleted or stripped. Files are not touched here: the functions return the
names of stored files no longer referenced, for the caller to delete after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from storage import redaction, retention
from storage.db import Connection
from storage.schema import (
    audit_log,
    commendations,
    consents,
    console_links,
    conversations,
    decisions,
    digest_marks,
    event_rsvps,
    evidence,
    identities,
    link_codes,
    link_requests,
    memberships,
    merges,
    nominations,
    nominee_consents,
    people,
    publications,
    review_events,
    review_levels,
    scores,
    sla_reminders,
    web_sessions,
    web_uploads,
)
from storage.web_sessions import PERSON, changed


@dataclass
class Erased:
    """What an erasure changed (counts per kind, for its audit entry) and the stored files
    that are no longer referenced."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


async def erase_member(
    conn: Connection,
    person_id: int,
    now: datetime,
    *,
    placeholder: str,
    needles: list[str],
    keep_browser: int | None = None,
) -> Erased:
    """Erase a member's personal data everywhere; their nominations stay, attributed to
    `placeholder`, and `needles` (their name, their number as people write it) are replaced
    in messages not yet stripped. `keep_browser` is the web chat account the erasure was
    asked from: it stays as a guest account (the page reads the last answer from it),
    linked to nobody."""
    person = (await conn.execute(select(people).where(people.c.id == person_id))).first()
    erased = Erased()
    if person is None or person.erased_at is not None:
        return erased
    # Their sessions end below (deleted or made a guest's): no instance may go on with them.
    changed(conn, PERSON, person_id)
    accounts = list(
        await conn.execute(
            select(identities.c.id, identities.c.channel, identities.c.external_id).where(
                identities.c.person_id == person_id
            )
        )
    )
    ids = [a.id for a in accounts]
    erased.counts["mentions"] = sum(
        (await redaction.replace_mentions(conn, needles, placeholder)).values()
    )
    erased.counts["evidence"], erased.files = await _unapproved_evidence(conn, person_id)
    uploads = list(
        await conn.execute(
            select(web_uploads.c.file_name).where(web_uploads.c.identity_id.in_(ids))
        )
    )
    kept = await retention.files_in_use(conn, [u[0] for u in uploads])
    erased.files += [u[0] for u in uploads if u[0] not in kept]
    await conn.execute(delete(web_uploads).where(web_uploads.c.identity_id.in_(ids)))
    for account in accounts:
        if account.id == keep_browser:
            await redaction.strip_sender(
                conn, [(account.channel, account.external_id)], forget_chat=False
            )
            await conn.execute(
                delete(conversations).where(conversations.c.identity_id == account.id)
            )
            await conn.execute(
                update(identities)
                .where(identities.c.id == account.id)
                .values(person_id=None, display_name=None)
            )
        else:
            await retention.forget_identity(
                conn, account.id, account.channel, account.external_id, now
            )
    erased.counts["accounts"] = len(accounts)
    await conn.execute(
        delete(web_sessions).where(
            web_sessions.c.person_id == person_id, web_sessions.c.identity_id.is_(None)
        )
    )
    await conn.execute(delete(link_codes).where(link_codes.c.person_id == person_id))
    await conn.execute(delete(console_links).where(console_links.c.person_id == person_id))
    await conn.execute(delete(link_requests).where(link_requests.c.person_id == person_id))
    for table in (consents, memberships, digest_marks, event_rsvps):
        result = await conn.execute(delete(table).where(table.c.person_id == person_id))
        erased.counts[table.name] = int(result.rowcount)
    # The audit trail keeps what was done (by an empty placeholder now), not what it said
    # about the person or their accounts.
    about = or_(
        (audit_log.c.object_type == "person") & (audit_log.c.object_id == person_id),
        (audit_log.c.object_type == "identity") & audit_log.c.object_id.in_(ids),
        audit_log.c.actor_id == person_id,
    )
    result = await conn.execute(update(audit_log).where(about).values(detail={}))
    erased.counts["audit"] = int(result.rowcount)
    await conn.execute(
        update(people)
        .where(people.c.id == person_id)
        .values(
            full_name=placeholder,
            phone=None,
            erased_at=now,
            consent_withdrawn_at=now,
        )
    )
    return erased


async def _unapproved_evidence(conn: Connection, person_id: int) -> tuple[int, list[str]]:
    """Delete the evidence a member sent to nominations that were not approved."""
    rows = list(
        await conn.execute(
            select(evidence.c.id, evidence.c.channel, evidence.c.file_ref, evidence.c.clean_file)
            .join(nominations, nominations.c.id == evidence.c.nomination_id)
            .where(evidence.c.added_by == person_id, nominations.c.status != "approved")
        )
    )
    batch = await retention.drop_evidence_rows(conn, [(r[0], r[1], r[2], r[3]) for r in rows])
    return batch.rows, batch.files


# ----------------------------------------------------------------------------- nominees
NOMINEE_TABLES = (review_levels, review_events, scores, commendations, sla_reminders)


async def _forget_nominee(
    conn: Connection, nomination_id: int, placeholder: str, needles: list[str]
) -> Erased:
    """What anonymising and erasing share: the nomination's evidence, consent records and
    publication go, its audit entries lose their details, messages lose the nominee's name."""
    erased = Erased()
    # A decision's label is what its maker was shown: a publication's is its title, the
    # nominee's name. The decision stays (who decided what, when); the name goes.
    pages = select(publications.c.id).where(publications.c.nomination_id == nomination_id)
    await conn.execute(
        update(decisions)
        .where(decisions.c.kind == "publish", decisions.c.object_id.in_(pages))
        .values(label=placeholder)
    )
    batch = await _nomination_files(conn, nomination_id)
    erased.counts["evidence"], erased.files = batch.rows, batch.files
    await conn.execute(
        update(audit_log)
        .where(audit_log.c.object_type == "nomination", audit_log.c.object_id == nomination_id)
        .values(detail={})
    )
    erased.counts["mentions"] = sum(
        (await redaction.replace_mentions(conn, needles, placeholder)).values()
    )
    return erased


async def _nomination_files(conn: Connection, nomination_id: int) -> retention.Batch:
    """Delete a nomination's evidence, its consent records and its publication; the files."""
    rows = list(
        await conn.execute(
            select(
                evidence.c.id, evidence.c.channel, evidence.c.file_ref, evidence.c.clean_file
            ).where(evidence.c.nomination_id == nomination_id)
        )
    )
    batch = await retention.drop_evidence_rows(conn, [(r[0], r[1], r[2], r[3]) for r in rows])
    published = list(
        await conn.execute(
            select(*retention.PUBLICATION_FILES).where(
                publications.c.nomination_id == nomination_id
            )
        )
    )
    batch.files += [str(name) for row in published for name in row if name]
    await conn.execute(delete(publications).where(publications.c.nomination_id == nomination_id))
    papers = list(
        await conn.execute(
            select(nominee_consents.c.paper).where(
                nominee_consents.c.nomination_id == nomination_id
            )
        )
    )
    batch.files += [
        str(p["file_ref"])
        for (p,) in papers
        if isinstance(p, dict) and p.get("channel") == "web" and p.get("file_ref")
    ]
    await conn.execute(
        delete(nominee_consents).where(nominee_consents.c.nomination_id == nomination_id)
    )
    return batch


async def anonymise_nominee(
    conn: Connection, nomination_id: int, now: datetime, *, placeholder: str, needles: list[str]
) -> Erased:
    """Keep the nomination for the figures (kind, field, unit, status, dates) without anyone
    in it: name, birth year, place, phone, story, notes, evidence, consent and page go."""
    erased = await _forget_nominee(conn, nomination_id, placeholder, needles)
    await conn.execute(
        update(review_events)
        .where(review_events.c.nomination_id == nomination_id, review_events.c.note.is_not(None))
        .values(note=placeholder)
    )
    await conn.execute(
        update(nominations)
        .where(nominations.c.id == nomination_id)
        .values(
            nominee_name=placeholder,
            nominee_key="",
            birth_year=None,
            place=placeholder,
            achievement=placeholder,
            contact_phone=None,
            consent_public=False,
            anonymised_at=now,
            updated_at=now,
        )
    )
    return erased


async def erase_nomination(
    conn: Connection, nomination_id: int, *, placeholder: str, needles: list[str]
) -> Erased:
    """Delete a nomination and everything attached to it (its audit entries lose their
    details); duplicates merged into it are left pointing at nothing."""
    erased = await _forget_nominee(conn, nomination_id, placeholder, needles)
    for table in NOMINEE_TABLES:
        await conn.execute(delete(table).where(table.c.nomination_id == nomination_id))
    await conn.execute(
        delete(merges).where(
            or_(merges.c.nomination_id == nomination_id, merges.c.into_id == nomination_id)
        )
    )
    await conn.execute(delete(nominations).where(nominations.c.id == nomination_id))
    return erased
