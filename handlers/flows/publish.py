"""/publish (/vinhdanh): publish an approved exemplar whose nominee agreed to be publicised
— a short story with its best photo, edited in the chat first — to the honour page, as a
share card and in the public channel; or take one down. Diagram: publish.mmd."""

from __future__ import annotations

import re
from typing import Any

from handlers.flows import engine
from handlers.flows.base import Accepts, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.common import number
from handlers.roles import Role, scopes
from handlers.text import fold
from handlers.turn import Option, Turn
from handlers.types import LOCAL_FILES, Attachment, Reply
from storage import audit, nominations, outbox, publications
from storage.rows import Nomination
from storage.units import get_unit

STORY_LIMITS = (20, 1500)
DRAFT_CHARS = 600
LISTED = 10
_SLUG = re.compile(r"[^a-z0-9]+")


async def begin(turn: Turn) -> None:
    """What can be published, and what is published, in the official's scope."""
    await engine.start(turn, FLOW, "menu", {})


def _scopes(turn: Turn) -> list[str]:
    return scopes(turn.memberships, Role.OFFICIAL)


async def ask_menu(turn: Turn) -> None:
    ready = await publications.publishable_in_scopes(turn.conn, _scopes(turn), LISTED)
    live = await publications.published_in_scopes(turn.conn, _scopes(turn), LISTED)
    options = [Option(f"n{n.id}", label_text=f"{n.code} · {n.nominee_name}"[:60]) for n in ready]
    options += [Option(f"p{p.id}", label_text=("✓ " + p.title)[:60]) for p in live]
    if not options:
        engine.finish(turn)
        show_main_menu(turn, "officials.publish.nothing")
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


async def accept_menu(turn: Turn, answer: Answer) -> StepResult:
    choice = answer.choice or ""
    if choice == "cancel":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    if choice[1:].isdigit() and choice.startswith("n"):
        nomination = await _nomination(turn, int(choice[1:]))
        if nomination is None:
            turn.say("officials.publish.not_publishable")
            await ask_menu(turn)
            return None
        unit = await get_unit(turn.conn, nomination.unit_id)
        turn.state.data = {
            "nomination_id": nomination.id,
            "title": nomination.nominee_name,
            "subtitle": t(
                "officials.publish.subtitle",
                field=t(f"nominate.field.{nomination.field}"),
                unit=unit.name if unit else "",
            ),
            "story": _draft(nomination),
        }
        return "story"
    if choice[1:].isdigit() and choice.startswith("p"):
        turn.state.data = {"publication_id": int(choice[1:])}
        return "live"
    return None


def _draft(nomination: Nomination) -> str:
    """A first story from the nomination: where, and the achievement, shortened."""
    text = nomination.achievement
    if len(text) > DRAFT_CHARS:
        text = text[:DRAFT_CHARS].rsplit(" ", 1)[0] + "…"
    return t("officials.publish.draft", place=nomination.place, achievement=text)


async def ask_story(turn: Turn) -> None:
    turn.say(
        "officials.publish.ask_story",
        story=turn.state.data["story"],
        options=[Option("keep", "officials.publish.keep")],
    )


async def accept_story(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "keep":
        return "photo"
    text = answer.text or ""
    low, high = STORY_LIMITS
    if len(text) < low:
        turn.say("common.too_short", min=low)
        return None
    if len(text) > high:
        turn.say("common.too_long", max=high, got=len(text))
        return None
    turn.state.data["story"] = text
    return "photo"


async def _photos(turn: Turn) -> list[str]:
    """The nomination's photos that the bot holds as files (for the page and the card)."""
    files = await nominations.evidence_of(turn.conn, turn.state.data["nomination_id"])
    return [
        f.file_ref
        for f in files
        if f.kind == "photo" and (turn.config.media_dir / f.file_ref).is_file()
    ]


async def ask_photo(turn: Turn) -> None:
    photos = await _photos(turn)
    if not photos:
        turn.state.data["photo"] = None
        turn.say("officials.publish.no_photos")
        await engine.go(turn, FLOW, "preview")
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


async def accept_photo(turn: Turn, answer: Answer) -> StepResult:
    photos = await _photos(turn)
    choice = answer.choice or ""
    if choice == "none":
        turn.state.data["photo"] = None
    elif choice[1:].isdigit() and int(choice[1:]) < len(photos):
        turn.state.data["photo"] = photos[int(choice[1:])]
    else:
        turn.say("common.not_an_option")
        return None
    return "preview"


async def ask_preview(turn: Turn) -> None:
    data = turn.state.data
    media: list[Attachment] = []
    if turn.config.documents is not None:
        card = await turn.config.documents.card_png(
            data["title"], data["subtitle"], data["story"], data.get("photo")
        )
        data["card"] = card
        media = [Attachment(kind="photo", channel=LOCAL_FILES, file_ref=card)]
    turn.say(
        "officials.publish.preview",
        title=data["title"],
        subtitle=data["subtitle"],
        story=data["story"],
        media=media,
        options=[
            Option("publish", "officials.publish.choice.publish"),
            Option("edit", "officials.publish.choice.edit"),
            Option("cancel", "common.choice.cancel"),
        ],
    )


def slug_for(publication_nomination: int, name: str) -> str:
    """ "12-nguyen-thi-lan": short, readable in a shared link, unique by the id."""
    words = _SLUG.sub("-", fold(name)).strip("-")[:60]
    return f"{publication_nomination}-{words}" if words else str(publication_nomination)


def page_url(turn_base: str, slug: str) -> str:
    """The honour page's address."""
    return f"{turn_base}/vinh-danh/{slug}"


async def accept_preview(turn: Turn, answer: Answer) -> StepResult:
    assert turn.person is not None
    if answer.choice == "edit":
        return "story"
    if answer.choice == "cancel":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    data = turn.state.data
    if await _nomination(turn, data["nomination_id"]) is None:  # consent or status changed
        engine.finish(turn)
        show_main_menu(turn, "officials.publish.not_publishable")
        return None
    published = await publications.publish(
        turn.conn,
        nomination_id=data["nomination_id"],
        slug=slug_for(data["nomination_id"], data["title"]),
        title=data["title"],
        subtitle=data["subtitle"],
        story=data["story"],
        photo=data.get("photo"),
        card=data.get("card"),
        published_by=turn.person.id,
        now=turn.now,
    )
    url = page_url(turn.config.public_base_url, published.slug)
    await _post_to_channel(turn, published, url)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="publication.published",
        object_type="nomination",
        object_id=data["nomination_id"],
        detail={"publication": published.id},
    )
    engine.finish(turn)
    show_main_menu(turn, "officials.publish.done", title=published.title, url=url)
    return None


async def _post_to_channel(turn: Turn, published: publications.Publication, url: str) -> None:
    """Queue the public channel's post; it keeps one replace_key, so a withdrawal edits it."""
    if turn.config.public_channel is None:
        return
    channel, chat_id = turn.config.public_channel
    media = (
        [Attachment(kind="photo", channel=LOCAL_FILES, file_ref=published.card)]
        if published.card
        else []
    )
    reply = Reply(
        text=t(
            "officials.publish.post",
            title=published.title,
            subtitle=published.subtitle,
            story=published.story,
            url=url,
        ),
        media=media,
        replace_key=f"publication:{published.id}",
    )
    await outbox.enqueue(
        turn.conn,
        [
            outbox.NewMessage(
                channel=channel,
                chat_id=chat_id,
                identity_id=None,
                payload=reply.model_dump(mode="json"),
                priority=outbox.PRIORITY_BULK,
                dedupe_key=f"publish:{published.id}:{int(published.published_at.timestamp())}",
            )
        ],
        turn.now,
    )


async def ask_live(turn: Turn) -> None:
    published = await publications.get_publication(turn.conn, turn.state.data["publication_id"])
    if published is None or published.status != "published":
        engine.finish(turn)
        show_main_menu(turn, "officials.publish.not_found")
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


async def accept_live(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "back":
        return "menu"
    published = await publications.get_publication(turn.conn, turn.state.data["publication_id"])
    live = await publications.published_in_scopes(turn.conn, _scopes(turn), 10_000)
    if published is None or all(p.id != published.id for p in live):
        engine.finish(turn)
        show_main_menu(turn, "officials.publish.not_found")
        return None
    await withdraw(turn, published)
    engine.finish(turn)
    show_main_menu(turn, "officials.publish.withdrawn", title=published.title)
    return None


async def withdraw(turn: Turn, published: publications.Publication) -> None:
    """Consent withdrawn: take the page and the card down, edit the channel post away."""
    await publications.withdraw(turn.conn, published.id, turn.now)
    await publications.withdraw_consent(turn.conn, published.nomination_id, turn.now)
    for name in (published.card,):
        if name:
            (turn.config.media_dir / name).unlink(missing_ok=True)
    if turn.config.public_channel is not None:
        channel, chat_id = turn.config.public_channel
        reply = Reply(
            text=t("officials.publish.withdrawn_post"), replace_key=f"publication:{published.id}"
        )
        await outbox.enqueue(
            turn.conn,
            [
                outbox.NewMessage(
                    channel=channel,
                    chat_id=chat_id,
                    identity_id=None,
                    payload=reply.model_dump(mode="json"),
                    dedupe_key=f"unpublish:{published.id}:{int(turn.now.timestamp())}",
                )
            ],
            turn.now,
        )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id if turn.person else None,
        action="publication.withdrawn",
        object_type="nomination",
        object_id=published.nomination_id,
        detail={"publication": published.id, "consent": "withdrawn"},
    )


def _step(ask: Any, accept: Any, *accepts: Accepts, free_text: bool = False) -> Step:
    return Step(ask, accept, frozenset(accepts or (Accepts.CHOICE,)), free_text=free_text)


FLOW = Flow(
    name="publish",
    steps={
        "menu": _step(ask_menu, accept_menu),
        "story": _step(ask_story, accept_story, Accepts.CHOICE, Accepts.TEXT, free_text=True),
        "photo": _step(ask_photo, accept_photo),
        "preview": _step(ask_preview, accept_preview),
        "live": _step(ask_live, accept_live),
    },
)
