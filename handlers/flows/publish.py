"""/publish (/vinhdanh): publish an approved exemplar whose nominee agreed to be publicised
— a short story with its best photo, edited in the chat first — to the honour page, as a
share card and in the public channel; or take one down. Diagram: publish.mmd."""

from __future__ import annotations

import re
from enum import StrEnum, auto

from handlers import decisions, nominee_consent
from handlers.consent_texts import needs_guardian
from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.messages import t
from handlers.officials.holding import offer_undo
from handlers.officials.story import first_story
from handlers.roles import RANK, Role, in_scope, scopes
from handlers.text import fold, number
from handlers.turn import Option, Turn, option_id
from handlers.types import LOCAL_FILES, Attachment, Reply
from storage import audit, consent, nominations, outbox, people, publications
from storage import decisions as stored_decisions
from storage.consent import NomineeConsent
from storage.decisions import Decision
from storage.rows import Nomination
from storage.units import get_unit

STORY_LIMITS = (20, 1500)
# The honour page's photo and the list's thumbnail, in pixels a side.
PAGE_PHOTO_SIDE, THUMB_SIDE = 800, 360
LISTED = 10
_SLUG = re.compile(r"[^a-z0-9]+")


class PublishStep(StrEnum):
    """What can be published (menu), publishing one (its consent checked first), or taking a
    published one down."""

    MENU = auto()
    CONSENT = auto()
    STORY = auto()
    PHOTO = auto()
    PREVIEW = auto()
    LIVE = auto()


Next = StepResult[PublishStep]


class PublishDraft(Draft):
    """The story being prepared (its photo and card are file names), or the one published."""

    nomination_id: int | None = None
    title: str | None = None
    subtitle: str | None = None
    story: str | None = None
    photo: str | None = None
    card: str | None = None
    publication_id: int | None = None
    # The nominee's consent the official checked before writing the story.
    consent_id: int | None = None


async def begin(turn: Turn) -> None:
    """What can be published, and what is published, in the official's scope."""
    await engine.start(turn, FLOW, PublishStep.MENU, PublishDraft())


def _scopes(turn: Turn) -> list[str]:
    return scopes(turn.memberships, Role.OFFICIAL)


async def ask_menu(turn: Turn, draft: PublishDraft) -> None:
    ready = await publications.publishable_in_scopes(turn.conn, _scopes(turn), LISTED)
    live = await publications.published_in_scopes(turn.conn, _scopes(turn), LISTED)
    options = [Option(f"n{n.id}", label_text=f"{n.code} · {n.nominee_name}"[:60]) for n in ready]
    options += [Option(f"p{p.id}", label_text=("✓ " + p.title)[:60]) for p in live]
    if not options:
        engine.finish(turn, "officials.publish.nothing")
        return
    turn.say(
        "officials.publish.menu",
        ready=number(len(ready)),
        live=number(len(live)),
        options=[*options, Option("cancel", "common.choice.cancel")],
    )


async def _nomination(turn: Turn, nomination_id: int) -> Nomination | None:
    """The nomination, re-checked: approved, consent given, in the official's scope."""
    found = await publications.publishable_in_scopes(turn.conn, _scopes(turn), 10_000)
    return next((n for n in found if n.id == nomination_id), None)


async def accept_menu(turn: Turn, draft: PublishDraft, answer: Answer) -> Next:
    if answer.choice == "cancel":
        engine.finish(turn, "common.cancelled")
        return None
    nomination_id = option_id(answer.choice, "n")
    if nomination_id is not None:
        nomination = await _nomination(turn, nomination_id)
        if nomination is None:
            turn.say("officials.publish.not_publishable")
            await ask_menu(turn, draft)
            return None
        unit = await get_unit(turn.conn, nomination.unit_id)
        draft.clear()  # from the menu, a story starts afresh
        draft.nomination_id = nomination.id
        draft.title = nomination.nominee_name
        draft.subtitle = t(
            "officials.publish.subtitle",
            field=t(f"nominate.field.{nomination.field}"),
            unit=unit.name if unit else "",
        )
        draft.story = first_story(nomination)
        return PublishStep.CONSENT
    publication_id = option_id(answer.choice, "p")
    if publication_id is not None:
        draft.clear()
        draft.publication_id = publication_id
        return PublishStep.LIVE
    return None


async def _consent_in_force(turn: Turn, nomination: Nomination) -> NomineeConsent | None:
    """The nominee's consent, if it allows publishing now (a guardian's, under 16); if not,
    the official is told why and the flow ends."""
    held = await consent.nominee_consent(turn.conn, nomination.id)
    minor = needs_guardian(nomination.kind, nomination.birth_year, turn.now)
    if held is None:
        engine.finish(turn, "officials.publish.not_publishable")
        return None
    if nominee_consent.guardian_missing(held, minor):
        engine.finish(turn, "officials.publish.guardian_missing")
        return None
    return held


async def ask_consent(turn: Turn, draft: PublishDraft) -> None:
    nomination = await _nomination(turn, draft.nomination_id or 0)
    held = await _consent_in_force(turn, nomination) if nomination else None
    if held is None:
        if nomination is None:
            engine.finish(turn, "officials.publish.not_publishable")
        return
    draft.consent_id = held.id
    vouched = await people.get_person(turn.conn, held.vouched_by)
    turn.say(
        "officials.publish.check_consent",
        consent=nominee_consent.describe(
            held, turn.config, vouched=vouched.full_name if vouched else "?"
        ),
        text=held.text,
        media=nominee_consent.paper_media(held),
        options=[
            Option("checked", "officials.publish.choice.consent_checked"),
            Option("cancel", "common.choice.cancel"),
        ],
    )


async def accept_consent(turn: Turn, draft: PublishDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.choice != "checked":
        engine.finish(turn, "common.cancelled")
        return None
    nomination = await _nomination(turn, draft.nomination_id or 0)
    held = await _consent_in_force(turn, nomination) if nomination else None
    if held is None or held.id != draft.consent_id:
        if turn.state.flow is not None:
            engine.finish(turn, "officials.publish.not_publishable")
        return None
    await consent.confirm_nominee(turn.conn, held.id, turn.person.id, turn.now)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="publication.consent_checked",
        object_type="nomination",
        object_id=held.nomination_id,
        detail={"consent": held.id, "version": held.text_version, "method": held.method},
    )
    return PublishStep.STORY


async def ask_story(turn: Turn, draft: PublishDraft) -> None:
    turn.say(
        "officials.publish.ask_story",
        story=draft.story,
        options=[Option("keep", "officials.publish.keep")],
    )


async def accept_story(turn: Turn, draft: PublishDraft, answer: Answer) -> Next:
    if answer.choice == "keep":
        return PublishStep.PHOTO
    text = answer.text or ""
    if not engine.length_ok(turn, text, STORY_LIMITS):
        return None
    draft.story = text
    return PublishStep.PHOTO


async def _photos(turn: Turn, draft: PublishDraft) -> list[str]:
    """The nomination's photos that the bot holds as files (for the page and the card)."""
    files = await nominations.evidence_of(turn.conn, draft.nomination_id or 0)
    media = turn.config.media
    if media is None:
        return []
    # A platform's picture counts through its clean copy (re-encoded without metadata).
    names = [f.clean_file or f.file_ref for f in files if f.kind == "photo" or f.clean_file]
    return [name for name in names if await media.exists(name)]


async def ask_photo(turn: Turn, draft: PublishDraft) -> None:
    photos = await _photos(turn, draft)
    if not photos:
        draft.photo = None
        turn.say("officials.publish.no_photos")
        await engine.go(turn, FLOW, PublishStep.PREVIEW)
        return
    options = [
        Option(f"f{n}", label_text=t("officials.publish.photo_n", n=n + 1))
        for n in range(len(photos))
    ]
    media = [Attachment(kind="photo", channel=turn.inbound.channel, file_ref=p) for p in photos]
    turn.say("officials.publish.ask_photo", media=media)
    turn.say(
        "officials.publish.pick_photo",
        options=[*options, Option("none", "officials.publish.no_photo")],
    )


async def accept_photo(turn: Turn, draft: PublishDraft, answer: Answer) -> Next:
    photos = await _photos(turn, draft)
    index = option_id(answer.choice, "f")
    if answer.choice == "none":
        draft.photo = None
    elif index is not None and index < len(photos):
        draft.photo = photos[index]
    else:
        turn.say("common.not_an_option")
        return None
    return PublishStep.PREVIEW


async def ask_preview(turn: Turn, draft: PublishDraft) -> None:
    media: list[Attachment] = []
    if turn.config.documents is not None:
        card = await turn.config.documents.card_jpeg(
            draft.title or "", draft.subtitle or "", draft.story or "", draft.photo
        )
        draft.card = card
        media = [Attachment(kind="photo", channel=LOCAL_FILES, file_ref=card)]
    turn.say(
        "officials.publish.preview",
        title=draft.title,
        subtitle=draft.subtitle,
        story=draft.story,
        media=media,
        options=[
            Option("publish", "officials.publish.choice.publish"),
            Option("edit", "officials.publish.choice.edit"),
            Option("cancel", "common.choice.cancel"),
        ],
    )


async def _honouring_unit(turn: Turn, nomination: Nomination) -> int:
    """The unit that honours: the nearest unit above the nomination's where the publisher
    is an official."""
    unit = await get_unit(turn.conn, nomination.unit_id)
    held = [
        m
        for m in turn.memberships
        if RANK.get(Role(m.role), 0) >= RANK[Role.OFFICIAL]
        and unit is not None
        and in_scope(unit.path, [m.unit_path])
    ]
    nearest = max(held, key=lambda m: len(m.unit_path), default=None)
    return nearest.unit_id if nearest is not None else nomination.unit_id


def slug_for(publication_nomination: int, name: str) -> str:
    """ "12-nguyen-thi-lan": short, readable in a shared link, unique by the id."""
    words = _SLUG.sub("-", fold(name)).strip("-")[:60]
    return f"{publication_nomination}-{words}" if words else str(publication_nomination)


def page_url(turn_base: str, slug: str) -> str:
    """The honour page's address."""
    return f"{turn_base}/vinh-danh/{slug}"


async def accept_preview(turn: Turn, draft: PublishDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.choice == "edit":
        return PublishStep.STORY
    if answer.choice == "cancel":
        engine.finish(turn, "common.cancelled")
        return None
    nomination = await _nomination(turn, draft.nomination_id or 0)
    if nomination is None:  # consent or status changed
        engine.finish(turn, "officials.publish.not_publishable")
        return None
    if await _consent_in_force(turn, nomination) is None:
        return None
    assert draft.title and draft.subtitle and draft.story  # set from the menu
    if draft.card is not None and turn.config.documents is not None:
        draft.card = await turn.config.documents.keep(draft.card)  # no longer a preview
    again = await publications.publication_of(turn.conn, nomination.id) is not None
    picture = thumb = None
    if draft.photo and turn.config.documents is not None:
        picture = await turn.config.documents.photo_jpeg(draft.photo, PAGE_PHOTO_SIDE)
        thumb = await turn.config.documents.photo_jpeg(draft.photo, THUMB_SIDE)
    published = await publications.publish(
        turn.conn,
        nomination_id=nomination.id,
        slug=slug_for(nomination.id, draft.title),
        title=draft.title,
        subtitle=draft.subtitle,
        story=draft.story,
        photo=draft.photo,
        card=draft.card,
        picture=picture,
        thumb=thumb,
        unit_id=await _honouring_unit(turn, nomination),
        published_by=turn.person.id,
        now=turn.now,
    )
    url = page_url(turn.config.public_base_url, published.slug)
    decision = await decisions.made(
        turn.conn,
        turn.config,
        turn.now,
        kind="publish",
        actor_id=turn.person.id,
        object_id=published.id,
        label=published.title,
        detail={"again": again},
        batch=decisions.new_batch(),
    )
    await _post_to_channel(turn, published, url, decision)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="publication.published",
        object_type="nomination",
        object_id=nomination.id,
        detail={"publication": published.id},
    )
    engine.finish(turn)
    turn.say("officials.publish.done", title=published.title, url=url)
    offer_undo(turn, decision)
    return None


async def _post_to_channel(
    turn: Turn, published: publications.Publication, url: str, decision: Decision
) -> None:
    """Queue the public channel's post, held until the publication stands; it keeps one
    replace_key, so a withdrawal edits it."""
    media = (
        [Attachment(kind="photo", channel=LOCAL_FILES, file_ref=published.card)]
        if published.card
        else []
    )
    text = t(
        "officials.publish.post",
        title=published.title,
        subtitle=published.subtitle,
        story=published.story,
        url=url,
    )
    reply = Reply(text=text, media=media, replace_key=f"publication:{published.id}")
    key = f"publish:{published.id}:{int(published.published_at.timestamp())}"
    await _to_public_channel(turn, reply, key, outbox.PRIORITY_BULK, decision)


async def _to_public_channel(
    turn: Turn, reply: Reply, dedupe_key: str, priority: int, held: Decision | None = None
) -> None:
    """Queue a message to the public channel, when there is one (held with a decision)."""
    if turn.config.public_channel is None:
        return
    channel, chat_id = turn.config.public_channel
    payload = reply.model_dump(mode="json")
    message = outbox.NewMessage(
        channel=channel,
        chat_id=chat_id,
        identity_id=None,
        payload=payload,
        priority=priority,
        dedupe_key=dedupe_key,
        batch=held.batch if held else None,
        not_before=held.undo_until if held else None,
    )
    await outbox.enqueue(turn.conn, [message], turn.now)


async def ask_live(turn: Turn, draft: PublishDraft) -> None:
    published = await publications.get_publication(turn.conn, draft.publication_id or 0)
    if published is None or published.status != "published":
        engine.finish(turn, "officials.publish.not_found")
        return
    turn.say(
        "officials.publish.live",
        title=published.title,
        url=page_url(turn.config.public_base_url, published.slug),
        options=[
            Option("withdraw", "officials.publish.choice.withdraw"),
            Option("back", "common.choice.back"),
        ],
    )


async def accept_live(turn: Turn, draft: PublishDraft, answer: Answer) -> Next:
    if answer.choice == "back":
        return PublishStep.MENU
    published = await publications.get_publication(turn.conn, draft.publication_id or 0)
    live = await publications.published_in_scopes(turn.conn, _scopes(turn), 10_000)
    if published is None or all(p.id != published.id for p in live):
        engine.finish(turn, "officials.publish.not_found")
        return None
    await withdraw(turn, published)
    engine.finish(turn, "officials.publish.withdrawn", title=published.title)
    return None


async def withdraw(turn: Turn, published: publications.Publication) -> None:
    """Consent withdrawn: take the page and the card down, edit the channel post away."""
    await publications.withdraw(turn.conn, published.id, turn.now)
    await publications.withdraw_consent(
        turn.conn, published.nomination_id, turn.now, turn.person.id if turn.person else None
    )
    media = turn.config.media
    for name in (published.card, published.picture, published.thumb):
        if name and media is not None:
            await media.delete(name)
    # A post still held (published minutes ago) is simply never sent; one sent is edited.
    held = await stored_decisions.latest_for(turn.conn, "publish", published.id)
    if held is None or not await outbox.cancel_batch(turn.conn, held.batch):
        reply = Reply(
            text=t("officials.publish.withdrawn_post"), replace_key=f"publication:{published.id}"
        )
        key = f"unpublish:{published.id}:{int(turn.now.timestamp())}"
        await _to_public_channel(turn, reply, key, outbox.PRIORITY_REPLY)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id if turn.person else None,
        action="publication.withdrawn",
        object_type="nomination",
        object_id=published.nomination_id,
        detail={"publication": published.id, "consent": "withdrawn"},
    )


S = PublishStep
TABLE: dict[PublishStep, Step[PublishStep, PublishDraft]] = {
    S.MENU: Step(ask_menu, accept_menu, {S.CONSENT, S.LIVE, END}),
    S.CONSENT: Step(ask_consent, accept_consent, {S.STORY, END}),
    S.STORY: Step(
        ask_story, accept_story, {S.PHOTO}, Accepts.CHOICE | Accepts.TEXT, free_text=True
    ),
    # Without photos the photo step moves on to the preview by itself.
    S.PHOTO: Step(ask_photo, accept_photo, {S.PREVIEW}),
    S.PREVIEW: Step(ask_preview, accept_preview, {S.STORY, END}),
    S.LIVE: Step(ask_live, accept_live, {S.MENU, END}),
}
FLOW = Flow("publish", PublishStep, PublishDraft, entry={S.MENU}, table=TABLE)
