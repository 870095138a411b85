"""What an official does for a nominee who asks (nominees are not users): read everything held
about them, correct it, record or withdraw their consent to publication, anonymise or erase
them. Each act is checked against the official's scope and audited with who and why."""

from __future__ import annotations

from handlers import nominee_consent
from handlers.consent_texts import needs_guardian
from handlers.flows import publish
from handlers.localtime import local_date
from handlers.messages import t
from handlers.roles import Role, in_scope, scopes
from handlers.text import display_phone, fold, normalize_phone, phone_forms
from handlers.turn import Turn
from handlers.types import Attachment, Reply
from storage import audit, consent, erasure, nominees, outbox, people, publications
from storage.nominees import Found, NomineeRecord

FIELD_LIMITS = {
    "nominee_name": (2, 120),
    "place": (2, 200),
    "achievement": (20, 3000),
}


def official_scopes(turn: Turn) -> list[str]:
    """Where the sender may act for nominees: units where they are an official or admin."""
    return scopes(turn.memberships, Role.OFFICIAL)


async def in_reach(turn: Turn, nomination_id: int | None) -> Found | None:
    """The nomination, re-checked now: it exists and lies in the official's scope."""
    found = await nominees.get(turn.conn, nomination_id or 0)
    if found is None or not in_scope(found.unit_path, official_scopes(turn)):
        return None
    return found


async def search(turn: Turn, typed: str, limit: int) -> list[Found]:
    """Nominations in scope whose nominee's name (with or without diacritics) or phone
    matches what the official typed."""
    phone = normalize_phone(typed)
    folded = fold(typed) if phone is None else None
    found = await nominees.search(turn.conn, folded, phone, limit * 5)
    return [f for f in found if in_scope(f.unit_path, official_scopes(turn))][:limit]


def minor(turn: Turn, found: Found) -> bool:
    """Whether the nominee is under 16 (a guardian consents for them)."""
    return needs_guardian(found.nomination.kind, found.nomination.birth_year, turn.now)


async def render(turn: Turn, held: NomineeRecord) -> tuple[str, list[Attachment]]:
    """Everything held about the nominee, and the signed consent paper if any."""
    n = held.found.nomination
    none = t("mydata.none")
    consents = []
    media: list[Attachment] = []
    for c in held.consents:
        vouched = await _name(turn, c.vouched_by)
        confirmed = await _name(turn, c.confirmed_by) if c.confirmed_by else None
        consents.append(
            nominee_consent.describe(c, turn.config, vouched=vouched, confirmed=confirmed)
        )
        if c.withdrawn_at is None:
            media = nominee_consent.paper_media(c)
    kinds = ", ".join(sorted({e.kind for e in held.evidence})) or none
    publication = none
    if held.publication_status is not None:
        publication = t(
            f"nominee.publication.{held.publication_status}",
            url=f"{turn.config.public_base_url}/vinh-danh/{held.publication_slug}",
        )
    text = t(
        "nominee.record",
        code=n.code,
        status=t(f"status.{n.status}"),
        unit=held.found.unit_name,
        kind=t(f"nominate.kind.{n.kind}"),
        name=n.nominee_name,
        birth_year=n.birth_year or none,
        place=n.place,
        field=t(f"nominate.field.{n.field}"),
        phone=display_phone(n.contact_phone) if n.contact_phone else none,
        achievement=n.achievement,
        evidence=len(held.evidence),
        kinds=kinds,
        consents="\n".join(consents) or t("nominee.no_consent"),
        publication=publication,
        notes=held.review_notes,
        commendations=held.commendations,
        reporter=held.reporter,
        submitted=local_date(n.submitted_at, turn.config),
        minor=t("nominee.minor") + "\n" if minor(turn, held.found) else "",
    )
    return text, media


async def _name(turn: Turn, person_id: int | None) -> str:
    person = await people.get_person(turn.conn, person_id) if person_id else None
    return person.full_name if person else "?"


def parse_value(field: str, text: str) -> tuple[str | int | None, str | None]:
    """(the new value, None) or (None, an error key) for a typed correction."""
    if field == "birth_year":
        if text.strip() in ("-", "0") or fold(text) in ("xoa", "khong"):
            return None, None
        return (int(text), None) if text.strip().isdigit() else (None, "nominee.bad_year")
    if field == "contact_phone":
        if fold(text) in ("xoa", "khong", "-"):
            return None, None
        phone = normalize_phone(text)
        return (phone, None) if phone else (None, "join.phone_invalid")
    low, high = FIELD_LIMITS[field]
    if not low <= len(text) <= high:
        return None, "nominee.bad_length"
    return text, None


async def _audit(turn: Turn, action: str, nomination_id: int, **detail: object) -> None:
    assert turn.person is not None
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action=f"nominee.{action}",
        object_type="nomination",
        object_id=nomination_id,
        detail=detail,
    )


async def correct(
    turn: Turn, found: Found, field: str, value: str | int | None, reason: str
) -> None:
    """Correct one field of the nominee's data."""
    folded = fold(value) if field == "nominee_name" and isinstance(value, str) else None
    await nominees.correct(
        turn.conn, found.nomination.id, field, value, turn.now, folded_name=folded
    )
    await _audit(turn, "corrected", found.nomination.id, field=field, reason=reason)


async def record_consent(
    turn: Turn,
    found: Found,
    method: str,
    guardian: str | None,
    paper: Attachment | None,
    reason: str,
) -> None:
    """Record the nominee's consent to publication, vouched for by the official."""
    assert turn.person is not None
    new = nominee_consent.new_consent(method, guardian, paper, turn.person.id)
    await consent.record_nominee(turn.conn, found.nomination.id, new, turn.now)
    await _audit(
        turn,
        "consent_recorded",
        found.nomination.id,
        method=method,
        guardian=guardian is not None,
        reason=reason,
    )


async def withdraw_consent(turn: Turn, found: Found, reason: str) -> bool:
    """The nominee withdraws consent: the page, card and channel post go at once. Returns
    whether a publication was taken down."""
    nomination_id = found.nomination.id
    taken_down = False
    for published in await publications.published_in_scopes(turn.conn, [found.unit_path], 10_000):
        if published.nomination_id == nomination_id:
            await publish.withdraw(turn, published)
            taken_down = True
    assert turn.person is not None
    await consent.withdraw_nominee(turn.conn, nomination_id, turn.person.id, turn.now)
    await _audit(turn, "consent_withdrawn", nomination_id, reason=reason, taken_down=taken_down)
    return taken_down


def _needles(found: Found) -> list[str]:
    n = found.nomination
    return [n.nominee_name, *(phone_forms(n.contact_phone) if n.contact_phone else [])]


async def anonymise(turn: Turn, found: Found, reason: str) -> None:
    """Keep the record for the figures with nobody in it."""
    erased = await erasure.anonymise_nominee(
        turn.conn,
        found.nomination.id,
        turn.now,
        placeholder=t("privacy.anonymised_nominee"),
        needles=_needles(found),
    )
    await _withdraw_post(turn, found)
    await _audit(turn, "anonymised", found.nomination.id, reason=reason, counts=erased.counts)
    turn.cleanup.files += erased.files
    turn.cleanup.texts += _needles(found)
    turn.cleanup.scrub = True


async def erase(turn: Turn, found: Found, reason: str) -> None:
    """Delete the nomination and everything attached to it."""
    await _withdraw_post(turn, found)
    erased = await erasure.erase_nomination(
        turn.conn,
        found.nomination.id,
        placeholder=t("privacy.anonymised_nominee"),
        needles=_needles(found),
    )
    await _audit(
        turn,
        "erased",
        found.nomination.id,
        reason=reason,
        code=found.nomination.code,
        counts=erased.counts,
    )
    turn.cleanup.files += erased.files
    turn.cleanup.texts += _needles(found)
    turn.cleanup.scrub = True


async def _withdraw_post(turn: Turn, found: Found) -> None:
    """Edit the public channel's post away before the publication's row goes."""
    held = await nominees.record(turn.conn, found)
    if held.publication_status != "published" or turn.config.public_channel is None:
        return
    channel, chat_id = turn.config.public_channel
    for published in await publications.published_in_scopes(turn.conn, [found.unit_path], 10_000):
        if published.nomination_id == found.nomination.id:
            reply = Reply(
                text=t("officials.publish.withdrawn_post"),
                replace_key=f"publication:{published.id}",
            )
            message = outbox.NewMessage(
                channel=channel,
                chat_id=chat_id,
                identity_id=None,
                payload=reply.model_dump(mode="json"),
                dedupe_key=f"unpublish:{published.id}:{int(turn.now.timestamp())}",
            )
            await outbox.enqueue(turn.conn, [message], turn.now)
