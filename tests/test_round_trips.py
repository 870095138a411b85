"""What one step of a web chat conversation asks of the database, statement by statement.

On PostgreSQL every statement is a round trip to a server that may sit across a network, and
each costs the bot CPU: a statement added to the common path shows here first, by name.
And a row every member's step may want (an invite's, the year's nomination counter) is
taken as late in its transaction as it can be: others wait for it until the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.app import Application
from tests.helpers_flow import nominate_until_review
from tests.support.people import Invite, MakeChat, person, until_consent


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


def after(first: str, sent: list[str]) -> list[str]:
    """The kinds of the statements sent after the first one of kind `first`."""
    kinds = [kind(statement) for statement in sent]
    assert first in kinds, kinds
    return kinds[kinds.index(first) + 1 :]


def reply_and_poll(app: Application) -> list[str]:
    """A step's last statements: its reply with its state, then the page's poll."""
    if app.db.is_sqlite:
        return ["INSERT conversations", "INSERT outbox", "WITH delivered"]
    return ["WITH first_write", "WITH delivered"]


async def test_the_invites_row_is_taken_last_when_joining(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    """Every join through one invite waits for its row from the use taken to the commit."""
    hoa = chat("hoa", "Trần Thị Hoa")
    await until_consent(hoa, await invite(), "Trần Thị Hoa")
    with statements_of(app) as sent:
        await hoa.press("Đồng ý")
        await hoa.expect("Chào mừng")
    # The reply, then the poll, which reads the session again: it changed as she joined.
    *reply, poll = reply_and_poll(app)
    expected = [*reply, "SELECT web_sessions", poll]
    assert after("UPDATE invites", sent) == expected, "\n".join(sent)


async def test_the_years_counter_is_taken_last_when_submitting(
    app: Application, chat: MakeChat, invite: Invite
) -> None:
    """Every submission waits for the year's counter row from its bump to the commit."""
    hoa = await person(chat, invite, "hoa", "Trần Thị Hoa", "X-AN-BINH-HPN")
    await nominate_until_review(hoa, "Nguyễn Thị Lan")
    with statements_of(app) as sent:
        await hoa.press("Gửi")
        await hoa.expect("GS-")
    expected = ["UPDATE nominations", "INSERT audit_log", *reply_and_poll(app)]
    assert after("INSERT counters", sent) == expected, "\n".join(sent)
