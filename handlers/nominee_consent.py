"""The nominee's consent to publication as evidence: the question (how it was obtained), the
guardian of a nominee under 16, the signed paper's photo, and how a recorded consent reads.

Used where a consent is vouched for: by the nominator while nominating, and by an official
in /nguoiduocdecu; read where it is checked: before publishing."""

from __future__ import annotations

from handlers.config import CoreConfig
from handlers.consent_texts import METHODS, NOMINEE_VERSION, nominee_text
from handlers.flows.base import Answer
from handlers.flows.engine import length_ok
from handlers.localtime import local_date_time
from handlers.messages import t
from handlers.turn import Option, Turn
from handlers.types import Attachment
from storage.consent import NewNomineeConsent, NomineeConsent

NOT_YET = "none"
GUARDIAN_LIMITS = (4, 120)


def method_options(*, with_not_yet: bool) -> list[Option]:
    """How the consent was obtained, as choices."""
    options = [Option(m, f"consent.method.{m}") for m in METHODS]
    return [*options, Option(NOT_YET, "consent.method.none")] if with_not_yet else options


def ask_method(turn: Turn, *, minor: bool, with_not_yet: bool) -> None:
    """Show the text to agree to, and ask how the nominee (or a guardian) agreed."""
    turn.say(
        "consent.ask_method",
        version=NOMINEE_VERSION,
        text=nominee_text(),
        minor=t("consent.minor_note") + "\n" if minor else "",
        options=method_options(with_not_yet=with_not_yet),
    )


def paper_photo(turn: Turn, answer: Answer) -> Attachment | None:
    """The photographed signed paper among what was sent (a picture, or a document); None
    (having asked again) for anything else."""
    for attachment in answer.attachments:
        if attachment.kind in ("photo", "document"):
            return attachment
    turn.say("consent.paper_expected")
    return None


def guardian(turn: Turn, answer: Answer) -> str | None:
    """The guardian's name and relation as typed; None (having said why) when too short or
    long."""
    text = answer.text or ""
    return text if length_ok(turn, text, GUARDIAN_LIMITS) else None


def new_consent(
    method: str, guardian: str | None, paper: Attachment | None, vouched_by: int
) -> NewNomineeConsent:
    """The record of a consent as someone vouches for it now, with the text they showed."""
    return NewNomineeConsent(
        text_version=NOMINEE_VERSION,
        text=nominee_text(),
        method=method,
        paper=paper.model_dump(mode="json") if paper else None,
        by_guardian=guardian is not None,
        guardian=guardian,
        vouched_by=vouched_by,
    )


def describe(
    consent: NomineeConsent,
    config: CoreConfig,
    *,
    vouched: str,
    confirmed: str | None = None,
) -> str:
    """One consent as an official reads it: version, how, who vouched, when, its state."""
    lines = [
        t(
            "consent.record",
            version=consent.text_version,
            method=t(f"consent.method.{consent.method}"),
            who=t("consent.by_guardian", guardian=consent.guardian)
            if consent.by_guardian
            else t("consent.by_nominee"),
            vouched=vouched,
            at=local_date_time(consent.given_at, config),
        )
    ]
    if consent.confirmed_at is not None and confirmed:
        lines.append(
            t("consent.confirmed", who=confirmed, at=local_date_time(consent.confirmed_at, config))
        )
    if consent.withdrawn_at is not None:
        lines.append(t("consent.withdrawn_on", at=local_date_time(consent.withdrawn_at, config)))
    return "\n".join(lines)


def guardian_missing(consent: NomineeConsent | None, minor: bool) -> bool:
    """Whether a nominee under 16 lacks a guardian's consent (publishing is refused)."""
    return minor and (consent is None or not consent.by_guardian)


def paper_media(consent: NomineeConsent) -> list[Attachment]:
    """The signed paper's photo, to show with the consent."""
    return [Attachment.model_validate(consent.paper)] if consent.paper else []


def summary(method: str | None, guardian: str | None) -> str:
    """The consent line of a nomination's summary."""
    if method is None:
        return t("nominate.consent.no")
    how = t(f"consent.method.{method}")
    if guardian:
        return t("nominate.consent.guardian", how=how, guardian=guardian)
    return t("nominate.consent.given", how=how)
