"""The review card: one nomination with everything a reviewer needs to decide it."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from handlers.messages import t
from handlers.permissions import Action, scope_of
from handlers.text import fold
from handlers.turn import Option, Turn
from handlers.types import LOCAL_FILES, Attachment
from storage import campaigns, criteria, nominations, reviews
from storage.db import Connection
from storage.reviews import ReviewItem
from storage.units import get_unit

# Unit kinds that are a commune-level area: duplicates are looked for within one of them.
COMMUNE_KINDS = frozenset({"commune", "ward", "township", "special_zone"})
# Names at least this similar (0..1, without diacritics and case) are a possible duplicate.
SIMILARITY = 0.85
# Photos (and other files) sent with the card; the rest are counted.
CARD_MEDIA = 10


def same_nominee(a: str, b: str) -> bool:
    """Whether two nominee names probably mean the same person (diacritics, case, typos)."""
    left, right = fold(a), fold(b)
    if not left or not right:
        return False
    return left == right or SequenceMatcher(None, left, right).ratio() >= SIMILARITY


async def area_path(conn: Connection, item: ReviewItem) -> str:
    """The commune (or ward) the nomination comes from; its own unit when there is none."""
    for unit_id in reversed(criteria.ancestor_ids(item.unit_path)):
        unit = await get_unit(conn, unit_id)
        if unit is not None and unit.kind in COMMUNE_KINDS:
            return unit.path
    return item.unit_path


async def find_duplicate(conn: Connection, item: ReviewItem) -> tuple[int, str] | None:
    """(id, code) of an earlier live nomination of the same nominee in the same commune."""
    area = await area_path(conn, item)
    for other_id, code, key, _status in await reviews.similar_candidates(conn, area, item.id):
        if same_nominee(key, item.nominee_key):
            return other_id, code
    return None


def reviewer_scopes(turn: Turn) -> list[str]:
    """Where the sender may review: the units where they hold reviewer rank or above."""
    return scope_of(turn.memberships, Action.OPEN)


async def _score_line(conn: Connection, item: ReviewItem) -> tuple[str, bool]:
    """The card's score line, and whether there are criteria to score against."""
    _, items = await criteria.effective_set(conn, item.deciding_path, item.field)
    if not items:
        return t("review.card.no_criteria"), False
    total, maximum, scored = criteria.weighted_total(items, await criteria.scores_of(conn, item.id))
    if scored == 0:
        return t("review.card.not_scored", count=len(items)), True
    return t(
        "review.card.score",
        total=_number(total),
        max=_number(maximum),
        scored=scored,
        count=len(items),
    ), True


def _number(value: float) -> str:
    """1.5 -> "1,5" (Vietnamese decimal comma), 2.0 -> "2"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


async def _history_lines(conn: Connection, item: ReviewItem) -> list[str]:
    lines = []
    for event in await reviews.events_of(conn, item.id):
        if event.action in ("needs_info", "answer", "forward") and event.note:
            lines.append(t(f"review.card.history.{event.action}", note=event.note))
    return lines[-4:]


async def show_card(
    turn: Turn,
    item: ReviewItem,
    duplicate: tuple[int, str] | None,
    can_forward: bool,
    extra: Sequence[Option] = (),
) -> None:
    """Say the card, with its evidence and the actions the reviewer may take (`extra`: the
    undo of the decision just made, while it can be undone)."""
    conn = turn.conn
    none = t("nominate.none")
    campaign = none
    if item.campaign_id is not None:
        call = await campaigns.get_campaign(conn, item.campaign_id)
        campaign = call.title if call else none
    files = await nominations.evidence_of(conn, item.id)
    media = [
        # A platform's picture is shown as its clean copy (bot/media_fetch.py) once made.
        Attachment(kind="photo", file_ref=f.clean_file, channel=LOCAL_FILES, mime="image/jpeg")
        if f.clean_file
        else Attachment.model_validate(
            {"kind": f.kind, "file_ref": f.file_ref, "channel": f.channel, "mime": f.mime}
        )
        for f in files[:CARD_MEDIA]
    ]
    birth = f", {item.birth_year}" if item.birth_year else ""
    score, scorable = await _score_line(conn, item)
    lines = [
        t(
            "review.card",
            code=item.code,
            status=t(f"status.{item.status}"),
            name=item.nominee_name,
            kind=t(f"nominate.kind.{item.kind}") + birth,
            field=t(f"nominate.field.{item.field}"),
            place=item.place,
            achievement=item.achievement,
            reporter=item.reporter_name,
            unit=item.unit_name,
            evidence=len(files),
            campaign=campaign,
            level=item.deciding_name,
            date=item.submitted_at.astimezone(turn.config.timezone).strftime("%d/%m/%Y"),
            score=score,
        )
    ]
    lines += await _history_lines(conn, item)
    if duplicate is not None:
        lines.append(t("review.card.duplicate", code=duplicate[1]))
    # The card on screen is not among those still waiting after it.
    others = await reviews.count_waiting(conn, reviewer_scopes(turn)) - 1
    lines.append(t("review.card.waiting", count=others) if others > 0 else t("review.card.last"))
    options = [
        Option("approve", "review.choice.approve"),
        Option("ask", "review.choice.ask"),
        Option("reject", "review.choice.reject"),
    ]
    if scorable:  # "Chấm điểm" only where a criteria set applies
        options.append(Option("score", "review.choice.score"))
    if can_forward:
        options.append(Option("forward", "review.choice.forward"))
    if duplicate is not None:
        options.append(Option("merge", label_text=t("review.choice.merge", code=duplicate[1])))
    options += [Option("next", "review.choice.next"), Option("stop", "review.choice.stop")]
    options += extra
    turn.say_text("\n".join(lines), options=options, media=media)
