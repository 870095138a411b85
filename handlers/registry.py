"""The core's commands and flows, declared in one place (the composition of the core)."""

from __future__ import annotations

from handlers import console_link, digest
from handlers.commands import Command
from handlers.flows import (
    accounts,
    answer,
    broadcast,
    campaign,
    commend,
    criteria,
    devices,
    engine,
    event,
    join,
    link,
    mine,
    nominate,
    publish,
    review,
)
from handlers.flows.base import Flow
from handlers.menu import show_main_menu
from handlers.officials import actions, reports
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
    engine.finish(turn)
    show_main_menu(turn, "common.cancelled")


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
    if flow is not None and turn.state.step in flow.steps:
        turn.say("common.help_in_flow")
        await engine.ask_again(turn, flow)
    else:
        show_main_menu(turn)


async def nominate_(turn: Turn) -> None:
    """/nominate: start a nomination."""
    await nominate.begin(turn)


async def my(turn: Turn) -> None:
    """/my: own nominations."""
    await mine.show(turn)


async def accounts_(turn: Turn) -> None:
    """/accounts: linked chat apps and browsers, a sign-in code, unlinking."""
    await accounts.begin(turn)


async def devices_(turn: Turn) -> None:
    """/devices: signed-in browsers, signing them out."""
    await devices.begin(turn)


async def web_(turn: Turn) -> None:
    """/web: a one-time link into the web console."""
    await console_link.web(turn)


async def review_(turn: Turn) -> None:
    """/review [CODE]: the reviewer's queue, or one nomination."""
    await review.begin(turn)


async def digest_(turn: Turn) -> None:
    """/digest: today's digest now."""
    await digest.show(turn)


async def criteria_(turn: Turn) -> None:
    """/criteria: the criteria sets that apply in the reviewer's units."""
    await criteria.show(turn)


async def answer_(turn: Turn) -> None:
    """/bosung [CODE]: answer a reviewer's question."""
    await answer.begin(turn)


async def commend_(turn: Turn) -> None:
    """/commend CODE: record a commendation on an approved nomination."""
    await commend.begin(turn)


async def campaign_(turn: Turn) -> None:
    """/campaign: open, list, extend and close calls for nominations."""
    await campaign.begin(turn)


async def broadcast_(turn: Turn) -> None:
    """/broadcast [status]: a message to a scope, or the latest sends' progress."""
    await broadcast.begin(turn)


async def event_(turn: Turn) -> None:
    """/event: announce a visit, see who answered."""
    await event.begin(turn)


async def publish_(turn: Turn) -> None:
    """/publish: honour an approved exemplar publicly, or take one down."""
    await publish.begin(turn)


async def stats(turn: Turn) -> None:
    """/stats [period]: figures of the scope."""
    await reports.stats(turn)


async def export(turn: Turn) -> None:
    """/export: a spreadsheet of the scope's nominations."""
    await reports.export(turn)


FLOWS: dict[str, Flow] = {
    f.name: f
    for f in (
        join.FLOW,
        nominate.FLOW,
        review.FLOW,
        answer.FLOW,
        commend.FLOW,
        campaign.FLOW,
        broadcast.FLOW,
        event.FLOW,
        publish.FLOW,
        accounts.FLOW,
        devices.FLOW,
    )
}

# Buttons of bulk messages ("!call.12"): see handlers/officials/actions.py.
ACTIONS: dict[str, actions.ActionFn] = {"call": actions.nominate_for_call, "rsvp": event.rsvp}

COMMANDS: tuple[Command, ...] = (
    Command("start", ("batdau",), ("start", "bat dau"), None, start),
    Command("nominate", ("decu",), ("decu", "de cu"), Role.MEMBER, nominate_),
    Command("my", ("cuatoi",), ("cuatoi", "cua toi"), Role.MEMBER, my),
    Command("accounts", ("taikhoan",), ("taikhoan", "tai khoan"), Role.MEMBER, accounts_),
    Command("devices", ("thietbi",), ("thietbi", "thiet bi"), Role.MEMBER, devices_),
    Command("review", ("duyet",), ("duyet", "duyet de cu"), Role.REVIEWER, review_),
    Command("digest", ("tonghop",), ("tonghop", "tong hop"), Role.REVIEWER, digest_),
    Command("criteria", ("tieuchi",), ("tieuchi", "tieu chi"), Role.REVIEWER, criteria_),
    Command("commend", ("khenthuong",), ("khenthuong", "khen thuong"), Role.REVIEWER, commend_),
    Command("answer", ("bosung",), ("bosung", "bo sung", "tra loi bo sung"), Role.MEMBER, answer_),
    Command(
        "campaign",
        ("dotphatdong",),
        ("dotphatdong", "dot phat dong", "campaign"),
        Role.OFFICIAL,
        campaign_,
    ),
    Command("broadcast", ("thongbao",), ("thongbao", "thong bao"), Role.OFFICIAL, broadcast_),
    Command("event", ("sukien",), ("sukien", "su kien"), Role.OFFICIAL, event_),
    Command("publish", ("vinhdanh",), ("vinhdanh", "vinh danh"), Role.OFFICIAL, publish_),
    Command("stats", ("thongke",), ("thongke", "thong ke", "so ket"), Role.REVIEWER, stats),
    Command("export", ("xuat",), ("xuat", "xuat file", "export"), Role.REVIEWER, export),
    Command("web", (), ("web", "trang quan tri", "quan tri"), Role.REVIEWER, web_),
    Command("cancel", ("huy",), ("huy", "cancel"), None, cancel, keeps_flow=True),
    Command("back", ("quaylai",), ("quaylai", "quay lai", "back"), None, back, keeps_flow=True),
    Command(
        "help",
        ("trogiup",),
        ("trogiup", "tro giup", "help", "huong dan"),
        None,
        help_,
        keeps_flow=True,
    ),
)

# Main-menu values ("cmd.<name>") run these commands.
MENU_COMMANDS = {
    "cmd.nominate": "nominate",
    "cmd.my": "my",
    "cmd.help": "help",
    "cmd.review": "review",
    "cmd.digest": "digest",
}
