"""The nomination conversation (PRODUCT.md steps 1–11). Diagram: nominate.mmd."""

from __future__ import annotations

from typing import Any

from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import Role, scopes
from handlers.text import display_phone, fold, normalize_phone
from handlers.turn import Option, Turn
from storage import audit, campaigns, inbox, nominations
from storage.units import get_unit

KINDS = ("individual", "collective", "household")
FIELDS = ("labour", "business", "study", "work", "defence", "good_deed", "other")
NAME_LIMITS = (2, 120)
PLACE_LIMITS = (2, 200)
ACHIEVEMENT_LIMITS = (20, 3000)
EDITABLE = (
    "campaign",
    "kind",
    "name",
    "birth_year",
    "place",
    "field",
    "achievement",
    "evidence",
    "phone",
    "consent",
)
SKIP = Option("skip", "common.choice.skip")


async def begin(turn: Turn, campaign_id: int | None = None) -> None:
    """Start a nomination; a call may already be chosen (from its "Đề cử ngay")."""
    if await daily_cap_reached(turn):
        show_main_menu(turn, "nominate.daily_cap", cap=turn.config.nominations_per_day)
        return
    open_calls = await campaigns.open_campaigns_for(
        turn.conn, scopes(turn.memberships, Role.MEMBER), turn.now
    )
    turn.say("nominate.intro")
    # started_at: the abandoned-draft reminder goes out once per draft (scheduler/reviews.py).
    data: dict[str, Any] = {
        "evidence": [],
        "campaign_id": None,
        "started_at": turn.now.isoformat(),
    }
    if campaign_id is not None and any(c.id == campaign_id for c in open_calls):
        data["campaign_id"] = campaign_id
        await engine.start(turn, FLOW, "kind", data)
    elif open_calls:
        await engine.start(turn, FLOW, "campaign", data)
    else:
        await engine.start(turn, FLOW, "kind", data)


async def daily_cap_reached(turn: Turn) -> bool:
    """Whether the member has submitted as many nominations today as one may per day."""
    cap = turn.config.nominations_per_day
    if cap <= 0 or turn.person is None:
        return False
    local = turn.now.astimezone(turn.config.timezone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return await nominations.count_submitted_since(turn.conn, turn.person.id, midnight) >= cap


def _next(turn: Turn, step: str) -> str:
    """The following step, or back to the review screen while editing."""
    return "review" if turn.state.data.get("editing") else step


async def ask_campaign(turn: Turn) -> None:
    calls = await campaigns.open_campaigns_for(
        turn.conn, scopes(turn.memberships, Role.MEMBER), turn.now
    )
    options = [Option(f"c{c.id}", label_text=c.title) for c in calls]
    turn.say("nominate.ask_campaign", options=[*options, Option("none", "nominate.no_campaign")])


async def accept_campaign(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "none":
        turn.state.data["campaign_id"] = None
        return _next(turn, "kind")
    campaign_id = int((answer.choice or "c0")[1:])
    campaign = await campaigns.get_campaign(turn.conn, campaign_id)
    if campaign is None or campaign.status != "open" or campaign.deadline_at <= turn.now:
        turn.say("nominate.campaign_closed")
        await ask_campaign(turn)
        return None
    turn.state.data["campaign_id"] = campaign_id
    return _next(turn, "kind")


async def ask_kind(turn: Turn) -> None:
    turn.say("nominate.ask_kind", options=[Option(k, f"nominate.kind.{k}") for k in KINDS])


async def accept_kind(turn: Turn, answer: Answer) -> StepResult:
    data = turn.state.data
    data["kind"] = answer.choice
    if answer.choice != "individual":
        data["birth_year"] = None
    if data.get("editing"):
        return "birth_year" if answer.choice == "individual" else "review"
    return "name"


async def ask_name(turn: Turn) -> None:
    turn.say(f"nominate.ask_name.{turn.state.data.get('kind', 'individual')}")


async def accept_name(turn: Turn, answer: Answer) -> StepResult:
    name = answer.text or ""
    if not engine.length_ok(turn, name, NAME_LIMITS):
        return None
    turn.state.data["name"] = name
    if turn.state.data.get("kind") == "individual":
        return _next(turn, "birth_year")
    return _next(turn, "place")


async def ask_birth_year(turn: Turn) -> None:
    turn.say("nominate.ask_birth_year", options=[SKIP])


async def accept_birth_year(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "skip":
        turn.state.data["birth_year"] = None
        return _next(turn, "place")
    text = (answer.text or "").strip()
    low, high = 1900, turn.now.year
    if not (text.isdigit() and low <= int(text) <= high):
        turn.say("nominate.birth_year_invalid", min=low, max=high)
        return None
    turn.state.data["birth_year"] = int(text)
    return _next(turn, "place")


async def ask_place(turn: Turn) -> None:
    turn.say("nominate.ask_place")


async def accept_place(turn: Turn, answer: Answer) -> StepResult:
    place = answer.text or ""
    if not engine.length_ok(turn, place, PLACE_LIMITS):
        return None
    turn.state.data["place"] = place
    return _next(turn, "field")


async def ask_field(turn: Turn) -> None:
    turn.say("nominate.ask_field", options=[Option(f, f"nominate.field.{f}") for f in FIELDS])


async def accept_field(turn: Turn, answer: Answer) -> StepResult:
    turn.state.data["field"] = answer.choice
    return _next(turn, "achievement")


async def ask_achievement(turn: Turn) -> None:
    turn.say("nominate.ask_achievement", min=ACHIEVEMENT_LIMITS[0])


async def accept_achievement(turn: Turn, answer: Answer) -> StepResult:
    text = answer.text or ""
    if not engine.length_ok(turn, text, ACHIEVEMENT_LIMITS):
        return None
    turn.state.data["achievement"] = text
    return _next(turn, "evidence")


def _evidence_options(turn: Turn) -> list[Option]:
    if turn.state.data.get("evidence"):
        return [Option("done", "common.choice.done")]
    return [Option("done", "common.choice.done"), SKIP]


async def ask_evidence(turn: Turn) -> None:
    turn.say("nominate.ask_evidence", max=turn.config.max_evidence, options=_evidence_options(turn))


async def accept_evidence(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice in ("done", "skip"):
        return _next(turn, "phone")
    files: list[dict[str, Any]] = turn.state.data.setdefault("evidence", [])
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
            turn.say("nominate.evidence_full", max=limit, options=_evidence_options(turn))
            return None
        files.append(attachment.model_dump(mode="json"))
    if await _more_of_album_waiting(turn, answer):
        return None  # one answer per album: its last part gives the count
    turn.say(
        "nominate.evidence_added", count=len(files), max=limit, options=_evidence_options(turn)
    )
    return None


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


async def ask_phone(turn: Turn) -> None:
    turn.say("nominate.ask_phone", options=[SKIP])


async def accept_phone(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "skip":
        turn.state.data["phone"] = None
        return _next(turn, "consent")
    phone = normalize_phone(answer.phone or answer.text or "")
    if phone is None:
        turn.say("nominate.phone_invalid")
        return None
    turn.state.data["phone"] = phone
    return _next(turn, "consent")


async def ask_consent(turn: Turn) -> None:
    turn.say(
        "nominate.ask_consent",
        options=[Option("yes", "common.choice.yes"), Option("no", "common.choice.no")],
    )


async def accept_consent(turn: Turn, answer: Answer) -> StepResult:
    turn.state.data["consent_public"] = answer.choice == "yes"
    return "review"


async def summary(turn: Turn) -> str:
    """The whole draft, as the member will check it."""
    data = turn.state.data
    none = t("nominate.none")
    campaign = none
    if data.get("campaign_id"):
        call = await campaigns.get_campaign(turn.conn, data["campaign_id"])
        campaign = call.title if call else none
    return t(
        "nominate.summary",
        campaign=campaign,
        kind=t(f"nominate.kind.{data['kind']}"),
        name=data["name"],
        birth_year=data.get("birth_year") or none,
        place=data["place"],
        field=t(f"nominate.field.{data['field']}"),
        achievement=data["achievement"],
        evidence=len(data.get("evidence", [])),
        phone=display_phone(data["phone"]) if data.get("phone") else none,
        consent=t("nominate.consent.yes" if data.get("consent_public") else "nominate.consent.no"),
    )


async def ask_review(turn: Turn) -> None:
    turn.state.data["editing"] = True
    turn.say(
        "nominate.review",
        summary=await summary(turn),
        options=[
            Option("submit", "nominate.choice.submit"),
            Option("edit", "nominate.choice.edit"),
            Option("cancel", "nominate.choice.cancel"),
        ],
    )


async def accept_review(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "edit":
        return "edit"
    if answer.choice == "cancel":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    if await daily_cap_reached(turn):
        # Started before the cap was reached (or on another channel): the draft is kept.
        turn.say("nominate.daily_cap_draft", cap=turn.config.nominations_per_day)
        return "review"
    await submit(turn)
    return None


async def ask_edit(turn: Turn) -> None:
    fields = [
        f
        for f in EDITABLE
        if not (f == "birth_year" and turn.state.data.get("kind") != "individual")
    ]
    turn.say("nominate.ask_edit_field", options=[Option(f, f"nominate.edit.{f}") for f in fields])


async def accept_edit(turn: Turn, answer: Answer) -> StepResult:
    return answer.choice


async def submit(turn: Turn) -> None:
    """Store the nomination with its evidence, give the receipt, end the flow."""
    assert turn.person is not None
    data = turn.state.data
    # The deepest unit the member belongs to decides first (their organisation).
    home = max(turn.memberships, key=lambda m: m.unit_path.count("/"))
    new = nominations.NewNomination(
        reporter_id=turn.person.id,
        unit_id=home.unit_id,
        campaign_id=data.get("campaign_id"),
        kind=data["kind"],
        nominee_name=data["name"],
        nominee_key=fold(data["name"]),
        birth_year=data.get("birth_year"),
        place=data["place"],
        field=data["field"],
        achievement=data["achievement"],
        contact_phone=data.get("phone"),
        consent_public=bool(data.get("consent_public")),
    )
    files = [
        nominations.NewEvidence(
            kind=f["kind"],
            channel=f["channel"],
            file_ref=f["file_ref"],
            mime=f.get("mime"),
            size=f.get("size"),
            file_name=f.get("file_name"),
        )
        for f in data.get("evidence", [])
    ]
    year = turn.now.astimezone(turn.config.timezone).year
    nomination = await nominations.create_nomination(turn.conn, new, files, turn.now, year)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="nomination.submitted",
        object_type="nomination",
        object_id=nomination.id,
        detail={"code": nomination.code},
    )
    unit = await get_unit(turn.conn, home.unit_id)
    engine.finish(turn)
    show_main_menu(turn, "nominate.submitted", code=nomination.code, unit=unit.name if unit else "")


def _step(ask: Any, accept: Any, *accepts: Accepts, free_text: bool = False) -> Step:
    return Step(ask, accept, frozenset(accepts or (Accepts.CHOICE,)), free_text=free_text)


FLOW = Flow(
    name="nominate",
    steps={
        "campaign": _step(ask_campaign, accept_campaign),
        "kind": _step(ask_kind, accept_kind),
        "name": _step(ask_name, accept_name, Accepts.TEXT, free_text=True),
        "birth_year": _step(ask_birth_year, accept_birth_year, Accepts.CHOICE, Accepts.TEXT),
        "place": _step(ask_place, accept_place, Accepts.TEXT, free_text=True),
        "field": _step(ask_field, accept_field),
        "achievement": _step(ask_achievement, accept_achievement, Accepts.TEXT, free_text=True),
        "evidence": _step(ask_evidence, accept_evidence, Accepts.CHOICE, Accepts.MEDIA),
        "phone": _step(ask_phone, accept_phone, Accepts.CHOICE, Accepts.TEXT, Accepts.CONTACT),
        "consent": _step(ask_consent, accept_consent),
        "review": _step(ask_review, accept_review),
        "edit": _step(ask_edit, accept_edit),
    },
)

assert END not in FLOW.steps
