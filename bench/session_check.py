"""Benchmark: the cost of checking a web session, per request (quality bar: at most 0.2 ms).

Measures `Sessions.current` (cookie → SHA-256 → one prepared SELECT joined with the account
and person, on the real SQLite file) against a baseline of the same request with no check,
and the whole `GET /api/messages` round trip through the ASGI app (Guard, Host check, routing,
session, one outbox read) with and without a cookie. Several rounds side by side; medians.
The session is a guest's, which instances never remember: every check reads the database.
Run: `python -m bench.session_check [--requests N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
from starlette.requests import Request

from bench.local import local_app
from storage import web_sessions


def request_with(cookie: str) -> Request:
    """A bare ASGI request carrying the cookie (what the route hands to Sessions)."""
    headers = [(b"cookie", cookie.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


async def time_per_call(label: str, call: object, n: int) -> float:
    """Microseconds per awaited call."""
    assert callable(call)
    started = time.perf_counter()
    for _ in range(n):
        await call()
    return (time.perf_counter() - started) / n * 1e6


async def main(requests: int, rounds: int) -> None:
    async with local_app("gs-session-") as app:
        transport = httpx.ASGITransport(app=app.http)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://127.0.0.1",
            headers={"origin": "http://127.0.0.1"},
        ) as client:
            assert (await client.post("/api/session", json={})).status_code == 200
            token = client.cookies[app.sessions.cookie]
            cookie = f"{app.sessions.cookie}={token}"
            # Many other sessions, so the lookup is by index, not a scan of one row.
            for _ in range(2000):
                client.cookies.clear()
                await client.post("/api/session", json={})
            client.cookies.set(app.sessions.cookie, token)
            request = request_with(cookie)
            stranger = request_with(f"{app.sessions.cookie}=nobody")

            async def checked() -> None:
                found = await app.sessions.current(request, web_sessions.CHAT)
                assert found is not None

            async def refused() -> None:
                assert await app.sessions.current(stranger, web_sessions.CHAT) is None

            async def nothing() -> None:
                request_with(cookie).cookies.get(app.sessions.cookie)

            async def poll() -> None:
                response = await client.get("/api/messages", params={"after": 10**18})
                assert response.status_code == 200

            figures: dict[str, list[float]] = {
                "baseline (parse cookie only)": [],
                "session check (valid)": [],
                "session check (unknown token)": [],
                "GET /api/messages with session": [],
            }
            for _ in range(rounds):
                figures["baseline (parse cookie only)"].append(
                    await time_per_call("base", nothing, requests)
                )
                figures["session check (valid)"].append(
                    await time_per_call("check", checked, requests)
                )
                figures["session check (unknown token)"].append(
                    await time_per_call("unknown", refused, requests)
                )
                figures["GET /api/messages with session"].append(
                    await time_per_call("poll", poll, max(requests // 10, 50))
                )
    base = statistics.median(figures["baseline (parse cookie only)"])
    print(f"{requests} requests x {rounds} rounds; medians in microseconds per request")
    for label, values in figures.items():
        median = statistics.median(values)
        print(f"  {label:<34} {median:9.1f} µs   (min {min(values):.1f}, max {max(values):.1f})")
    check = statistics.median(figures["session check (valid)"]) - base
    print(f"session check cost over baseline: {check:.1f} µs = {check / 1000:.3f} ms (bar 0.2 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.rounds))
