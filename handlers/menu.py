"""The main menu shown when no flow is running."""

from __future__ import annotations

from handlers.messages import t
from handlers.roles import Role, has_role
from handlers.turn import Option, Turn

MAIN_MENU = (
    Option("cmd.nominate", "common.menu.nominate"),
    Option("cmd.my", "common.menu.my"),
    Option("cmd.help", "common.menu.help"),
)

# Added for people holding reviewer rank or above.
REVIEWER_MENU = (
    Option("cmd.review", "common.menu.review"),
    Option("cmd.digest", "common.menu.digest"),
)


def show_main_menu(turn: Turn, key: str = "common.menu_prompt", **params: object) -> None:
    """Say something and offer the main menu (joined people only)."""
    options: tuple[Option, ...] = ()
    if turn.joined:
        options = MAIN_MENU
        if has_role(turn.memberships, Role.REVIEWER):
            options = (*MAIN_MENU[:2], *REVIEWER_MENU, *MAIN_MENU[2:])
    turn.say_text(t(key, **params), options=options)
