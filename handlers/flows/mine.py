"""/my: a member's own nominations with their status (sign-in codes live in /taikhoan)."""

from __future__ import annotations

from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.turn import Turn
from storage import nominations

SHOWN = 20


async def show(turn: Turn) -> None:
    """List the newest nominations of the sender."""
    assert turn.person is not None
    items = await nominations.nominations_by_reporter(turn.conn, turn.person.id, SHOWN)
    if not items:
        show_main_menu(turn, "my.empty")
        return
    total = await nominations.count_by_reporter(turn.conn, turn.person.id)
    lines = [t("my.header", count=total)]
    for item in items:
        local = item.submitted_at.astimezone(turn.config.timezone)
        lines.append(
            t(
                "my.line",
                code=item.code,
                name=item.nominee_name,
                status=t(f"status.{item.status}"),
                date=local.strftime("%d/%m/%Y"),
            )
        )
    if total > len(items):
        lines.append(t("my.more", more=total - len(items)))
    turn.say_text("\n".join(lines))
    show_main_menu(turn)
