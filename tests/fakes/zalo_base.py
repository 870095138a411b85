"""Shared machinery for the fake HTTP servers used in tests.

`FakeServer` runs a Starlette app under uvicorn on 127.0.0.1 (free port) in a background
thread with its own event loop, so the fake answers both an in-process bot (pytest-asyncio)
and a bot started in a subprocess. Subclasses implement `_dispatch`.

Common features: every request is recorded (`calls`), control methods are guarded by one
lock, `wait_for` / `wait_for_async` poll a predicate, faults can be injected (`fail_next`,
seeded `random_faults`) and a fixed latency can be added (`set_latency`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
import random
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .changes import Changes
from .zalo_base_types import (
    Call,
    DeliveryResult,
    FaultSpec,
    Incoming,
    RandomFaultSpec,
    Reply,
    UploadedFile,
)

__all__ = ["Call", "DeliveryResult", "FakeServer", "Incoming", "Reply", "UploadedFile"]

T = TypeVar("T")

POLL_INTERVAL = 0.01


class FakeServer(ABC):
    """Base class: a Starlette app served by uvicorn in a background thread."""

    name = "fake"
    default_fault_status = 500

    def __init__(self, *, port: int = 0) -> None:
        self._lock = threading.RLock()
        self._changes = Changes(self._lock)
        self._requested_port = port
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._stopping = threading.Event()
        self._calls: list[Call] = []
        self._deliveries: list[DeliveryResult] = []
        self._faults: list[FaultSpec] = []
        self._random_faults: RandomFaultSpec | None = None
        self._latency: dict[str | None, float] = {}
        # One client for webhook POSTs, on the server loop: building an httpx client (and its
        # TLS context) per delivery costs ~30 ms of CPU and would dominate burst timings.
        self._client: httpx.AsyncClient | None = None
        self.server_errors: list[BaseException] = []
        # Files people "sent": Zalo gives attachments as links to its CDN (A.3); here the
        # CDN is this server, under /cdn/.
        self._cdn: dict[str, bytes] = {}
        self.app = Starlette(
            routes=[
                Route("/cdn/{name}", self._cdn_file, methods=["GET"]),
                Route("/{path:path}", self._endpoint, methods=["GET", "POST", "PUT"]),
            ]
        )

    # ----------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError(f"{self.name} is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._port

    def start(self) -> Self:
        with self._lock:
            if self._thread is not None:
                return self
            # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted sockets
            # (it checks `proto`); without it every response waits ~40 ms for delayed ACKs.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self._requested_port))
            self._port = sock.getsockname()[1]
            config = uvicorn.Config(
                self.app, log_config=None, lifespan="off", ws="none", access_log=False
            )
            server = uvicorn.Server(config)
            self._server = server
            self._stopping.clear()
            ready = threading.Event()
            thread = threading.Thread(
                target=self._run,
                args=(server, sock, ready),
                name=f"{self.name}-server",
                daemon=True,
            )
            self._thread = thread
        thread.start()
        if not ready.wait(10) or not server.started:
            self.stop()
            raise RuntimeError(f"{self.name} failed to start")
        return self

    def _run(self, server: uvicorn.Server, sock: socket.socket, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(server, sock, ready))
        finally:
            ready.set()
            sock.close()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None

    async def _serve(
        self, server: uvicorn.Server, sock: socket.socket, ready: threading.Event
    ) -> None:
        """uvicorn's startup, then wait for `stop()`, then a quick shutdown.

        `Server.serve()` polls for exit every 0.1 s and sleeps 0.1 s more on shutdown;
        a fake is started and stopped per test, so this drives the pieces directly.
        """
        config = server.config
        if not config.loaded:
            config.load()
        server.lifespan = config.lifespan_class(config)
        stop = asyncio.Event()
        self._stop_event = stop
        self._loop = asyncio.get_running_loop()
        await server.startup(sockets=[sock])
        ready.set()
        try:
            await stop.wait()
        finally:
            if self._client is not None:
                await self._client.aclose()
                self._client = None
            for listener in server.servers:
                listener.close()
            for connection in list(server.server_state.connections):
                connection.shutdown()
            for _ in range(200):  # up to ~2 s for in-flight responses to go out
                if not server.server_state.connections:
                    break
                await asyncio.sleep(POLL_INTERVAL)

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = None
            self._thread = None
        if server is None or thread is None:
            return
        self._stopping.set()
        self._changes.notify()  # parked long polls see `stopping`
        loop, event = self._loop, self._stop_event
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(event.set)
        thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def cdn_file(self, name: str, content: bytes) -> str:
        """Serve `content` as a CDN attachment; its URL (put it in an event)."""
        with self._lock:
            self._cdn[name] = content
        return f"{self.base_url}/cdn/{name}"

    async def _cdn_file(self, request: Request) -> Response:
        with self._lock:
            content = self._cdn.get(str(request.path_params["name"]))
        if content is None:
            return Response(status_code=404)
        return Response(content, media_type="image/jpeg")

    # ------------------------------------------------------------- observation
    def _route_key(self, path: str) -> str:
        return path

    def calls(self, path: str | None = None) -> list[Call]:
        """Recorded requests, oldest first; `path` matches the URL path or the route key."""
        with self._lock:
            return [c for c in self._calls if path is None or path in (c.path, c.key)]

    def deliveries(self) -> list[DeliveryResult]:
        """Webhook POSTs this fake made towards the bot."""
        with self._lock:
            return list(self._deliveries)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()
            self._deliveries.clear()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block this thread until `predicate()` is truthy (checked after every request the
        fake answers or makes); return its value."""
        try:
            return self._changes.wait(predicate, timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: condition not met within {timeout}s") from None

    async def wait_for_async(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Like `wait_for`, for a coroutine: the caller's loop keeps running."""
        try:
            return await self._changes.wait_async(predicate, timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: condition not met within {timeout}s") from None

    # --------------------------------------------------------- fault injection
    def fail_next(
        self,
        path: str | None = None,
        *,
        count: int = 1,
        status: int | None = None,
        json: Any = None,
        hang: float = 0.0,
    ) -> None:
        """Answer the next `count` requests to `path` (any path if None) with a fault.

        `status`/`json` give the reply (subclasses pick the default body); `hang` sleeps
        that many seconds first (to trigger client timeouts).
        """
        fault_status = self.default_fault_status if status is None else status
        body = self._default_fault_body(fault_status) if json is None else json
        with self._lock:
            self._faults.append(FaultSpec(path, count, fault_status, body, hang))

    def random_faults(
        self,
        rate: float,
        *,
        seed: int,
        paths: list[str] | None = None,
        status: int | None = None,
        json: Any = None,
    ) -> None:
        """Fail a seeded-random fraction `rate` of requests (to `paths`, or all)."""
        fault_status = self.default_fault_status if status is None else status
        body = self._default_fault_body(fault_status) if json is None else json
        keys = frozenset(paths) if paths is not None else None
        with self._lock:
            self._random_faults = RandomFaultSpec(
                rate, random.Random(seed), keys, fault_status, body
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._random_faults = None
            self._latency.clear()

    def set_latency(self, seconds: float, path: str | None = None) -> None:
        """Add a fixed delay (asyncio.sleep) before answering `path` (or every request)."""
        with self._lock:
            self._latency[path] = seconds

    def _default_fault_body(self, status: int) -> Any:
        return {"error": status, "message": "injected fault"}

    def _take_fault(self, path: str, key: str) -> FaultSpec | None:
        with self._lock:
            for fault in self._faults:
                if fault.key is None or fault.key in (path, key):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            rnd = self._random_faults
            if (
                rnd is not None
                and (rnd.keys is None or path in rnd.keys or key in rnd.keys)
                and rnd.rng.random() < rnd.rate
            ):
                return FaultSpec(None, 0, rnd.status, rnd.json, 0.0)
        return None

    def _latency_for(self, path: str, key: str) -> float:
        with self._lock:
            for candidate in (path, key):
                if candidate in self._latency:
                    return self._latency[candidate]
            return self._latency.get(None, 0.0)

    # ------------------------------------------------------------- HTTP plumbing
    async def _endpoint(self, request: Request) -> Response:
        started = time.monotonic()
        path = request.url.path
        key = self._route_key(path)
        incoming = await self._parse(request, path, key)
        await self.sleep(self._latency_for(path, key))  # simulated platform latency
        fault = self._take_fault(path, key)
        if fault is not None:
            if fault.hang > 0:
                await self.sleep(fault.hang)
            reply = Reply(fault.status, fault.json)
        else:
            try:
                reply = await self._dispatch(incoming)
            except Exception as exc:  # a bug in the fake: answer 500 and keep it visible
                with self._lock:
                    self.server_errors.append(exc)
                reply = Reply(500, {"error": "fake server crashed", "detail": repr(exc)})
        headers = {**self._extra_headers(incoming), **reply.headers}
        self._record(incoming, reply, started, "injected" if fault else None)
        return JSONResponse(reply.json, status_code=reply.status, headers=headers)

    async def _parse(self, request: Request, path: str, key: str) -> Incoming:
        body = await request.body()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        parsed_json: Any = None
        form: dict[str, str] | None = None
        files: dict[str, UploadedFile] = {}
        if ctype == "multipart/form-data":
            form = {}
            async with request.form(max_part_size=16 * 1024 * 1024) as data:
                for name, value in data.multi_items():
                    if isinstance(value, UploadFile):
                        content = await value.read()
                        files[name] = UploadedFile(
                            name,
                            value.filename or "",
                            value.content_type or "application/octet-stream",
                            content,
                        )
                    else:
                        form[name] = value
        elif ctype == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif body:
            try:
                parsed_json = jsonlib.loads(body)
            except ValueError:
                parsed_json = None
        return Incoming(
            method=request.method,
            path=path,
            key=key,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.query_params),
            body=body,
            json=parsed_json,
            form=form,
            files=files,
            request=request,
        )

    def _record(self, incoming: Incoming, reply: Reply, started: float, fault: str | None) -> None:
        call = Call(
            method=incoming.method,
            path=incoming.path,
            key=incoming.key,
            headers=incoming.headers,
            query=incoming.query,
            json=incoming.json,
            form=incoming.form,
            files=incoming.files,
            body=incoming.body,
            status=reply.status,
            response=reply.json,
            received_at=started,
            elapsed=time.monotonic() - started,
            fault=fault,
        )
        with self._lock:
            self._calls.append(call)
            self._changes.notify()

    def _extra_headers(self, incoming: Incoming) -> dict[str, str]:
        return {}

    @abstractmethod
    async def _dispatch(self, incoming: Incoming) -> Reply:
        """Provided by the host class."""

    async def sleep(self, seconds: float) -> None:
        """A simulated hang on the server loop; it ends early when the server stops."""
        stop = self._stop_event
        if seconds <= 0 or stop is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ------------------------------------------------------- outbound webhooks
    def _submit(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run `coro` on the server loop and block this thread for the result."""
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError(f"{self.name} is not started")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    async def _submit_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the server loop; await it from the caller's loop."""
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError(f"{self.name} is not started")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    async def _post(
        self, url: str, body: bytes, headers: Mapping[str, str], http_timeout: float
    ) -> DeliveryResult:
        all_headers = {"content-type": "application/json", **headers}
        started = time.monotonic()
        if self._client is None:
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=50)
            self._client = httpx.AsyncClient(limits=limits)
        try:
            resp = await self._client.post(
                url, content=body, headers=all_headers, timeout=http_timeout
            )
            result = DeliveryResult(
                url, resp.status_code, time.monotonic() - started, resp.text, all_headers, body
            )
        except httpx.HTTPError as exc:
            result = DeliveryResult(
                url, 0, time.monotonic() - started, "", all_headers, body, error=repr(exc)
            )
        with self._lock:
            self._deliveries.append(result)
            self._changes.notify()
        return result
