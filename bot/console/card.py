"""One nomination: its details, evidence, history, criteria scores, commendations, and every
review action the chat has, through the same domain functions (handlers' review_actions).

Looking at a nomination needs reviewer rank over the unit it was submitted in; acting on it
needs what the same action needs in the chat (its deciding unit, its current status). A
decision that lost the race to another reviewer is shown as such (409), nothing changed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.webchat_files import download_name, file_response
from bot.console.base import Console, ConsoleActor, Viewer, field_int, field_text
from bot.web import signed
from handlers.decisions import Undone, undo
from handlers.flows.commend import FORMS
from handlers.flows.review import NOTE_LIMITS, REASONS
from handlers.flows.review_actions import commend, decide, load_for, merge, score
from handlers.flows.review_card import find_duplicate
from handlers.messages import t
from handlers.permissions import DECISIONS, Action
from handlers.types import LOCAL_FILES, Attachment
from storage import campaigns, commendations, criteria, decisions, nominations, people, reviews
from storage.db import Connection
from storage.decisions import Decision
from storage.reviews import ReviewItem

_MEDIA_NAME = re.compile(r"[A-Za-z0-9_-]{10,40}\.(jpg|png|webp|pdf|mp4|webm|ogg|mp3|wav|m4a)")
LINK_LIFETIME = timedelta(hours=1)
# The outcomes a redirect after a decision may name (the page shows the matching notice).
DONE = frozenset({"approve", "ask", "reject", "forward", "merge", "score", "commend", "undone"})
# Decisions whose notices wait out the undo window (handlers/decisions.py).
HELD = frozenset({"approve", "reject", "forward", "merge"})
ISSUER_LIMIT, NUMBER_LIMIT, FORM_LIMIT = 200, 64, 100
# Apps whose files stay on the platform (a file id, not a copy here).
PLATFORMS = frozenset({"telegram", "zalo_oa", "zalo_bot"})


def recipient(person_id: int) -> str:
    """Whom a console file link is bound to."""
    return f"console:{person_id}"


class Card(Console):
    """GET /console/nominations/{id}, its actions, and the evidence files it links."""

    def routes(self) -> list[BaseRoute]:
        """The card, its actions and its files."""
        act = "/console/nominations/{nomination_id:int}/"
        return [
            Route(
                "/console/nominations/{nomination_id:int}",
                self.page(Action.VIEW, self.card),
                methods=["GET"],
            ),
            Route(act + "decide", self.form(Action.OPEN, self.decide), methods=["POST"]),
            Route(act + "score", self.form(Action.SCORE, self.score), methods=["POST"]),
            Route(act + "merge", self.form(Action.MERGE, self.merge), methods=["POST"]),
            Route(act + "commend", self.form(Action.COMMEND, self.commend), methods=["POST"]),
            Route(act + "undo", self.form(Action.OPEN, self.undo), methods=["POST"]),
            Route("/console/media/{name}", self.media, methods=["GET"]),
        ]

    # ------------------------------------------------------------------------ the card
    async def card(self, request: Request, viewer: Viewer) -> Response:
        """The nomination, with the actions the viewer may take now."""
        nomination_id = int(request.path_params["nomination_id"])
        done = request.query_params.get("done", "")
        async with self.deps.db.read() as conn:
            item = await reviews.get_item(conn, nomination_id)
            if item is None or not viewer.may(Action.VIEW, item.unit_path):
                return self.error(viewer, "console.card.not_found", 404)
            notices = [self._done_notice(done, item.code)] if done in DONE else []
            values = await self._card_values(conn, viewer, item)
            if done in HELD:
                found = await self._undoable(conn, viewer.person.id, item.id, self.deps.clock())
                values["undo"] = found is not None
        return self.show(viewer, "card.html", notices=notices, card=values)

    @staticmethod
    async def _undoable(
        conn: Connection, person_id: int, nomination_id: int, now: datetime
    ) -> Decision | None:
        """The person's decision on this nomination that may still be undone."""
        return await decisions.latest_undoable(
            conn, person_id, now, kinds=HELD, object_id=nomination_id
        )

    async def undo(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Undo the viewer's latest decision on this nomination, as /hoantac does in the chat
        (the form names no decision: only one's own, on this nomination, can be undone)."""
        nomination_id = int(request.path_params["nomination_id"])
        result = Undone.UNKNOWN
        async with self.acting(viewer) as actor:
            found = await self._undoable(actor.conn, viewer.person.id, nomination_id, actor.now)
            if found is None:
                actor.tell("undo.nothing")
            else:
                result, _ = await undo(
                    actor.conn, self.deps.config, viewer.person.id, found.id, actor.now
                )
                if result is not Undone.DONE:
                    actor.tell(f"undo.{result.value}", label=found.label)
        return await self._finish(
            viewer, actor, nomination_id, "undone" if result is Undone.DONE else None
        )

    def _done_notice(self, done: str, code: str) -> str:
        """What was done; for a decision, when those it concerns hear of it and how to undo
        it meanwhile (one notice: one status line for screen readers)."""
        said = t(f"console.done.{done}", code=code)
        if done not in HELD:
            return said
        minutes = int(self.deps.config.undo_window.total_seconds() // 60)
        held = t("console.held", minutes=minutes) if minutes else t("console.told_now")
        return f"{said} {held}"

    async def _card_values(
        self, conn: Connection, viewer: Viewer, item: ReviewItem
    ) -> dict[str, object]:
        files = await nominations.evidence_of(conn, item.id)
        events = await reviews.events_of(conn, item.id)
        _, criteria_set = await criteria.effective_set(conn, item.deciding_path, item.field)
        given = await criteria.scores_of(conn, item.id)
        total = criteria.weighted_total(criteria_set, given)
        names = await people.names_of(conn, [e.actor_id for e in events])
        campaign = (
            await campaigns.get_campaign(conn, item.campaign_id) if item.campaign_id else None
        )
        duplicate = await find_duplicate(conn, item)
        mine = {s.criterion_id: s.score for s in given if s.reviewer_id == viewer.person.id}
        return {
            "item": item,
            "files": [
                self._file(viewer, n, f.kind, f.channel, f.file_ref, f.file_name)
                for n, f in enumerate(files, start=1)
            ],
            "events": [(e, names.get(e.actor_id, "")) for e in events],
            "criteria": criteria_set,
            "mine": mine,
            "total": total,
            "commendations": await commendations.of_nomination(conn, item.id),
            "campaign": campaign.title if campaign else None,
            "duplicate": duplicate,
            "may": {
                "decide": viewer.may(Action.APPROVE, item.deciding_path, item.status),
                "forward": item.deciding_parent_id is not None,
                "commend": viewer.may(Action.COMMEND, item.deciding_path, item.status),
                "personal": viewer.may(Action.EXPORT_PERSONAL, item.unit_path),
            },
            "reasons": [(r, t(f"review.reason.{r}")) for r in REASONS],
            "forms": [t(f"commend.form.{f}") for f in FORMS],
            "note_limit": NOTE_LIMITS[1],
            "undo": False,  # the viewer's decision may be undone (right after making it)
        }

    def _file(
        self, viewer: Viewer, n: int, kind: str, channel: str, ref: str, name: str | None
    ) -> dict[str, str]:
        """How the card shows one evidence file: a signed link for files kept here, the
        platform's own address for Zalo's, and where to see it for Telegram's."""
        shown = {"kind": kind, "channel": channel, "url": "", "name": "", "note": ""}
        if channel in ("web", LOCAL_FILES) and _MEDIA_NAME.fullmatch(ref):
            attachment = Attachment.model_validate(
                {"kind": kind, "file_ref": ref, "channel": channel, "file_name": name}
            )
            download = download_name(attachment)
            expires = int((self.deps.clock() + LINK_LIFETIME).timestamp())
            tag = signed.tag(
                self.deps.links_key, ref, download, recipient(viewer.person.id), expires
            )
            query = urlencode({"n": download, "e": expires, "s": tag})
            shown["url"] = f"/console/media/{quote(ref)}?{query}"
            shown["name"] = download
        elif ref.startswith("https://"):
            shown["url"] = ref
        elif channel in PLATFORMS:
            where = t(f"accounts.channel.{channel}")
            shown["note"] = t("console.card.file_elsewhere", n=n, channel=where)
        else:
            shown["note"] = t("console.card.file_gone", n=n)
        return shown

    async def media(self, request: Request) -> Response:
        """An evidence file, to the console session its link was made for, before it expires."""
        viewer = await self.viewer(request)
        name = str(request.path_params["name"])
        match = _MEDIA_NAME.fullmatch(name)
        if viewer is None or match is None:
            return Response(status_code=404)
        query = request.query_params
        given = signed.LinkQuery(query.get("n", ""), query.get("e", ""), query.get("s", ""))
        now = int(self.deps.clock().timestamp())
        if not signed.verify(self.deps.links_key, name, recipient(viewer.person.id), given, now):
            return Response(status_code=404)
        path = self.deps.media.file(name)
        if path is None:
            return Response(status_code=404)
        return file_response(path, match.group(1), given.download)

    # ------------------------------------------------------------------------ actions
    async def _finish(
        self,
        viewer: Viewer,
        actor: ConsoleActor,
        nomination_id: int,
        done: str | None,
    ) -> Response:
        """After an action: back to the card with its notice, or the card with what refused."""
        if done is not None:
            return RedirectResponse(
                f"/console/nominations/{nomination_id}?done={done}", status_code=303
            )
        async with self.deps.db.read() as conn:
            item = await reviews.get_item(conn, nomination_id)
            if item is None or not viewer.may(Action.VIEW, item.unit_path):
                return self.error(viewer, "console.card.not_found", 404)
            values = await self._card_values(conn, viewer, item)
        return self.show(viewer, "card.html", status=409, notices=actor.told, card=values)

    async def decide(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Approve, ask for more, reject or forward, as the chat's card does."""
        nomination_id = int(request.path_params["nomination_id"])
        action = field_text(fields, "action", 20)
        if action not in {a.value for a in DECISIONS}:
            return self.error(viewer, "console.error.bad_form", 400)
        note: str | None = None
        if action == "ask":
            note = field_text(fields, "question", NOTE_LIMITS[1] + 1)
        elif action == "reject":
            reason = field_text(fields, "reason", 40)
            note = t(f"review.reason.{reason}") if reason in REASONS else None
            note = field_text(fields, "other", NOTE_LIMITS[1] + 1) or note
        elif action == "forward":
            note = field_text(fields, "note", NOTE_LIMITS[1] + 1) or None
        async with self.acting(viewer) as actor:
            ok = await self._note_ok(actor, action, note)
            item = await load_for(actor, nomination_id, Action(action)) if ok else None
            done = item is not None and await decide(actor, item, action, note)
        return await self._finish(viewer, actor, nomination_id, action if done else None)

    @staticmethod
    async def _note_ok(actor: ConsoleActor, action: str, note: str | None) -> bool:
        """The chat's rules for a question or a reason: NOTE_LIMITS characters."""
        if action not in ("ask", "reject") and not note:
            return True
        low, high = NOTE_LIMITS
        if note is None or len(note) < low:
            actor.tell("common.too_short", min=low)
            return False
        if len(note) > high:
            actor.tell("common.too_long", max=high, got=len(note))
            return False
        return True

    async def score(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Scores of the criteria filled in (empty ones are left as they were)."""
        nomination_id = int(request.path_params["nomination_id"])
        given: list[tuple[int, float]] = []
        for key, value in fields.multi_items():
            if key.startswith("c") and key[1:].isdigit() and isinstance(value, str):
                text = value.strip().replace(",", ".")
                if text:
                    try:
                        given.append((int(key[1:]), float(text)))
                    except ValueError:
                        given.append((int(key[1:]), -1.0))
        async with self.acting(viewer) as actor:
            item = await load_for(actor, nomination_id, Action.SCORE)
            done = item is not None and bool(given)
            for criterion_id, number in given:
                if item is not None:
                    done = await score(actor, item, criterion_id, number) and done
            if not given:
                actor.tell("console.card.no_scores")
        return await self._finish(viewer, actor, nomination_id, "score" if done else None)

    async def merge(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Merge this nomination into the earlier one the card pointed out."""
        nomination_id = int(request.path_params["nomination_id"])
        into = field_int(fields, "into")
        async with self.acting(viewer) as actor:
            item = await load_for(actor, nomination_id, Action.MERGE)
            done = item is not None and into is not None and await merge(actor, item, into)
        return await self._finish(viewer, actor, nomination_id, "merge" if done else None)

    async def commend(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Record the commendation decided for an approved nomination."""
        nomination_id = int(request.path_params["nomination_id"])
        record = self._commendation(fields, nomination_id)
        async with self.acting(viewer) as actor:
            item = await load_for(actor, nomination_id, Action.COMMEND)
            if record is None:
                actor.tell("console.card.commend_incomplete")
            done = item is not None and record is not None and await commend(actor, item, record)
        return await self._finish(viewer, actor, nomination_id, "commend" if done else None)

    def _commendation(
        self, fields: FormData, nomination_id: int
    ) -> commendations.NewCommendation | None:
        """The commendation form's fields, checked as the chat checks them; None if wrong."""
        form = field_text(fields, "form", FORM_LIMIT)
        number = field_text(fields, "number", NUMBER_LIMIT)
        issuer = field_text(fields, "issuer", ISSUER_LIMIT)
        try:
            day = datetime.strptime(field_text(fields, "date", 10), "%Y-%m-%d").date()
        except ValueError:
            return None
        today = self.deps.clock().astimezone(self.deps.config.timezone).date()
        if not (form and number and issuer) or day.year < 1945 or day > today:
            return None
        return commendations.NewCommendation(
            nomination_id=nomination_id,
            form=form,
            decision_no=number,
            decided_on=day,
            issuer=issuer,
        )
