"""WebhookSink: a recording receiver for webhook POSTs made by the fakes."""

from __future__ import annotations

from .zalo_base import FakeServer, Incoming, Reply


class WebhookSink(FakeServer):
    """A recording receiver: answers every request with a configurable status."""

    name = "webhook-sink"

    def __init__(self, *, status: int = 200, delay: float = 0.0, port: int = 0) -> None:
        super().__init__(port=port)
        self._status = status
        self._delay = delay

    def configure(self, *, status: int | None = None, delay: float | None = None) -> None:
        with self._lock:
            if status is not None:
                self._status = status
            if delay is not None:
                self._delay = delay

    async def _dispatch(self, incoming: Incoming) -> Reply:
        with self._lock:
            status, delay = self._status, self._delay
        if delay > 0:
            await self.sleep(delay)
        return Reply(status, {"ok": status < 400})
