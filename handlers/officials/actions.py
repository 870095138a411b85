"""Buttons on bulk messages ("Đề cử ngay", "Tham gia"): action values starting with "!".

A bulk message is not part of its recipient's conversation, so its buttons carry an action
value instead of a menu value alone. The token proves nothing: every action re-checks the
person, their scope and the object's current state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.flows import engine, nominate
from handlers.menu import show_main_menu
from handlers.roles import Role, scopes
from handlers.turn import Turn
from storage import campaigns

ActionFn = Callable[[Turn, list[str]], Awaitable[None]]


def action_in(token: str | None) -> str | None:
    """The action value of a button token ("!call.12" or "<seq>.!call.12"), if it is one."""
    if not token:
        return None
    _, _, rest = token.partition(".")
    if token.startswith("!"):
        return token
    return rest if rest.startswith("!") else None


async def nominate_for_call(turn: Turn, args: list[str]) -> None:
    """ "Đề cử ngay": start a nomination tied to a call still open in the member's scope."""
    if not turn.joined:
        turn.say("common.not_joined")
        return
    campaign_id = int(args[0]) if args and args[0].isdigit() else 0
    open_calls = await campaigns.open_campaigns_for(
        turn.conn, scopes(turn.memberships, Role.MEMBER), turn.now
    )
    call = next((c for c in open_calls if c.id == campaign_id), None)
    if call is None:
        show_main_menu(turn, "officials.call_not_open")
        return
    if isinstance(turn.draft, nominate.NominateDraft):
        # A draft in progress is kept: it now belongs to the call.
        turn.draft.campaign_id = call.id
        turn.say("officials.call_attached", title=call.title)
        await engine.ask_again(turn, nominate.FLOW)
        return
    await nominate.begin(turn, campaign_id=campaign_id)


async def run_action(turn: Turn, value: str, actions: dict[str, ActionFn]) -> None:
    """Run the action a value names ("!call.12" -> call with ["12"])."""
    name, *args = value[1:].split(".")
    action = actions.get(name)
    if action is None:
        show_main_menu(turn, "common.stale_button")
        return
    await action(turn, args)
