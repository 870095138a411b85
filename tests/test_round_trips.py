"""What one step of a web chat conversation asks of the database, statement by statement.

On PostgreSQL every statement is a round trip to a server that may sit across a network, and
each costs the bot CPU: a statement added to the common path shows here first, by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.app import Application
from tests.support.people import Invite, MakeChat, person


@contextmanager
def statements_of(app: Application) -> Iterator[list[str]]:
    """The SQL text of every statement the app sends meanwhile (not BEGIN or COMMIT)."""
    sent: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split()))

    engines = [sync for sync, _ in app.db.engines]
    for sync in engines:
        event.listen(sync, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        for sync in engines:
            event.remove(sync, "before_cursor_execute", count)


def kind(statement: str) -> str:
    """A statement named by what it does first and the table it changes or reads."""
    words = statement.split()
    if words[0] == "WITH":
        return f"WITH {words[1]}"
    if words[0] == "INSERT":
        return f"INSERT {words[2]}"
    if words[0] == "UPDATE":
        return f"UPDATE {words[1]}"
    return f"SELECT {words[1].partition('.')[0]}"  # the table of its first column


async def test_a_members_typed_step(app: Application, chat: MakeChat, invite: Invite) -> None:
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await hoa.send("/decu")
    await hoa.expect("Bạn đề cử ai?")
    with statements_of(app) as sent:
        await hoa.press("Cá nhân")
        await hoa.expect("Họ và tên người được đề cử")
    if app.db.is_sqlite:
        # In process: the step's opening is three statements, its state and reply two.
        expected = [
            "INSERT inbox",
            "UPDATE inbox",
            "INSERT identities",
            "SELECT conversations",
            "INSERT conversations",
            "INSERT outbox",
            "WITH delivered",
        ]
    else:
        expected = [
            "INSERT inbox",  # the message, recorded before it is acknowledged
            "WITH closed",  # the step's opening: event closed, account touched, state loaded
            "WITH first_write",  # the state saved by the statement that queues the reply
            "WITH delivered",  # the page's poll: the reply and the person's own messages
        ]
    # The session's look-ups: none (each instance remembers the sessions it read).
    assert [kind(statement) for statement in sent] == expected, "\n".join(sent)
