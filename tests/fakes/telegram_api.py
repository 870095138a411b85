"""A faithful fake Telegram Bot API server for tests.

``FakeTelegram`` serves the Bot API over real HTTP (Starlette + uvicorn on 127.0.0.1, in a
background thread with its own event loop), so a bot under test can talk to it from the same
process (pytest-asyncio) or from a subprocess::

    with FakeTelegram() as fake:
        fake.add_user(42, "An")
        bot = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.file_base_url)
        fake.send_text(42, "/start")
        ...
        fake.wait_for("sendMessage")

The state/control API lives in telegram_state.py (users, recording, waiting), the update
builders in telegram_updates.py and the method implementations in telegram_methods.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import socket
import threading
from http import HTTPStatus
from types import TracebackType
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_methods import METHODS, SEND_METHODS, BotMethods, Described
from tests.fakes.telegram_state import DEFAULT_TOKEN
from tests.fakes.telegram_types import (
    ApiError,
    JsonDict,
    Params,
    RecordedCall,
    WebhookDelivery,
    read_params,
)

__all__ = ["DEFAULT_TOKEN", "FakeTelegram"]

POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_LOOKUP = {name.lower(): name for name in [*METHODS, "getUpdates"]}
_NOT_FOUND: JsonDict = {"ok": False, "error_code": 404, "description": "Not Found"}
_UNAUTHORIZED: JsonDict = {"ok": False, "error_code": 401, "description": "Unauthorized"}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class _Server(uvicorn.Server):
    """uvicorn.Server whose main loop wakes as soon as ``wake`` is set (stop in ms, not 0.1 s)."""

    wake: asyncio.Event | None = None

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        # Set once startup is over, however it ended (`started` says how).
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()

    async def main_loop(self) -> None:
        self.wake = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter += 10  # on_tick refreshes the Date header when counter % 10 == 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), 1.0)


class FakeTelegram(BotMethods):
    """The fake server: ``start()``/``stop()`` (or ``with``), then point the bot at
    ``base_url``/``file_base_url``. Control and inspection methods are thread-safe."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "guong_sang_bot",
        bot_first_name: str = "Gương Sáng",
        enforce_limits: bool = False,
        latency: float = 0.0,
        webhook_retry_delay: float = 0.05,
        webhook_max_retry_delay: float = 1.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            enforce_limits=enforce_limits,
            latency=latency,
        )
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_retry_delay = webhook_max_retry_delay
        self.webhook_timeout = webhook_timeout
        self.port = 0
        self._poll_generation = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._wake_event: asyncio.Event | None = None
        self._stop_event: asyncio.Event | None = None
        self._release_event: asyncio.Event | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``telegram.Bot(base_url=...)``: requests go to ``{base_url}{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self) -> FakeTelegram:
        if self._thread is not None:
            raise RuntimeError("FakeTelegram already started")
        # proto=IPPROTO_TCP lets asyncio set TCP_NODELAY on accepted sockets (avoids ~40 ms
        # Nagle/delayed-ACK stalls on keep-alive connections).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self._app(),
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"fake-telegram-{self.port}", daemon=True
        )
        self._thread.start()
        self._server.ready.wait(10)
        if not self._server.started:
            self.stop()
            raise RuntimeError("fake Telegram server did not start")
        return self

    def stop(self) -> None:
        loop, server, thread = self._loop, self._server, self._thread
        if thread is None:
            return
        if server is not None:
            server.should_exit = True
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._begin_stop)
        thread.join(10)
        self._thread = self._server = self._loop = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        server = self._server
        try:
            loop.run_until_complete(self._serve(sock))
        finally:
            loop.close()
            sock.close()
            if server is not None:
                server.ready.set()  # a thread that died before startup ends start()'s wait

    async def _serve(self, sock: socket.socket) -> None:
        assert self._server is not None
        self._wake_event = asyncio.Event()
        self._stop_event = asyncio.Event()
        self._release_event = asyncio.Event()
        webhook = asyncio.create_task(self._webhook_worker())
        try:
            await self._server.serve(sockets=[sock])
        finally:
            self._begin_stop()
            webhook.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await webhook

    def _begin_stop(self) -> None:
        if self._stop_event is not None:
            self._stop_event.set()
        if self._server is not None and self._server.wake is not None:
            self._server.wake.set()
        self._wake()

    def _wake(self) -> None:
        """Wake every long poll / the webhook worker (runs on the server loop)."""
        event, self._wake_event = self._wake_event, asyncio.Event()
        if event is not None:
            event.set()

    def _updates_changed(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake)

    async def _delay(self) -> None:
        """The simulated network latency of `set_latency` (the benches' 50 ms), counted in
        `in_latency` while it lasts."""
        if self.latency <= 0:
            return
        with self._lock:
            self.in_latency += 1
            self._changes.notify()
        try:
            await self._pause(self.latency)
        finally:
            with self._lock:
                self.in_latency -= 1

    async def _hold(self, seconds: float) -> None:
        """A hung answer (`hang_next`): it ends after `seconds`, at `release_hangs()`, or
        when the server stops."""
        release = self._release_event
        if release is None:
            return await self._pause(seconds)
        waits = {asyncio.ensure_future(release.wait()), asyncio.ensure_future(self._pause(seconds))}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    def release_hangs(self) -> None:
        """Answer every call held by `hang_next` now (calls hung later wait again)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._release_now)

    def _release_now(self) -> None:
        event, self._release_event = self._release_event, asyncio.Event()
        if event is not None:
            event.set()

    async def _pause(self, seconds: float) -> None:
        """Sleep that ends early when the server stops."""
        if seconds <= 0 or self._stop_event is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_event.wait(), seconds)

    # -- HTTP --------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._handle_file, methods=["GET"]),
            ]
        )

    async def _handle_api(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        name = str(request.path_params["method"])
        method = _LOOKUP.get(name.lower(), name)
        params: JsonDict = {}
        await self._delay()
        if token != self.token:
            status, body = 401, dict(_UNAUTHORIZED)
        elif name.lower() not in _LOOKUP:
            status, body = 404, dict(_NOT_FOUND)
        else:
            try:
                params = await read_params(request)
                status, body = await self._call(method, params)
            except ApiError as err:
                status, body = err.status, err.body()
        self._record(RecordedCall(method, params, self.now(), status, body, token))
        return JSONResponse(body, status_code=status)

    async def _call(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        with self._lock:
            hang = self.faults.take_hang(method)
        if hang is not None:
            if not hang.process:
                await self._hold(hang.seconds)
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            answer = await self._execute(method, params)
            await self._hold(hang.seconds)
            return answer
        return await self._execute(method, params)

    async def _execute(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        p = Params(params)
        try:
            with self._lock:
                failure = self.faults.take_failure(method, method in SEND_METHODS)
            if failure is not None:
                raise failure
            if method == "getUpdates":
                result: Any = await self._get_updates(p)
            else:
                with self._lock:
                    result = getattr(self, METHODS[method])(p)
                    # The state changed before the answer leaves (a hung answer leaves late).
                    self._changes.notify()
        except ApiError as err:
            return err.status, err.body()
        except Exception as exc:  # a bug in the fake: keep it visible
            with self._lock:
                self._server_errors.append(exc)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    async def _get_updates(self, p: Params) -> list[JsonDict]:
        limit = min(100, max(1, p.int_opt("limit") or 100))
        timeout = max(0, p.int_opt("timeout") or 0)
        with self._lock:
            if self._webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            allowed = p.json_opt("allowed_updates", "allowed updates JSON object")
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed] or None
            self._confirm(p.int_opt("offset"))
            self._poll_generation += 1
            generation = self._poll_generation
        self._wake()  # an earlier long poll notices it was superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._wake_event
            with self._lock:
                if self._poll_generation != generation:
                    raise ApiError(409, POLL_CONFLICT)
                batch = copy.deepcopy(self._updates[:limit])
            stopping = self._stop_event is not None and self._stop_event.is_set()
            remaining = deadline - loop.time()
            if batch or stopping or remaining <= 0 or event is None:
                return batch
            self._parked(+1)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
            finally:
                self._parked(-1)

    def _parked(self, change: int) -> None:
        with self._lock:
            self.parked_polls += change
            self._changes.notify()

    async def _handle_file(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        path = str(request.path_params["file_path"])
        await self._delay()
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == path), None)
        response: Response
        if token != self.token:
            status, response = 401, JSONResponse(_UNAUTHORIZED, status_code=401)
        elif stored is None:
            status, response = 404, JSONResponse(_NOT_FOUND, status_code=404)
        else:
            status = 200
            response = Response(stored.content, media_type="application/octet-stream")
        record = RecordedCall("downloadFile", {"file_path": path}, self.now(), status, {}, token)
        self._record(record)
        return response

    # -- webhook delivery --------------------------------------------------------------------
    async def _webhook_worker(self) -> None:
        delay = self.webhook_retry_delay
        attempts: dict[int, int] = {}
        async with httpx.AsyncClient(trust_env=False, timeout=self.webhook_timeout) as client:
            while self._stop_event is not None and not self._stop_event.is_set():
                event = self._wake_event
                with self._lock:
                    hook = dict(self._webhook) if self._webhook is not None else None
                    update = copy.deepcopy(self._updates[0]) if hook and self._updates else None
                if hook is None or update is None:
                    if event is not None:
                        await event.wait()
                    continue
                update_id = int(update["update_id"])
                attempts[update_id] = attempts.get(update_id, 0) + 1
                ok = await self._deliver(client, hook, update, attempts[update_id])
                if ok:
                    attempts.pop(update_id, None)
                    delay = self.webhook_retry_delay
                else:
                    await self._pause(delay)
                    delay = min(delay * 2, self.webhook_max_retry_delay)

    async def _deliver(
        self, client: httpx.AsyncClient, hook: JsonDict, update: JsonDict, attempt: int
    ) -> bool:
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
        status: int | None = None
        error: str | None = None
        try:
            response = await client.post(hook["url"], content=json.dumps(update), headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"Wrong response from the webhook: {status} {_phrase(status)}".rstrip()
        except httpx.HTTPError as exc:
            error = str(exc) or type(exc).__name__
        delivery = WebhookDelivery(
            int(update["update_id"]), str(hook["url"]), attempt, status, error, self.now()
        )
        with self._lock:
            self._deliveries.append(delivery)
            if delivery.ok:
                self._updates = [u for u in self._updates if u["update_id"] != delivery.update_id]
            elif self._webhook is not None:
                self._webhook_error = (int(self.now()), error or "")
            self._changes.notify()
        return delivery.ok
