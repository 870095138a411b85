"""/accounts (/taikhoan): the chat apps and browsers linked to the person; show a sign-in code
to link another one; unlink one; confirm or refuse a link waiting for confirmation.
Diagram: accounts.mmd."""

from __future__ import annotations

from datetime import datetime

from handlers.flows import engine, link
from handlers.flows.base import END, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.turn import Option, Turn
from storage import accounts, audit, link_requests, people

LISTED = 10


async def begin(turn: Turn) -> None:
    """Show the linked accounts and what can be done with them."""
    await engine.start(turn, FLOW, "menu", {})


def when(turn: Turn, moment: datetime) -> str:
    """A time as people read it, in their time zone."""
    return moment.astimezone(turn.config.timezone).strftime("%d/%m/%Y %H:%M")


async def ask_menu(turn: Turn) -> None:
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


async def accept_menu(turn: Turn, answer: Answer) -> StepResult:
    assert turn.person is not None
    choice = answer.choice or ""
    if choice == "done":
        engine.finish(turn)
        show_main_menu(turn)
        return None
    if choice == "link":
        engine.finish(turn)
        await link.offer_code(turn)
        return None
    if choice == "unlink":
        return "pick"
    verdict, _, number = choice.partition(".")
    if verdict in ("ok", "no") and number.isdigit():
        await _decide(turn, int(number), confirm=verdict == "ok")
        return END
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


async def ask_pick(turn: Turn) -> None:
    assert turn.person is not None
    own = await link.live_accounts(turn, turn.person.id)
    options = []
    for account in own[:LISTED]:
        label = await link.account_label(turn, account)
        if account.id == turn.identity.id:
            label = f"{label} {t('accounts.this_one')}"
        options.append(Option(f"i{account.id}", label_text=label[:60]))
    turn.say("accounts.ask_pick", options=[*options, Option("back", "common.choice.back")])


async def accept_pick(turn: Turn, answer: Answer) -> StepResult:
    choice = answer.choice or ""
    if choice == "back":
        return "menu"
    if choice.startswith("i") and choice[1:].isdigit():
        turn.state.data["identity_id"] = int(choice[1:])
        return "confirm"
    turn.say("common.not_an_option")
    return None


async def ask_confirm(turn: Turn) -> None:
    account = await people.get_identity(turn.conn, int(turn.state.data["identity_id"]))
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


async def accept_confirm(turn: Turn, answer: Answer) -> StepResult:
    assert turn.person is not None
    if answer.choice != "yes":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    person = turn.person
    own = await link.live_accounts(turn, person.id)
    account = next((a for a in own if a.id == turn.state.data.get("identity_id")), None)
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


FLOW = Flow(
    name="accounts",
    steps={
        "menu": Step(ask_menu, accept_menu),
        "pick": Step(ask_pick, accept_pick),
        "confirm": Step(ask_confirm, accept_confirm),
    },
)
