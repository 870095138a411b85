"""/accounts (/taikhoan): the chat apps and browsers linked to the person; show a sign-in code
to link another one; unlink one; confirm or refuse a link waiting for confirmation.
Diagram: accounts.mmd."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum, auto

from handlers.draft import Draft
from handlers.flows import engine, link
from handlers.flows.base import END, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.turn import Option, Turn, option_id
from storage import accounts, audit, link_requests, people

LISTED = 10


class AccountsStep(StrEnum):
    """The linked accounts (menu), then unlinking one."""

    MENU = auto()
    PICK = auto()
    CONFIRM = auto()


Next = StepResult[AccountsStep]


class AccountsDraft(Draft):
    """The account chosen to unlink."""

    identity_id: int | None = None


async def begin(turn: Turn) -> None:
    """Show the linked accounts and what can be done with them."""
    await engine.start(turn, FLOW, AccountsStep.MENU, AccountsDraft())


def when(turn: Turn, moment: datetime) -> str:
    """A time as people read it, in their time zone."""
    return moment.astimezone(turn.config.timezone).strftime("%d/%m/%Y %H:%M")


async def ask_menu(turn: Turn, draft: AccountsDraft) -> None:
    assert turn.person is not None
    own = await link.live_accounts(turn, turn.person.id)
    lines = [t("accounts.header", name=turn.person.full_name, count=len(own))]
    for n, account in enumerate(own[:LISTED], start=1):
        here = t("accounts.this_one") if account.id == turn.identity.id else ""
        used = when(turn, account.last_inbound_at or account.created_at)
        label = await link.account_label(turn, account)
        lines.append(t("accounts.line", n=n, account=label, used=used, here=here))
    options: list[Option] = []
    pending = await link_requests.pending_for(turn.conn, turn.person.id, turn.now)
    for request in pending[:3]:
        asking = await people.get_identity(turn.conn, request.identity_id)
        label = await link.account_label(turn, asking) if asking else "?"
        lines.append(t("accounts.pending", account=label, at=when(turn, request.created_at)))
        options.append(
            Option(f"ok.{request.id}", label_text=t("accounts.choice.confirm", account=label)[:60])
        )
        options.append(
            Option(f"no.{request.id}", label_text=t("accounts.choice.refuse", account=label)[:60])
        )
    options.append(Option("link", "accounts.choice.link"))
    if len(own) > 1:
        options.append(Option("unlink", "accounts.choice.unlink"))
    options.append(Option("done", "accounts.choice.done"))
    turn.say_text("\n".join(lines), options=options)


async def accept_menu(turn: Turn, draft: AccountsDraft, answer: Answer) -> Next:
    assert turn.person is not None
    choice = answer.choice or ""
    if choice == "done":
        engine.finish(turn, "common.menu_prompt")
        return None
    if choice == "link":
        engine.finish(turn)
        await link.offer_code(turn)
        return None
    if choice == "unlink":
        return AccountsStep.PICK
    request_id = option_id(choice, "ok.") or option_id(choice, "no.")
    if request_id is not None:
        engine.finish(turn)  # first: the main menu _decide shows stays the one a number answers
        await _decide(turn, request_id, confirm=choice.startswith("ok."))
        return None
    turn.say("common.not_an_option")
    return None


async def _decide(turn: Turn, request_id: int, *, confirm: bool) -> None:
    """Confirm or refuse a waiting link; re-checked: it must be this person's and pending."""
    assert turn.person is not None
    pending = await link_requests.pending_for(turn.conn, turn.person.id, turn.now)
    request = next((r for r in pending if r.id == request_id), None)
    asking = await people.get_identity(turn.conn, request.identity_id) if request else None
    status = "confirmed" if confirm else "refused"
    if (
        request is None
        or asking is None
        or asking.person_id is not None
        or not await link_requests.decide(turn.conn, request.id, status, turn.identity.id, turn.now)
    ):
        show_main_menu(turn, "accounts.request_gone")
        return
    label = await link.account_label(turn, asking)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action=f"link_request.{status}",
        object_type="identity",
        object_id=asking.id,
    )
    if confirm:
        await link.complete(turn, turn.person.id, asking, label)
        show_main_menu(turn, "accounts.confirmed", account=label)
        return
    await link.tell_accounts(turn, turn.person.id, "accounts.refused_told", account=label)
    show_main_menu(turn, "accounts.refused", account=label)


async def ask_pick(turn: Turn, draft: AccountsDraft) -> None:
    assert turn.person is not None
    own = await link.live_accounts(turn, turn.person.id)
    options = []
    for account in own[:LISTED]:
        label = await link.account_label(turn, account)
        if account.id == turn.identity.id:
            label = f"{label} {t('accounts.this_one')}"
        options.append(Option(f"i{account.id}", label_text=label[:60]))
    turn.say("accounts.ask_pick", options=[*options, Option("back", "common.choice.back")])


async def accept_pick(turn: Turn, draft: AccountsDraft, answer: Answer) -> Next:
    if answer.choice == "back":
        return AccountsStep.MENU
    draft.identity_id = option_id(answer.choice, "i")
    if draft.identity_id is not None:
        return AccountsStep.CONFIRM
    turn.say("common.not_an_option")
    return None


async def ask_confirm(turn: Turn, draft: AccountsDraft) -> None:
    account = await people.get_identity(turn.conn, draft.identity_id or 0)
    label = await link.account_label(turn, account) if account else "?"
    key = (
        "accounts.confirm_self"
        if account and account.id == turn.identity.id
        else "accounts.confirm"
    )
    turn.say(
        key,
        account=label,
        options=[Option("yes", "accounts.choice.unlink_yes"), Option("no", "common.choice.cancel")],
    )


async def accept_confirm(turn: Turn, draft: AccountsDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.choice != "yes":
        engine.finish(turn, "common.cancelled")
        return None
    person = turn.person
    own = await link.live_accounts(turn, person.id)
    account = next((a for a in own if a.id == draft.identity_id), None)
    engine.finish(turn)
    if account is None:
        show_main_menu(turn, "accounts.request_gone")
        return None
    if len(own) < 2:
        show_main_menu(turn, "accounts.last_one")
        return None
    label = await link.account_label(turn, account)
    if account.channel == "web":
        await accounts.end_web_account(turn.conn, account.id, turn.now)
    else:
        await accounts.unlink_identity(turn.conn, account.id, person.id, turn.now)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=person.id,
        action="identity.unlinked",
        object_type="identity",
        object_id=account.id,
        detail={"channel": account.channel},
    )
    await link.tell_accounts(
        turn, person.id, "accounts.unlinked_told", skip=frozenset({turn.identity.id}), account=label
    )
    if account.id == turn.identity.id:
        turn.person, turn.memberships = None, []
        turn.say("accounts.unlinked_self")
        return None
    show_main_menu(turn, "accounts.unlinked", account=label)
    return None


S = AccountsStep
TABLE: dict[AccountsStep, Step[AccountsStep, AccountsDraft]] = {
    S.MENU: Step(ask_menu, accept_menu, {S.PICK, END}),
    S.PICK: Step(ask_pick, accept_pick, {S.MENU, S.CONFIRM}),
    S.CONFIRM: Step(ask_confirm, accept_confirm, {END}),
}
FLOW = Flow("accounts", AccountsStep, AccountsDraft, entry={S.MENU}, table=TABLE)
