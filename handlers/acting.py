"""Who acts, and where what they are told goes: a chat turn, or a console request.

The review and officials' domain functions take an `Acting`, so the chat and the web console
run the very same code (checks, conditional updates, audit, notifications): the chat's Turn
says the texts as replies, the console shows them on the next page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from handlers.config import CoreConfig
from handlers.types import Choice
from storage.db import Connection
from storage.rows import Membership, Person


class Acting(Protocol):
    """The person acting, their roles, the transaction, and the texts they are told."""

    @property
    def conn(self) -> Connection:
        """The transaction the action runs in (effects and audit commit together)."""
        ...

    @property
    def person(self) -> Person | None:
        """Who acts (None: someone who has not joined)."""
        ...

    @property
    def memberships(self) -> list[Membership]:
        """Their roles, read in this transaction."""
        ...

    @property
    def now(self) -> datetime:
        """The time of the action."""
        ...

    @property
    def config(self) -> CoreConfig:
        """The core's settings."""
        ...

    def tell(self, key: str, **params: object) -> None:
        """Tell the acting person a catalog text."""
        ...

    def notify(
        self,
        person_id: int,
        key: str,
        *,
        choices: Sequence[Choice] = (),
        reply_action: str | None = None,
        not_before: datetime | None = None,
        batch: str | None = None,
        **params: object,
    ) -> None:
        """Tell someone else a catalog text, through their most recent chat account; a
        decision's notices wait until it stands (`not_before`, cancelled with `batch`)."""
        ...
