"""The nomination conversation (PRODUCT.md steps 1–11). Diagram: nominate.mmd."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum, auto
from typing import ClassVar

from pydantic import Field, field_serializer

from handlers import nominee_consent
from handlers.consent_texts import METHODS, needs_guardian
from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult, says
from handlers.localtime import start_of_local_day
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import Role, scopes
from handlers.text import display_phone, fold, normalize_phone, tidy_name, words_with_letters
from handlers.turn import Option, Turn, option_id
from handlers.types import Attachment
from storage import audit, campaigns, consent, inbox, nominations
from storage.units import get_unit

KINDS = ("individual", "collective", "household")
FIELDS = ("labour", "business", "study", "work", "defence", "good_deed", "other")
NAME_LIMITS = (2, 120)
PLACE_LIMITS = (2, 200)
ACHIEVEMENT_LIMITS = (20, 3000)
SKIP = Option("skip", "common.choice.skip")


class NominateStep(StrEnum):
    """The questions of a nomination, in order, then the summary and the edit menu."""

    CAMPAIGN = auto()
    KIND = auto()
    NAME = auto()
    BIRTH_YEAR = auto()
    PLACE = auto()
    FIELD = auto()
    ACHIEVEMENT = auto()
    EVIDENCE = auto()
    PHONE = auto()
    CONSENT = auto()
    REVIEW = auto()
    EDIT = auto()
    # After CONSENT: a guardian's name (nominee under 16), the signed paper's photo.
    GUARDIAN = auto()
    PAPER = auto()


Next = StepResult[NominateStep]


# What the summary's "Sửa" offers: each value is the step that asks it again.
NOT_EDITED = (NominateStep.REVIEW, NominateStep.EDIT, NominateStep.GUARDIAN, NominateStep.PAPER)
EDITABLE = {s.value: s for s in NominateStep if s not in NOT_EDITED}


class NominateDraft(Draft):
    """A nomination being written; `editing` once the member has seen the summary."""

    RENAMED: ClassVar[dict[str, str]] = {"name": "nominee_name", "phone": "contact_phone"}

    # Written as before: the abandoned-draft reminder (scheduler/reviews.py) dedupes on it.
    started_at: datetime
    campaign_id: int | None = None
    kind: str | None = None
    nominee_name: str | None = None
    birth_year: int | None = None
    place: str | None = None
    field: str | None = None
    achievement: str | None = None
    evidence: list[Attachment] = Field(default_factory=list)
    contact_phone: str | None = None
    # Whether the nominee agreed to be publicised: kept for drafts of earlier versions; the
    # consent counts only with how it was obtained (consent_method), see handlers/nominee_consent.
    consent_public: bool = False
    consent_method: str | None = None
    consent_guardian: str | None = None
    consent_paper: Attachment | None = None
    editing: bool = False

    @field_serializer("started_at")
    def _started_at_as_before(self, value: datetime) -> str:
        return value.isoformat()


async def begin(
    turn: Turn,
    campaign_id: int | None = None,
    *,
    story: str | None = None,
    files: Sequence[Attachment] = (),
) -> None:
    """Start a nomination; a call may already be chosen (from its "Đề cử ngay"), and a
    story or files the member sent before starting may be taken along."""
    if await daily_cap_reached(turn):
        show_main_menu(turn, "nominate.daily_cap", cap=turn.config.nominations_per_day)
        return
    open_calls = await campaigns.open_campaigns_for(
        turn.conn, scopes(turn.memberships, Role.MEMBER), turn.now
    )
    turn.say("nominate.intro")
    draft = NominateDraft(started_at=turn.now)
    text = " ".join((story or "").split())
    if ACHIEVEMENT_LIMITS[0] <= len(text) <= ACHIEVEMENT_LIMITS[1]:
        draft.achievement = text
    draft.evidence = [f for f in files if f.kind != "sticker"][: turn.config.max_evidence]
    if draft.achievement or draft.evidence:
        turn.say("nominate.kept", chars=len(draft.achievement or ""), files=len(draft.evidence))
    if campaign_id is not None and any(c.id == campaign_id for c in open_calls):
        draft.campaign_id = campaign_id
    ask_call = open_calls and draft.campaign_id is None
    await engine.start(turn, FLOW, NominateStep.CAMPAIGN if ask_call else NominateStep.KIND, draft)


async def daily_cap_reached(turn: Turn) -> bool:
    """Whether the member has submitted as many nominations today as one may per day."""
    cap = turn.config.nominations_per_day
    if cap <= 0 or turn.person is None:
        return False
    midnight = start_of_local_day(turn.now, turn.config)
    return await nominations.count_submitted_since(turn.conn, turn.person.id, midnight) >= cap


def _next(draft: NominateDraft, step: NominateStep) -> NominateStep:
    """The following step, or back to the review screen while editing."""
    return NominateStep.REVIEW if draft.editing else step


async def ask_campaign(turn: Turn, draft: NominateDraft) -> None:
    calls = await campaigns.open_campaigns_for(
        turn.conn, scopes(turn.memberships, Role.MEMBER), turn.now
    )
    options = [Option(f"c{c.id}", label_text=c.title) for c in calls]
    turn.say("nominate.ask_campaign", options=[*options, Option("none", "nominate.no_campaign")])


async def accept_campaign(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    if answer.choice == "none":
        draft.campaign_id = None
        return _next(draft, NominateStep.KIND)
    campaign_id = option_id(answer.choice, "c") or 0
    campaign = await campaigns.get_campaign(turn.conn, campaign_id)
    if campaign is None or campaign.status != "open" or campaign.deadline_at <= turn.now:
        turn.say("nominate.campaign_closed")
        await ask_campaign(turn, draft)
        return None
    draft.campaign_id = campaign_id
    return _next(draft, NominateStep.KIND)


async def accept_kind(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    draft.kind = answer.choice
    if answer.choice != "individual":
        draft.birth_year = None
    if draft.editing:
        return NominateStep.BIRTH_YEAR if answer.choice == "individual" else NominateStep.REVIEW
    return NominateStep.NAME


async def ask_name(turn: Turn, draft: NominateDraft) -> None:
    turn.say(f"nominate.ask_name.{draft.kind or 'individual'}")


async def accept_name(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    typed = answer.text or ""
    if not engine.length_ok(turn, typed, NAME_LIMITS):
        return None
    person = draft.kind == "individual"
    name = tidy_name(typed, person=person)
    if name is None:
        turn.say("nominate.name_no_letters")
        return None
    if person and words_with_letters(name) < 2:
        turn.say("nominate.name_one_word")
        return None
    if not engine.length_ok(turn, name, NAME_LIMITS) or not engine.confirm_tidied(
        turn, typed, name
    ):
        return None
    draft.nominee_name = name
    if draft.kind == "individual":
        return _next(draft, NominateStep.BIRTH_YEAR)
    return _next(draft, NominateStep.PLACE)


async def accept_birth_year(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    if answer.choice == "skip":
        draft.birth_year = None
        return _next(draft, NominateStep.PLACE)
    text = (answer.text or "").strip()
    low, high = 1900, turn.now.year
    if not (text.isdigit() and low <= int(text) <= high):
        turn.say("nominate.birth_year_invalid", min=low, max=high)
        return None
    draft.birth_year = int(text)
    vouched_by_nominee = draft.consent_method is not None and draft.consent_guardian is None
    if draft.editing and vouched_by_nominee and _minor(turn, draft):
        # Now under 16: a guardian's consent is needed, so it is asked again.
        _forget_consent(draft)
        turn.say("consent.minor_ask_again")
        return NominateStep.CONSENT
    return _next(draft, NominateStep.PLACE)


async def accept_place(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    place = answer.text or ""
    if not engine.length_ok(turn, place, PLACE_LIMITS):
        return None
    draft.place = place
    return _next(draft, NominateStep.FIELD)


async def fields_for(turn: Turn, draft: NominateDraft) -> tuple[str, ...]:
    """The fields a nomination may take: its call's, or all of them."""
    call = await campaigns.get_detail(turn.conn, draft.campaign_id) if draft.campaign_id else None
    if call is None or not call.fields:
        return FIELDS
    return tuple(f for f in FIELDS if f in call.fields) or FIELDS


async def ask_field(turn: Turn, draft: NominateDraft) -> None:
    fields = await fields_for(turn, draft)
    key = "nominate.ask_field" if fields == FIELDS else "nominate.ask_field_of_call"
    turn.say(key, options=[Option(f, f"nominate.field.{f}") for f in fields])


async def accept_field(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    if answer.choice not in await fields_for(turn, draft):
        turn.say("nominate.field_not_in_call")
        await ask_field(turn, draft)
        return None
    draft.field = answer.choice
    if draft.achievement and not draft.editing:
        # The story came with the first message: on to the files.
        return NominateStep.EVIDENCE
    return _next(draft, NominateStep.ACHIEVEMENT)


async def accept_achievement(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    text = answer.text or ""
    if not engine.length_ok(turn, text, ACHIEVEMENT_LIMITS):
        return None
    draft.achievement = text
    return _next(draft, NominateStep.EVIDENCE)


def _evidence_options(draft: NominateDraft) -> list[Option]:
    if draft.evidence:
        return [Option("done", "common.choice.done")]
    return [Option("done", "common.choice.done"), SKIP]


async def ask_evidence(turn: Turn, draft: NominateDraft) -> None:
    turn.say(
        "nominate.ask_evidence", max=turn.config.max_evidence, options=_evidence_options(draft)
    )


async def accept_evidence(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    if answer.choice in ("done", "skip"):
        return _next(draft, NominateStep.PHONE)
    files = draft.evidence
    limit = turn.config.max_evidence
    for attachment in answer.attachments:
        if attachment.kind == "sticker":
            turn.say("nominate.evidence_sticker")
            continue
        if attachment.size is not None and attachment.size > turn.config.max_upload_bytes:
            turn.say(
                "nominate.evidence_too_large", max_mb=turn.config.max_upload_bytes // (1024 * 1024)
            )
            continue
        if len(files) >= limit:
            turn.say("nominate.evidence_full", max=limit, options=_evidence_options(draft))
            return None
        files.append(attachment)
    if await _more_of_album_waiting(turn, answer):
        return None  # one answer per album: its last part gives the count
    turn.say(
        "nominate.evidence_added", count=len(files), max=limit, options=_evidence_options(draft)
    )
    return None


async def late_files(turn: Turn, draft: NominateDraft, files: list[Attachment]) -> None:
    """Files that arrive after the evidence step (a slow upload, "Xong" tapped meanwhile):
    kept with the draft while there is room, and the member told."""
    room = turn.config.max_evidence - len(draft.evidence)
    kept = [f for f in files if f.kind != "sticker"][: max(room, 0)]
    if not kept:
        turn.say("nominate.late_files_full", max=turn.config.max_evidence)
        return
    draft.evidence = [*draft.evidence, *kept]
    turn.say("nominate.late_files_kept", count=len(kept), total=len(draft.evidence))


async def _more_of_album_waiting(turn: Turn, answer: Answer) -> bool:
    """Whether later parts of this album (Telegram sends each as its own event) are queued."""
    groups = {a.group_id for a in answer.attachments if a.group_id}
    inbound = turn.inbound
    for group in groups:
        waiting = await inbox.album_parts_pending(
            turn.conn, inbound.channel, inbound.sender_id, group, inbound.external_id
        )
        if waiting:
            return True
    return False


async def accept_phone(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    if answer.choice == "skip":
        draft.contact_phone = None
        return _next(draft, NominateStep.CONSENT)
    phone = normalize_phone(answer.phone or answer.text or "")
    if phone is None:
        turn.say("nominate.phone_invalid")
        return None
    draft.contact_phone = phone
    return _next(draft, NominateStep.CONSENT)


def _minor(turn: Turn, draft: NominateDraft) -> bool:
    return needs_guardian(draft.kind, draft.birth_year, turn.now)


async def ask_consent(turn: Turn, draft: NominateDraft) -> None:
    nominee_consent.ask_method(turn, minor=_minor(turn, draft), with_not_yet=True)


def _forget_consent(draft: NominateDraft) -> None:
    draft.consent_method = draft.consent_guardian = draft.consent_paper = None
    draft.consent_public = False


async def accept_consent(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    _forget_consent(draft)
    if answer.choice not in METHODS:
        return NominateStep.REVIEW
    draft.consent_method = answer.choice
    draft.consent_public = True
    if _minor(turn, draft):
        return NominateStep.GUARDIAN
    return NominateStep.PAPER if answer.choice == "paper" else NominateStep.REVIEW


ask_guardian = says("consent.ask_guardian")


async def accept_guardian(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    draft.consent_guardian = nominee_consent.guardian(turn, answer)
    if draft.consent_guardian is None:
        return None
    return NominateStep.PAPER if draft.consent_method == "paper" else NominateStep.REVIEW


ask_paper = says("consent.ask_paper")


async def accept_paper(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    draft.consent_paper = nominee_consent.paper_photo(turn, answer)
    return NominateStep.REVIEW if draft.consent_paper is not None else None


async def summary(turn: Turn, draft: NominateDraft) -> str:
    """The whole draft, as the member will check it."""
    none = t("nominate.none")
    campaign = none
    if draft.campaign_id:
        call = await campaigns.get_campaign(turn.conn, draft.campaign_id)
        campaign = call.title if call else none
    return t(
        "nominate.summary",
        campaign=campaign,
        kind=t(f"nominate.kind.{draft.kind}"),
        name=draft.nominee_name,
        # Only a person has a birth year: households and collectives get no line for it.
        birth_year=(
            t("nominate.summary.birth_year", year=draft.birth_year or none) + "\n"
            if draft.kind == "individual"
            else ""
        ),
        place=draft.place,
        field=t(f"nominate.field.{draft.field}"),
        achievement=draft.achievement,
        evidence=len(draft.evidence),
        phone=display_phone(draft.contact_phone) if draft.contact_phone else none,
        consent=nominee_consent.summary(draft.consent_method, draft.consent_guardian),
    )


async def ask_review(turn: Turn, draft: NominateDraft) -> None:
    draft.editing = True
    if draft.field not in await fields_for(turn, draft):
        # The call was chosen (or changed) after the field: it must be one of the call's.
        turn.say("nominate.field_not_in_call")
        await engine.go(turn, FLOW, NominateStep.FIELD)
        return
    turn.say(
        "nominate.review",
        summary=await summary(turn, draft),
        options=[
            Option("submit", "nominate.choice.submit"),
            Option("edit", "nominate.choice.edit"),
            Option("cancel", "nominate.choice.cancel"),
        ],
    )


async def accept_review(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    if answer.choice == "edit":
        return NominateStep.EDIT
    if answer.choice == "cancel":
        engine.finish(turn, "common.cancelled")
        return None
    if await daily_cap_reached(turn):
        # Started before the cap was reached (or on another channel): the draft is kept.
        turn.say("nominate.daily_cap_draft", cap=turn.config.nominations_per_day)
        return NominateStep.REVIEW
    await submit(turn, draft)
    return None


async def ask_edit(turn: Turn, draft: NominateDraft) -> None:
    shown = [f for f in EDITABLE if f != "birth_year" or draft.kind == "individual"]
    turn.say("nominate.ask_edit_field", options=[Option(f, f"nominate.edit.{f}") for f in shown])


async def accept_edit(turn: Turn, draft: NominateDraft, answer: Answer) -> Next:
    # A menu value (the menu offered only these); anything else goes back to the summary.
    return EDITABLE.get(answer.choice or "", NominateStep.REVIEW)


async def submit(turn: Turn, draft: NominateDraft) -> None:
    """Store the nomination with its evidence, give the receipt, end the flow."""
    assert turn.person is not None
    name, kind, place, field = draft.nominee_name, draft.kind, draft.place, draft.field
    assert name and kind and place and field and draft.achievement  # asked before the summary
    # The deepest unit the member belongs to decides first (their organisation).
    home = max(turn.memberships, key=lambda m: m.unit_path.count("/"))
    new = nominations.NewNomination(
        reporter_id=turn.person.id,
        unit_id=home.unit_id,
        campaign_id=draft.campaign_id,
        kind=kind,
        nominee_name=name,
        nominee_key=fold(name),
        birth_year=draft.birth_year,
        place=place,
        field=field,
        achievement=draft.achievement,
        contact_phone=draft.contact_phone,
        consent_public=False,  # set by the consent record below, when there is one
    )
    files = [
        nominations.NewEvidence.model_validate(attachment, from_attributes=True)
        for attachment in draft.evidence
    ]
    nomination = await nominations.insert_nomination(turn.conn, new, files, turn.now)
    turn.cleanup.evidence = bool(files)
    if draft.consent_method is not None:
        vouched = nominee_consent.new_consent(
            draft.consent_method, draft.consent_guardian, draft.consent_paper, turn.person.id
        )
        await consent.record_nominee(turn.conn, nomination.id, vouched, turn.now)
    unit = await get_unit(turn.conn, home.unit_id)
    # Numbered last: other submissions wait for the year's counter from here to the commit.
    year = turn.now.astimezone(turn.config.timezone).year
    nomination = await nominations.number(turn.conn, nomination, year)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="nomination.submitted",
        object_type="nomination",
        object_id=nomination.id,
        detail={"code": nomination.code},
    )
    engine.finish(turn, "nominate.submitted", code=nomination.code, unit=unit.name if unit else "")


# The questions that are one catalog text.
ask_kind = says("nominate.ask_kind", options=[Option(k, f"nominate.kind.{k}") for k in KINDS])
ask_birth_year = says("nominate.ask_birth_year", options=[SKIP])
ask_place = says("nominate.ask_place")
ask_achievement = says("nominate.ask_achievement", min=ACHIEVEMENT_LIMITS[0])
ask_phone = says("nominate.ask_phone", options=[SKIP])

S = NominateStep
TABLE: dict[NominateStep, Step[NominateStep, NominateDraft]] = {
    S.CAMPAIGN: Step(ask_campaign, accept_campaign, {S.KIND, S.REVIEW}),
    S.KIND: Step(ask_kind, accept_kind, {S.NAME, S.BIRTH_YEAR, S.REVIEW}),
    S.NAME: Step(
        ask_name, accept_name, {S.BIRTH_YEAR, S.PLACE, S.REVIEW}, Accepts.TEXT, free_text=True
    ),
    S.BIRTH_YEAR: Step(
        ask_birth_year,
        accept_birth_year,
        {S.PLACE, S.REVIEW, S.CONSENT},
        Accepts.CHOICE | Accepts.TEXT,
    ),
    S.PLACE: Step(ask_place, accept_place, {S.FIELD, S.REVIEW}, Accepts.TEXT, free_text=True),
    S.FIELD: Step(ask_field, accept_field, {S.ACHIEVEMENT, S.EVIDENCE, S.REVIEW}),
    S.ACHIEVEMENT: Step(
        ask_achievement,
        accept_achievement,
        {S.EVIDENCE, S.REVIEW},
        Accepts.TEXT,
        free_text=True,
    ),
    # Files are gathered at the evidence step itself, which stays until Xong / Bỏ qua.
    S.EVIDENCE: Step(
        ask_evidence,
        accept_evidence,
        {S.EVIDENCE, S.PHONE, S.REVIEW},
        Accepts.CHOICE | Accepts.MEDIA,
    ),
    S.PHONE: Step(
        ask_phone,
        accept_phone,
        {S.CONSENT, S.REVIEW},
        Accepts.CHOICE | Accepts.TEXT | Accepts.CONTACT,
    ),
    S.CONSENT: Step(ask_consent, accept_consent, {S.GUARDIAN, S.PAPER, S.REVIEW}),
    S.GUARDIAN: Step(
        ask_guardian, accept_guardian, {S.PAPER, S.REVIEW}, Accepts.TEXT, free_text=True
    ),
    S.PAPER: Step(ask_paper, accept_paper, {S.REVIEW}, Accepts.MEDIA | Accepts.TEXT),
    S.REVIEW: Step(ask_review, accept_review, {S.EDIT, S.REVIEW, S.FIELD, END}),
    S.EDIT: Step(ask_edit, accept_edit, {*EDITABLE.values(), S.REVIEW}),
}
FLOW = Flow(
    "nominate",
    NominateStep,
    NominateDraft,
    entry={S.CAMPAIGN, S.KIND},
    table=TABLE,
    late_files=late_files,
)
