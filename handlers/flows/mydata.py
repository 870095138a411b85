"""/mydata (/dulieu): everything held about the member, in plain words; correct the name or
the phone; download it all as a file; withdraw consent, or agree again. Diagram: mydata.mmd."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum, auto

from handlers.consent_texts import app_name, member_text
from handlers.draft import Draft
from handlers.flows import engine, erase, join
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.localtime import local_date, local_date_time
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.ports import XLSX_MIME, Cell, Sheet
from handlers.text import display_phone, number
from handlers.turn import Option, Turn
from handlers.types import LOCAL_FILES, Attachment
from storage import audit, bulk, consent, mydata, people
from storage.mydata import PersonData

NAME_LIMITS = (2, 120)
LISTED = 10
JSON_MIME = "application/json"


class MyDataStep(StrEnum):
    """What is held (menu), correcting the name or phone, withdrawing or giving consent."""

    SHOW = auto()
    NAME = auto()
    PHONE = auto()
    WITHDRAW = auto()
    AGREE = auto()


Next = StepResult[MyDataStep]


class MyDataDraft(Draft):
    """Nothing to gather: every step acts on the person's own rows."""


async def begin(turn: Turn) -> None:
    """Show what is held about the sender."""
    await engine.start(turn, FLOW, MyDataStep.SHOW, MyDataDraft())


async def agree(turn: Turn) -> None:
    """/consent (/dongy): a member who withdrew consent reads it again and may agree."""
    assert turn.person is not None
    if turn.person.consent_withdrawn_at is None:
        show_main_menu(turn, "consent.in_force")
        return
    await engine.start(turn, FLOW, MyDataStep.AGREE, MyDataDraft())


async def _data(turn: Turn) -> PersonData:
    assert turn.person is not None
    found = await mydata.person_data(turn.conn, turn.person.id, turn.now)
    assert found is not None  # an erased person has no session to ask from
    return found


def overview(turn: Turn, data: PersonData) -> str:
    """Everything held, as a member reads it."""
    config = turn.config
    none = t("mydata.none")
    accounts = [
        t(
            "mydata.account",
            app=app_name(a.channel) + (f" ({a.device})" if a.device else ""),
            since=local_date(a.since, config),
        )
        + (t("mydata.template_phone", phone=a.template_phone) if a.template_phone else "")
        for a in data.accounts
    ]
    roles = [
        t("mydata.role", role=t(f"role.{r.role}"), unit=r.unit, since=local_date(r.since, config))
        for r in data.roles
    ]
    consents = [
        t(
            "mydata.consent_withdrawn" if c.withdrawn_at else "mydata.consent_given",
            version=c.text_version,
            given=local_date_time(c.given_at, config),
            withdrawn=local_date_time(c.withdrawn_at, config) if c.withdrawn_at else "",
        )
        for c in data.consents
    ]
    made = [
        t("mydata.nomination", code=n.code, name=n.nominee, status=t(f"status.{n.status}"))
        for n in data.nominations[-LISTED:]
    ]
    drafts = [
        t(
            "mydata.draft",
            flow=t(f"mydata.flow.{d.flow}") if f"mydata.flow.{d.flow}" in _FLOW_KEYS else d.flow,
            app=app_name(d.channel),
            at=local_date_time(d.updated_at, config),
        )
        for d in data.drafts
    ]
    live = sum(1 for d in data.devices if not d.ended)
    return t(
        "mydata.overview",
        name=data.name,
        phone=display_phone(data.phone) if data.phone else none,
        joined=local_date(data.joined_at, config),
        accounts="\n".join(accounts) or none,
        roles="\n".join(roles) or none,
        consents="\n".join(consents) or none,
        count=number(len(data.nominations)),
        nominations="\n".join(made) or none,
        evidence=number(len(data.evidence)),
        drafts="\n".join(drafts) or none,
        devices=number(len(data.devices)),
        live=number(live),
        rsvps=number(len(data.rsvps)),
        messages=number(data.messages_kept),
        message_days=config.message_retention.days,
        uploads=number(data.uploads_kept),
        upload_days=config.draft_ttl_days,
        codes=number(data.sign_in_codes),
    )


_FLOW_KEYS = frozenset({"mydata.flow.nominate", "mydata.flow.answer", "mydata.flow.held"})


async def ask_show(turn: Turn, draft: MyDataDraft) -> None:
    data = await _data(turn)
    withdrawn = data.consent_withdrawn_at is not None
    options = [
        Option("name", "mydata.choice.name"),
        Option("phone", "mydata.choice.phone"),
        Option("json", "mydata.choice.as_json"),
        Option("xlsx", "mydata.choice.as_xlsx"),
        Option("agree", "mydata.choice.agree")
        if withdrawn
        else Option("withdraw", "mydata.choice.withdraw"),
        Option("erase", "mydata.choice.erase"),
        Option("done", "common.choice.done"),
    ]
    turn.say_text(overview(turn, data), options=options)


async def accept_show(turn: Turn, draft: MyDataDraft, answer: Answer) -> Next:
    choice = answer.choice or ""
    if choice in ("json", "xlsx"):
        await _download(turn, choice)
        return None
    if choice == "erase":
        engine.finish(turn)
        await erase.begin(turn)
        return None
    if choice == "done":
        engine.finish(turn, "common.menu_prompt")
        return None
    return {
        "name": MyDataStep.NAME,
        "phone": MyDataStep.PHONE,
        "withdraw": MyDataStep.WITHDRAW,
        "agree": MyDataStep.AGREE,
    }.get(choice)


def sheets(turn: Turn, data: PersonData) -> list[Sheet]:
    """The download as a spreadsheet: one sheet per kind of data."""
    config = turn.config
    tz = config.timezone
    header = [t("mydata.sheet.field"), t("mydata.sheet.value")]
    profile: list[list[Cell]] = [
        [t("mydata.sheet.name"), data.name],
        [t("mydata.sheet.phone"), display_phone(data.phone) if data.phone else ""],
        [t("mydata.sheet.joined"), data.joined_at.astimezone(tz)],
        [t("mydata.sheet.messages"), data.messages_kept],
        [t("mydata.sheet.uploads"), data.uploads_kept],
        [t("mydata.sheet.codes"), data.sign_in_codes],
    ]
    return [
        Sheet(t("mydata.sheet.profile"), header, profile),
        Sheet(
            t("mydata.sheet.accounts"),
            [t("mydata.sheet.app"), t("mydata.sheet.since"), t("mydata.sheet.last")],
            [
                [app_name(a.channel), a.since.astimezone(tz), _local(a.last_message_at, turn)]
                for a in data.accounts
            ],
        ),
        Sheet(
            t("mydata.sheet.roles"),
            [t("mydata.sheet.role"), t("mydata.sheet.unit"), t("mydata.sheet.since")],
            [[t(f"role.{r.role}"), r.unit, r.since.astimezone(tz)] for r in data.roles],
        ),
        Sheet(
            t("mydata.sheet.consents"),
            [t("mydata.sheet.version"), t("mydata.sheet.given"), t("mydata.sheet.withdrawn")],
            [
                [c.text_version, c.given_at.astimezone(tz), _local(c.withdrawn_at, turn)]
                for c in data.consents
            ],
        ),
        Sheet(
            t("mydata.sheet.nominations"),
            [t("mydata.sheet.code"), t("mydata.sheet.nominee"), t("mydata.sheet.status")],
            [[n.code, n.nominee, t(f"status.{n.status}")] for n in data.nominations],
        ),
        Sheet(
            t("mydata.sheet.evidence"),
            [t("mydata.sheet.code"), t("mydata.sheet.kind"), t("mydata.sheet.sent")],
            [[e.nomination, e.kind, e.added_at.astimezone(tz)] for e in data.evidence],
        ),
        Sheet(
            t("mydata.sheet.devices"),
            [t("mydata.sheet.device"), t("mydata.sheet.since"), t("mydata.sheet.last")],
            [
                [d.device, d.signed_in_at.astimezone(tz), d.last_seen_at.astimezone(tz)]
                for d in data.devices
            ],
        ),
    ]


def _local(moment: datetime | None, turn: Turn) -> datetime | str:
    return moment.astimezone(turn.config.timezone) if moment is not None else ""


async def _download(turn: Turn, kind: str) -> None:
    """Everything held, as a file sent into this chat (deleted from the server in hours)."""
    assert turn.person is not None
    documents = turn.config.documents
    if documents is None:
        turn.say("mydata.download_unavailable")
        return
    data = await _data(turn)
    stamp = turn.now.astimezone(turn.config.timezone).strftime("%Y-%m-%d")
    if kind == "json":
        name = await documents.data_json(data.model_dump(mode="json"))
        mime = JSON_MIME
    else:
        name = await documents.workbook_xlsx(sheets(turn, data))
        mime = XLSX_MIME
    attachment = Attachment(
        kind="document",
        channel=LOCAL_FILES,
        file_ref=name,
        mime=mime,
        file_name=f"du-lieu-cua-toi-{stamp}.{kind}",
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="person.data_downloaded",
        object_type="person",
        object_id=turn.person.id,
        detail={"format": kind},
    )
    engine.finish(turn)
    turn.say(
        "mydata.download_ready",
        hours=int(turn.config.export_retention.total_seconds() // 3600),
        media=[attachment],
    )
    show_main_menu(turn)


# ---------------------------------------------------------------------- corrections
async def ask_name(turn: Turn, draft: MyDataDraft) -> None:
    turn.say("mydata.ask_name", options=[Option("back", "common.choice.back")])


async def accept_name(turn: Turn, draft: MyDataDraft, answer: Answer) -> Next:
    if answer.choice == "back":
        return MyDataStep.SHOW
    name = answer.text or ""
    if not engine.length_ok(turn, name, NAME_LIMITS):
        return None
    assert turn.person is not None
    await people.set_name(turn.conn, turn.person.id, name)
    await _corrected(turn, "full_name")
    turn.say("mydata.name_saved", name=name)
    return MyDataStep.SHOW


async def ask_phone(turn: Turn, draft: MyDataDraft) -> None:
    turn.say(
        "mydata.ask_phone",
        ask_phone=True,
        options=[
            Option("remove", "mydata.choice.remove_phone"),
            Option("back", "common.choice.back"),
        ],
    )


async def accept_phone(turn: Turn, draft: MyDataDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.choice == "back":
        return MyDataStep.SHOW
    phone: str | None = None
    if answer.choice != "remove":
        phone = join.own_phone(turn, answer)
        if phone is None:
            return None
    await people.set_phone(turn.conn, turn.person.id, phone)
    await _corrected(turn, "phone")
    turn.say("mydata.phone_saved" if phone else "mydata.phone_removed")
    return MyDataStep.SHOW


async def _corrected(turn: Turn, field: str) -> None:
    assert turn.person is not None
    turn.person = await people.get_person(turn.conn, turn.person.id)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id if turn.person else None,
        action="person.corrected",
        object_type="person",
        object_id=turn.person.id if turn.person else None,
        detail={"field": field, "by": "self"},
    )


# ------------------------------------------------------------------------- consent
async def ask_withdraw(turn: Turn, draft: MyDataDraft) -> None:
    turn.say(
        "mydata.ask_withdraw",
        options=[
            Option("withdraw", "mydata.choice.withdraw_yes"),
            Option("back", "common.choice.back"),
        ],
    )


async def accept_withdraw(turn: Turn, draft: MyDataDraft, answer: Answer) -> Next:
    if answer.choice != "withdraw":
        return MyDataStep.SHOW
    assert turn.person is not None
    person_id = turn.person.id
    engine.finish(turn)
    if await consent.withdraw_member(turn.conn, person_id, turn.now):
        accounts = await people.identities_of(turn.conn, person_id)
        cancelled = await bulk.cancel_waiting(
            turn.conn, [(a.channel, a.external_id) for a in accounts], "consent withdrawn"
        )
        await audit.record(
            turn.conn,
            at=turn.now,
            actor_id=person_id,
            action="member_consent.withdrawn",
            object_type="person",
            object_id=person_id,
            detail={"cancelled_messages": cancelled},
        )
    turn.person = await people.get_person(turn.conn, person_id)
    turn.say("consent.withdrawn_done", at=local_date_time(turn.now, turn.config))
    return None


async def ask_agree(turn: Turn, draft: MyDataDraft) -> None:
    turn.say(
        "consent.ask_again",
        consent=member_text(turn.config),
        options=[Option("yes", "join.choice.agree"), Option("no", "join.choice.disagree")],
    )


async def accept_agree(turn: Turn, draft: MyDataDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.choice != "yes":
        engine.finish(turn)
        turn.say("consent.still_withdrawn")
        return None
    await join.agree_again(turn)
    engine.finish(turn, "consent.agreed_again")
    return None


S = MyDataStep
TABLE: dict[MyDataStep, Step[MyDataStep, MyDataDraft]] = {
    S.SHOW: Step(ask_show, accept_show, {S.NAME, S.PHONE, S.WITHDRAW, S.AGREE, END}),
    S.NAME: Step(ask_name, accept_name, {S.SHOW}, Accepts.CHOICE | Accepts.TEXT, free_text=True),
    S.PHONE: Step(
        ask_phone, accept_phone, {S.SHOW}, Accepts.CHOICE | Accepts.TEXT | Accepts.CONTACT
    ),
    S.WITHDRAW: Step(ask_withdraw, accept_withdraw, {S.SHOW, END}),
    S.AGREE: Step(ask_agree, accept_agree, {END}),
}
FLOW = Flow("mydata", MyDataStep, MyDataDraft, entry={S.SHOW, S.AGREE}, table=TABLE)
