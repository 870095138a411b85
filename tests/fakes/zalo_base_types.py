"""Data types shared by the fake HTTP servers (see zalo_base.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    field_name: str
    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Incoming:
    """A parsed request, handed to `FakeServer._dispatch`."""

    method: str
    path: str
    key: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    json: Any
    form: dict[str, str] | None
    files: dict[str, UploadedFile]
    request: Request

    def params(self) -> dict[str, Any]:
        """Query string, then form fields, then a JSON object body (later wins)."""
        merged: dict[str, Any] = dict(self.query)
        if self.form:
            merged.update(self.form)
        if isinstance(self.json, dict):
            merged.update(self.json)
        return merged


@dataclass(frozen=True)
class Reply:
    status: int = 200
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One recorded request and the fake's answer."""

    method: str
    path: str
    key: str
    headers: dict[str, str]
    query: dict[str, str]
    json: Any
    form: dict[str, str] | None
    files: dict[str, UploadedFile]
    body: bytes
    status: int
    response: Any
    received_at: float
    elapsed: float
    fault: str | None


@dataclass(frozen=True)
class DeliveryResult:
    """Outcome of a webhook POST made by a fake towards the bot."""

    url: str
    status_code: int
    elapsed: float
    body: str
    request_headers: dict[str, str]
    request_body: bytes
    error: str | None = None


@dataclass
class FaultSpec:
    key: str | None
    remaining: int
    status: int
    json: Any
    hang: float


@dataclass
class RandomFaultSpec:
    rate: float
    rng: random.Random
    keys: frozenset[str] | None
    status: int
    json: Any
