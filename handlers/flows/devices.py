"""/devices (/thietbi): the browsers signed in as the person; sign one, or all others, out.
An admin can also sign a person of their scope out of every browser. Diagram: devices.mmd."""

from __future__ import annotations

from enum import StrEnum, auto

from pydantic import Field

from handlers.draft import Draft
from handlers.flows import engine, link
from handlers.flows.accounts import when
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult, says
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import Role, has_role, scopes
from handlers.text import fold
from handlers.turn import Option, Turn, option_id
from handlers.types import Reply
from storage import accounts, audit, outbox, web_sessions
from storage.rows import WebSession

LISTED = 10
MATCHES = 10
NAME_MIN = 2


class DevicesStep(StrEnum):
    """The signed-in browsers (list); for an admin, a person to sign out everywhere."""

    LIST = auto()
    WHO = auto()
    PICK = auto()
    CONFIRM = auto()


Next = StepResult[DevicesStep]


class DevicesDraft(Draft):
    """An admin's search: the people it found (id, label), then the one chosen."""

    matches: list[tuple[int, str]] = Field(default_factory=list)
    person_id: int | None = None


async def begin(turn: Turn) -> None:
    """List the person's signed-in browsers."""
    await engine.start(turn, FLOW, DevicesStep.LIST, DevicesDraft())


async def _devices(turn: Turn, person_id: int) -> list[WebSession]:
    return await web_sessions.devices_of(
        turn.conn,
        person_id,
        turn.now,
        turn.config.web_session_idle,
        turn.config.console_session_idle,
    )


async def ask_list(turn: Turn, draft: DevicesDraft) -> None:
    assert turn.person is not None
    devices = await _devices(turn, turn.person.id)
    options: list[Option] = []
    if devices:
        lines = [t("devices.header", count=len(devices))]
        for n, device in enumerate(devices[:LISTED], start=1):
            here = t("accounts.this_one") if device.identity_id == turn.identity.id else ""
            lines.append(
                t(
                    "devices.line",
                    n=n,
                    device=device.device or t("accounts.device_unknown"),
                    since=when(turn, device.created_at),
                    used=when(turn, device.last_seen_at),
                    here=here,
                )
            )
            options.append(
                Option(f"s{device.id}", label_text=t("devices.choice.sign_out", n=n)[:60])
            )
        if len([d for d in devices if d.identity_id != turn.identity.id]) > 1:
            options.append(Option("others", "devices.choice.others"))
        text = "\n".join(lines)
    else:
        text = t("devices.none")
    if has_role(turn.memberships, Role.ADMIN):
        options.append(Option("admin", "devices.choice.admin"))
    options.append(Option("done", "accounts.choice.done"))
    turn.say_text(text, options=options)


async def accept_list(turn: Turn, draft: DevicesDraft, answer: Answer) -> Next:
    assert turn.person is not None
    choice = answer.choice or ""
    if choice == "done":
        engine.finish(turn, "common.menu_prompt")
        return None
    if choice == "admin" and has_role(turn.memberships, Role.ADMIN):
        return DevicesStep.WHO
    devices = await _devices(turn, turn.person.id)
    if choice == "others":
        chosen = [d for d in devices if d.identity_id != turn.identity.id]
    else:
        chosen = [d for d in devices if choice == f"s{d.id}"]
    if not chosen:
        turn.say("accounts.request_gone")
        return DevicesStep.LIST
    count = await _sign_out(turn, chosen)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="sessions.signed_out",
        object_type="person",
        object_id=turn.person.id,
        detail={"sessions": count},
    )
    engine.finish(turn)
    if any(d.identity_id == turn.identity.id for d in chosen):
        turn.person, turn.memberships = None, []
        turn.say("devices.signed_out_here")
        return None
    show_main_menu(turn, "devices.signed_out", count=count)
    return None


async def _sign_out(turn: Turn, devices: list[WebSession]) -> int:
    """End these sessions; a web chat browser's account goes with its session. A page still
    open there is told (its waiting poll gets the notice; its next request is refused)."""
    notices = []
    for device in devices:
        if device.identity_id is None:
            await web_sessions.revoke(turn.conn, device.id, turn.now)
            continue
        await accounts.end_web_account(turn.conn, device.identity_id, turn.now)
        if device.identity_id != turn.identity.id and device.chat_id is not None:
            notices.append(
                outbox.NewMessage(
                    channel="web",
                    chat_id=device.chat_id,
                    identity_id=device.identity_id,
                    payload=Reply(text=t("devices.signed_out_remotely")).model_dump(mode="json"),
                    dedupe_key=f"signed-out:{device.id}",
                )
            )
    await outbox.enqueue(turn.conn, notices, turn.now)
    return len(devices)


# ------------------------------------------------------------------ admin: a person, everywhere
ask_who = says("devices.ask_who")


async def accept_who(turn: Turn, draft: DevicesDraft, answer: Answer) -> Next:
    typed = fold(answer.text or "")
    if len(typed) < NAME_MIN:
        turn.say("common.too_short", min=NAME_MIN)
        return None
    found = [
        (person_id, name, unit)
        for person_id, name, unit in await accounts.people_in_scopes(
            turn.conn, scopes(turn.memberships, Role.ADMIN)
        )
        if typed in fold(name)
    ]
    if not found:
        turn.say("devices.nobody")
        return None
    if len(found) > MATCHES:
        turn.say("devices.too_many_matches", count=len(found))
        return None
    draft.matches = [(p, f"{name} — {unit}"[:60]) for p, name, unit in found]
    return DevicesStep.PICK


async def ask_pick(turn: Turn, draft: DevicesDraft) -> None:
    options = [Option(f"p{p}", label_text=label) for p, label in draft.matches]
    turn.say("devices.ask_pick", options=[*options, Option("cancel", "common.choice.cancel")])


async def accept_pick(turn: Turn, draft: DevicesDraft, answer: Answer) -> Next:
    if answer.choice == "cancel":
        engine.finish(turn, "common.cancelled")
        return None
    draft.person_id = option_id(answer.choice, "p")
    if draft.person_id is None:
        turn.say("common.not_an_option")
        return None
    return DevicesStep.CONFIRM


async def ask_confirm(turn: Turn, draft: DevicesDraft) -> None:
    label = next(lbl for p, lbl in draft.matches if p == draft.person_id)
    turn.say(
        "devices.confirm_everywhere",
        person=label,
        options=[Option("yes", "devices.choice.everywhere"), Option("no", "common.choice.cancel")],
    )


async def accept_confirm(turn: Turn, draft: DevicesDraft, answer: Answer) -> Next:
    assert turn.person is not None
    target = draft.person_id or 0
    engine.finish(turn)
    if answer.choice != "yes":
        show_main_menu(turn, "common.cancelled")
        return None
    # Re-checked now: still an admin, and the person still within the admin's scope.
    in_scope = {
        p
        for p, _, _ in await accounts.people_in_scopes(
            turn.conn, scopes(turn.memberships, Role.ADMIN)
        )
    }
    if not has_role(turn.memberships, Role.ADMIN) or target not in in_scope:
        show_main_menu(turn, "common.no_permission")
        return None
    count = await _sign_out(turn, await _devices(turn, target))
    codes = await accounts.drop_link_codes(turn.conn, target)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="sessions.revoked_everywhere",
        object_type="person",
        object_id=target,
        detail={"sessions": count, "link_codes": codes},
    )
    await link.tell_accounts(turn, target, "devices.signed_out_by_admin")
    show_main_menu(turn, "devices.everywhere_done", count=count)
    return None


S = DevicesStep
TABLE: dict[DevicesStep, Step[DevicesStep, DevicesDraft]] = {
    S.LIST: Step(ask_list, accept_list, {S.LIST, S.WHO, END}),
    S.WHO: Step(ask_who, accept_who, {S.WHO, S.PICK}, Accepts.TEXT, free_text=True),
    S.PICK: Step(ask_pick, accept_pick, {S.CONFIRM, END}),
    S.CONFIRM: Step(ask_confirm, accept_confirm, {END}),
}
FLOW = Flow("devices", DevicesStep, DevicesDraft, entry={S.LIST}, table=TABLE)
