"""A flow's draft: its answers so far, a pydantic model stored as JSON between two messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


class Draft(BaseModel):
    """What a flow has gathered; validated when loaded, so a bad draft never reaches a step.

    Drafts live for days (draft_ttl_days): a draft saved by an earlier version must still
    load. `RENAMED` maps the keys it wrote to today's fields; a key that is neither is an
    error (extra="forbid"), so nothing an old draft holds is silently dropped.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    RENAMED: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _renamed_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.RENAMED:
            return {cls.RENAMED.get(key, key): value for key, value in data.items()}
        return data

    def clear(self) -> None:
        """Forget every answer (the flow starts over); for drafts whose fields all have defaults."""
        for name, info in type(self).model_fields.items():
            setattr(self, name, info.get_default(call_default_factory=True))
