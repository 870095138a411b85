"""The main menu shown when no flow is running: each role's own actions."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.messages import t
from handlers.roles import Role, has_role
from handlers.turn import Option, Turn

MAIN_MENU = (
    Option("cmd.nominate", "common.menu.nominate"),
    Option("cmd.my", "common.menu.my"),
)
HELP = Option("cmd.help", "common.menu.help")

# Added for people holding reviewer rank or above.
REVIEWER_MENU = (
    Option("cmd.review", "common.menu.review"),
    Option("cmd.digest", "common.menu.digest"),
)

# Added for officials (and admins): what they came for, not only what members do.
OFFICIAL_MENU = (
    Option("cmd.campaign", "common.menu.campaign"),
    Option("cmd.broadcast", "common.menu.broadcast"),
    Option("cmd.event", "common.menu.event"),
    Option("cmd.publish", "common.menu.publish"),
    Option("cmd.stats", "common.menu.stats"),
)


def main_options(turn: Turn) -> tuple[Option, ...]:
    """The main menu of the sender's roles (nothing for people who have not joined)."""
    if not turn.joined:
        return ()
    options: tuple[Option, ...] = MAIN_MENU
    if has_role(turn.memberships, Role.REVIEWER):
        options += REVIEWER_MENU
    if has_role(turn.memberships, Role.OFFICIAL):
        options += OFFICIAL_MENU
    return (*options, HELP)


def show_main_menu(
    turn: Turn,
    key: str = "common.menu_prompt",
    extra: Sequence[Option] = (),
    /,
    **params: object,
) -> None:
    """Say something and offer the main menu (joined people only), with `extra` options
    first. While a flow runs, or waits aside to be resumed, its own question follows
    instead: no menu here."""
    busy = turn.state.flow is not None or turn.pending.suspended is not None
    options = () if busy else (*extra, *main_options(turn))
    turn.say_text(t(key, **params), options=options)
