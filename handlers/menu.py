"""The main menu shown when no flow is running."""

from __future__ import annotations

from handlers.messages import t
from handlers.turn import Option, Turn

MAIN_MENU = (
    Option("cmd.nominate", "common.menu.nominate"),
    Option("cmd.my", "common.menu.my"),
    Option("cmd.help", "common.menu.help"),
)


def show_main_menu(turn: Turn, key: str = "common.menu_prompt", **params: object) -> None:
    """Say something and offer the main menu (joined people only)."""
    turn.say_text(t(key, **params), options=MAIN_MENU if turn.joined else ())
