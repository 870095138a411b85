"""The texts people agree to, with their versions: a member's consent to their data being
kept (which names its purposes, retention periods and platforms), and a nominee's consent to
being publicised. A new wording is a new version; what was agreed is stored as shown."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers.messages import CATALOG, t

# Only a type here: the stock PTB baseline in bench/ imports these texts without pydantic.
if TYPE_CHECKING:
    from handlers.config import CoreConfig

MEMBER_VERSION = "2026-12-v2"
NOMINEE_VERSION = "cong-khai-2026-12-v1"
# Under this age (from the birth year) a guardian consents to publication.
GUARDIAN_BELOW = 16
METHODS = ("in_person", "phone", "paper")


def member_text(config: CoreConfig) -> str:
    """The member's consent as shown and stored, with this deployment's retention periods."""
    return t(
        "consent.member_text",
        message_days=config.message_retention.days,
        draft_days=config.draft_ttl_days,
        evidence_days=config.rejected_evidence_retention.days,
        export_hours=int(config.export_retention.total_seconds() // 3600),
    )


def nominee_text() -> str:
    """What a nominee (or their guardian) agrees to, to be publicised."""
    return t("consent.nominee_text")


def needs_guardian(kind: str | None, birth_year: int | None, now: datetime) -> bool:
    """Whether an individual nominee is under 16 this year (from the birth year alone)."""
    return (
        kind == "individual" and birth_year is not None and now.year - birth_year < GUARDIAN_BELOW
    )


def app_name(channel: str) -> str:
    """The chat app of a channel, as a sentence names it ("Zalo", "trình duyệt web")."""
    key = f"privacy.app.{channel}"
    return t(key) if key in CATALOG else channel
