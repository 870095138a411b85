"""/export (/xuat): the scope's nominations as a spreadsheet to file and print.

One sheet of everything and one per status, each under a title block (what, which units,
which period, made when and by whom), with the decision columns a report needs: status,
level reached, scores, who decided and when, the reason of a rejection, evidence count.
Personal data columns (birth year, phone, reporter) only for officials and admins.
"""

from __future__ import annotations

from datetime import date

from handlers import nominee_consent
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.reports import bounds, parse_period, top_scopes
from handlers.ports import XLSX_MIME, Cell, Sheet
from handlers.roles import RANK, Role
from handlers.text import decimal, display_phone, number
from handlers.turn import Turn
from handlers.types import LOCAL_FILES, Attachment
from storage import audit, exports
from storage.criteria import Criterion, ancestor_ids, weighted_total
from storage.exports import ReviewFacts
from storage.reports import NominationLine, nominations_in_scope
from storage.rows import Unit
from storage.units import get_unit

Sets = dict[tuple[int, str], list[Criterion]]
# The sheets per status, in the order of a nomination's life.
STATUS_ORDER = (
    "submitted",
    "answered",
    "forwarded",
    "needs_info",
    "approved",
    "rejected",
    "merged",
)


def column_keys(personal: bool) -> list[str]:
    """The columns of a spreadsheet (personal data only for officials and admins)."""
    keys = ["code", "submitted", "unit", "campaign", "kind", "name"]
    keys += ["birth_year"] if personal else []
    keys += ["place", "field", "achievement", "evidence"]
    keys += ["phone", "reporter"] if personal else []
    keys += ["consent", "status", "level", "score", "decided_by", "decided_at", "reason"]
    return [*keys, "updated"]


def score_text(facts: ReviewFacts, field: str, sets: Sets) -> str:
    """ "7,5/10" (weighted, as the review card counts it), with how many criteria were scored
    when not all; empty when nothing was scored."""
    if not facts.scores:
        return ""
    for unit_id in reversed(ancestor_ids(facts.level_path)):
        items = sets.get((unit_id, field))
        if items:
            total, maximum, scored = weighted_total(items, facts.scores)
            if scored == 0:
                return ""
            text = f"{decimal(round(total, 1))}/{decimal(round(maximum, 1))}"
            if scored < len(items):
                text += " " + t("officials.export.scored_of", scored=scored, count=len(items))
            return text
    return ""


def _row(
    line: NominationLine, facts: ReviewFacts, sets: Sets, personal: bool, turn: Turn
) -> list[Cell]:
    tz = turn.config.timezone
    individual = line.kind == "individual"
    values: dict[str, Cell] = {
        "code": line.code,
        "submitted": line.submitted_at.astimezone(tz),
        "unit": line.unit_name,
        "campaign": line.campaign_title or "",
        "kind": t(f"nominate.kind.{line.kind}"),
        "name": line.nominee_name,
        # Households and collectives have no birth year: the cell stays empty.
        "birth_year": str(line.birth_year) if individual and line.birth_year else "",
        "place": line.place,
        "field": t(f"nominate.field.{line.field}"),
        "achievement": line.achievement,
        "evidence": facts.evidence,
        # As people write it, and as text: Excel keeps the leading zero and the spaces.
        "phone": display_phone(line.contact_phone) if line.contact_phone else "",
        "reporter": line.reporter_name,
        # The consent as recorded (how, by whom): never a bare "yes" without its evidence.
        "consent": nominee_consent.summary(line.consent_method, line.consent_guardian),
        "status": t(f"status.{line.status}"),
        "level": facts.level or line.unit_name,
        "score": score_text(facts, line.field, sets),
        "decided_by": facts.decided_by or "",
        "decided_at": facts.decided_at.astimezone(tz) if facts.decided_at else None,
        "reason": (facts.note or "") if facts.decision == "reject" else "",
        "updated": line.updated_at.astimezone(tz),
    }
    return [values[k] for k in column_keys(personal)]


def heading(
    title: str, units: list[Unit], period: tuple[date, date] | None, count: int, turn: Turn
) -> list[str]:
    """The title block: what, of which units, for which period, made when and by whom."""
    assert turn.person is not None
    local = turn.now.astimezone(turn.config.timezone)
    if period is None:
        when = t("officials.export.period_all", last=local.strftime("%d/%m/%Y"))
    else:
        first, last = (d.strftime("%d/%m/%Y") for d in period)
        when = t("officials.export.period", first=first, last=last)
    return [
        title,
        t("officials.export.units", units=", ".join(u.name for u in units)),
        when,
        t("officials.export.count", count=number(count)),
        t(
            "officials.export.made",
            time=local.strftime("%H:%M"),
            date=local.strftime("%d/%m/%Y"),
            name=turn.person.full_name,
        ),
    ]


def sheets_for(
    lines: list[NominationLine],
    facts: dict[int, ReviewFacts],
    sets: Sets,
    personal: bool,
    title_block: list[str],
    turn: Turn,
) -> list[Sheet]:
    """One filterable table of everything, then one sheet per status, each titled."""
    headers = [t(f"officials.export.col.{k}") for k in column_keys(personal)]

    def rows(chosen: list[NominationLine]) -> list[list[Cell]]:
        return [_row(x, facts.get(x.id, ReviewFacts()), sets, personal, turn) for x in chosen]

    sheets = [Sheet(t("officials.export.sheet_all"), headers, rows(lines), title_block)]
    present = {x.status for x in lines}
    for status in [
        *(s for s in STATUS_ORDER if s in present),
        *sorted(present - set(STATUS_ORDER)),
    ]:
        chosen = [x for x in lines if x.status == status]
        block = [
            t("officials.export.title_status", status=t(f"status.{status}")),
            *title_block[1:3],
            t("officials.export.count", count=number(len(chosen))),
            *title_block[4:],
        ]
        sheets.append(Sheet(t(f"status.{status}"), headers, rows(chosen), block))
    return sheets


async def export(turn: Turn) -> None:
    """The scope's nominations (all, or submitted in a period) as an .xlsx sent into the chat."""
    assert turn.person is not None
    if turn.config.documents is None:
        show_main_menu(turn, "officials.export.unavailable")
        return
    period = parse_period(turn.args, turn.now, turn) if turn.args.strip() else None
    if turn.args.strip() and period is None:
        show_main_menu(turn, "officials.export.usage")
        return
    since, until = bounds(*period, turn) if period else (None, None)
    lines: list[NominationLine] = []
    seen: set[int] = set()
    facts: dict[int, ReviewFacts] = {}
    personal = True
    units: list[Unit] = []
    for membership in top_scopes(turn.memberships, Role.REVIEWER):
        unit = await get_unit(turn.conn, membership.unit_id)
        assert unit is not None
        units.append(unit)
        personal = personal and RANK[Role(membership.role)] >= RANK[Role.OFFICIAL]
        found = await nominations_in_scope(turn.conn, unit.path, since=since, until=until)
        lines += [x for x in found if x.id not in seen]
        seen |= {x.id for x in found}
        facts |= await exports.review_facts(turn.conn, unit.path)
    sets = exports.effective_sets(await exports.active_criteria(turn.conn))
    block = heading(t("officials.export.title"), units, period, len(lines), turn)
    if personal:
        block.append(t("officials.export.personal"))
    sheets = sheets_for(lines, facts, sets, personal, block, turn)
    name = await turn.config.documents.workbook_xlsx(sheets)
    stamp = turn.now.astimezone(turn.config.timezone).strftime("%Y-%m-%d")
    attachment = Attachment(
        kind="document",
        channel=LOCAL_FILES,
        file_ref=name,
        mime=XLSX_MIME,
        file_name=f"de-cu-{stamp}.xlsx",
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="nominations.exported",
        object_type="unit",
        object_id=units[0].id if units else None,
        detail={"rows": len(lines), "personal": personal},
    )
    turn.say(
        "officials.export.ready",
        count=number(len(lines)),
        units=", ".join(u.name for u in units),
        note=t("officials.export.personal" if personal else "officials.export.no_personal"),
        media=[attachment],
    )
    show_main_menu(turn)
