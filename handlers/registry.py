"""The core's commands and flows, declared in one place (the composition of the core).

A command is one line of data: its name and Vietnamese alias, who may use it, what it runs,
the flow it starts, and more plain words for it. A new flow adds one line here.
"""

from __future__ import annotations

from handlers import console_link, digest, undo
from handlers.commands import ActionFn, Command, CommandTable
from handlers.flows import (
    accounts,
    answer,
    broadcast,
    campaign,
    commend,
    criteria,
    devices,
    engine,
    erase,
    event,
    join,
    link,
    mine,
    mydata,
    nominate,
    nominee,
    publish,
    review,
    template_phone,
)
from handlers.flows.base import AnyFlow
from handlers.menu import show_main_menu
from handlers.officials import actions, export, reports
from handlers.roles import Role, has_role
from handlers.turn import Turn


async def start(turn: Turn) -> None:
    """/start [code]: link with a link code or join with an invite, or be greeted."""
    if turn.args:
        if not await link.redeem(turn, turn.args):
            await join.begin(turn, turn.args)
    elif turn.joined:
        assert turn.person is not None
        show_main_menu(turn, "common.welcome_joined", name=turn.person.full_name)
    else:
        turn.say("common.welcome_stranger")


async def cancel(turn: Turn) -> None:
    """/cancel: leave whatever flow is running."""
    if turn.state.flow is None:
        show_main_menu(turn, "common.nothing_to_cancel")
        return
    engine.finish(turn, "common.cancelled")


async def back(turn: Turn) -> None:
    """/back: one step back in the running flow."""
    flow = FLOWS.get(turn.state.flow or "")
    if flow is None:
        show_main_menu(turn, "common.nothing_to_cancel")
        return
    if not await engine.back(turn, flow):
        turn.say("common.nothing_to_go_back")
        await engine.ask_again(turn, flow)


async def help_(turn: Turn) -> None:
    """/help: the commands; in a flow, a reminder of how to go on."""
    flow = FLOWS.get(turn.state.flow or "")
    turn.say("common.help")
    if has_role(turn.memberships, Role.REVIEWER):
        turn.say("review.help")
    if has_role(turn.memberships, Role.OFFICIAL):
        turn.say("officials.help")
    elif has_role(turn.memberships, Role.REVIEWER):
        turn.say("officials.help_reviewer")
    if flow is not None:  # the dispatcher checked its step
        turn.say("common.help_in_flow")
        await engine.ask_again(turn, flow)
    else:
        show_main_menu(turn)


ANSWER_WORDS = ("bo sung", "tra loi bo sung", "tra loi nguoi duyet")
UNDO_WORDS = ("hoan tac", "undo")
HELP_WORDS = ("tro giup", "help", "huong dan", "giup", "giup toi", "giup do", "can giup")
# Who may run a command (None: anyone, joined or not).
MEMBER, REVIEWER, OFFICIAL = Role.MEMBER, Role.REVIEWER, Role.OFFICIAL
COMMANDS = CommandTable(
    Command("start", "batdau", None, start, join.FLOW, ("start", "bat dau")),
    Command("nominate", "decu", MEMBER, nominate.begin, nominate.FLOW, ("de cu",)),
    Command("my", "cuatoi", MEMBER, mine.show, None, ("cua toi",)),
    Command("accounts", "taikhoan", MEMBER, accounts.begin, accounts.FLOW, ("tai khoan",)),
    Command("devices", "thietbi", MEMBER, devices.begin, devices.FLOW, ("thiet bi",)),
    Command("mydata", "dulieu", MEMBER, mydata.begin, mydata.FLOW, ("du lieu", "du lieu cua toi")),
    Command("consent", "dongy", MEMBER, mydata.agree, mydata.FLOW, ("dong y lai",)),
    Command("erase", "xoadulieu", MEMBER, erase.begin, erase.FLOW, ("xoa du lieu",)),
    Command(
        "template_phone",
        "mautin",
        MEMBER,
        template_phone.begin,
        template_phone.FLOW,
        ("mau tin", "nhan mau tin"),
    ),
    Command("review", "duyet", REVIEWER, review.begin, review.FLOW, ("duyet de cu",)),
    Command("digest", "tonghop", REVIEWER, digest.show, None, ("tong hop",)),
    Command("criteria", "tieuchi", REVIEWER, criteria.show, None, ("tieu chi",)),
    Command("commend", "khenthuong", REVIEWER, commend.begin, commend.FLOW, ("khen thuong",)),
    Command("answer", "bosung", MEMBER, answer.begin, answer.FLOW, ANSWER_WORDS, answer.reply_to),
    Command(
        "campaign",
        "dotphatdong",
        OFFICIAL,
        campaign.begin,
        campaign.FLOW,
        ("dot phat dong", "campaign"),
    ),
    Command("broadcast", "thongbao", OFFICIAL, broadcast.begin, broadcast.FLOW, ("thong bao",)),
    Command("event", "sukien", OFFICIAL, event.begin, event.FLOW, ("su kien",)),
    Command("publish", "vinhdanh", OFFICIAL, publish.begin, publish.FLOW, ("vinh danh",)),
    Command(
        "nominee", "nguoiduocdecu", OFFICIAL, nominee.begin, nominee.FLOW, ("nguoi duoc de cu",)
    ),
    Command("stats", "thongke", REVIEWER, reports.stats, None, ("thong ke", "so ket")),
    Command("export", "xuat", REVIEWER, export.export, None, ("xuat file", "export")),
    Command("web", "web", REVIEWER, console_link.web, None, ("trang quan tri", "quan tri")),
    Command("undo", "hoantac", REVIEWER, undo.undo_latest, None, UNDO_WORDS, undo.undo_action),
    Command("cancel", "huy", None, cancel, None, ("cancel", "huy bo", "thoat")),
    Command("back", "quaylai", None, back, None, ("quay lai", "back", "tro lai")),
    Command("help", "trogiup", None, help_, None, HELP_WORDS),
)

FLOWS: dict[str, AnyFlow] = {c.flow.name: c.flow for c in COMMANDS if c.flow is not None}

# Buttons of bulk messages and notifications ("!call.12"): see handlers/officials/actions.py.
ACTIONS: dict[str, ActionFn] = {
    "call": actions.nominate_for_call,
    "rsvp": event.rsvp,
    "review": review.open_listed,
    **{c.name: c.action for c in COMMANDS if c.action is not None},
}

# Main-menu values ("cmd.<name>") run these commands (handlers/menu.py offers them).
MENU_COMMANDS = {
    f"cmd.{name}": name
    for name in (
        "nominate",
        "my",
        "help",
        "review",
        "digest",
        "campaign",
        "broadcast",
        "event",
        "publish",
        "stats",
        "mydata",
        "erase",
        "consent",
    )
}
