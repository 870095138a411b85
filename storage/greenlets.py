"""Greenlets kept for SQLAlchemy's asyncio calls on PostgreSQL, instead of one per call.

SQLAlchemy runs its synchronous core under asyncio by starting each call (a statement, a
commit) in a new greenlet, which switches back to the event loop whenever the driver must
wait (`sqlalchemy.util.await_`). On Python 3.11 and later a new greenlet maps a fresh
16 KiB block for its frames and unmaps it when it ends: a system call pair and page faults
per statement. A greenlet kept alive keeps its block. Measured (one-row select on a kept
connection, loopback PostgreSQL): 62–67 µs of CPU per statement through
`AsyncConnection.execute`, 40 µs through a kept greenlet.

`await_` only asks that the greenlet it runs in says it provides for it (the attribute
`__sqlalchemy_greenlet_provider__`) and hands the awaitable to the greenlet's parent, which
awaits it and switches back with the result or throws the error in: what `run` does, the
way `sqlalchemy.util.greenlet_spawn` does. Imported only on PostgreSQL (storage/held.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

from greenlet import GreenletExit, getcurrent, greenlet

T = TypeVar("T")


class _Outcome:
    """How a call ended: its value, or the error it raised."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any, error: BaseException | None) -> None:
        self.value = value
        self.error = error


# What a worker switches back with once its call has ended (an awaitable never is this).
_ENDED = object()


class _Worker(greenlet):  # type: ignore[misc]
    """A greenlet that runs one synchronous call after another, for as long as it lives.

    The outcome is left in `outcome` for the caller to take, and nothing of a call stays
    referenced while the worker waits for the next (a large result would stay in memory).
    """

    __sqlalchemy_greenlet_provider__ = True

    def __init__(self, parent: greenlet) -> None:
        super().__init__(run=self._serve, parent=parent)
        self.idle = True  # between calls (a call's own switches leave it False)
        self.outcome: _Outcome | None = None

    def _serve(self, fn: Callable[..., Any] | None, args: tuple[Any, ...]) -> None:
        while True:
            assert fn is not None
            self.idle = False
            try:
                self.outcome = _Outcome(fn(*args), None)
            except GreenletExit:
                raise  # the worker itself is being discarded
            except BaseException as error:  # handed to the caller, as greenlet_spawn does
                self.outcome = _Outcome(None, error)
            fn, args = None, ()
            self.idle = True
            fn, args = self.parent.switch(_ENDED)


class Workers:
    """Kept greenlets; each runs one call at a time, for whichever task asks."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._home: greenlet | None = None  # where the kept ones switch back to
        self.made = 0  # greenlets started so far (as many as calls ran at once, at most)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a kept greenlet, its waits awaited here."""
        here = getcurrent()
        if self._home is None:
            self._home = here
        keep = here is self._home  # called from elsewhere (another thread): not kept
        if keep and self._idle:
            worker = self._idle.pop()
        else:
            worker = _Worker(here)
            self.made += 1
        # The call sees the caller's context variables, as under greenlet_spawn.
        worker.gr_context = here.gr_context
        try:
            result = worker.switch(fn, args)
            while result is not _ENDED:
                try:
                    awaited = await result
                except BaseException:
                    result = worker.throw(*sys.exc_info())
                else:
                    result = worker.switch(awaited)
            outcome, worker.outcome = worker.outcome, None
        finally:
            # A call left unfinished (its task destroyed mid-wait) keeps its worker.
            if keep and worker.idle and not worker.dead:
                self._idle.append(worker)
        assert outcome is not None
        if outcome.error is not None:
            raise outcome.error
        return cast(T, outcome.value)
