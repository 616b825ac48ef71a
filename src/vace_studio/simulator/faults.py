"""Fault injection: throttling, server errors, dropped connections, slow and malformed answers.

:class:`FaultMiddleware` wraps the whole app, outermost, so it sees the server's own ``send`` and
can really drop a connection: it closes the socket without a response, which a client sees as a
connection error. ``drop_after`` first lets the route do its work — for a submit the task exists
— and then drops; a client that retries that submit blindly creates a duplicate.
``server_error_after`` also lets the route work and then answers a 5xx: the client is told
"server error" about a task that exists.

Every request on a provider route is counted under ``requests`` (``"provider:kind"``) before any
fault is drawn, so a test can count what a client sent even when no route saw it.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
from contextlib import suppress
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vace_studio.simulator.config import FaultConfig
from vace_studio.simulator.errors import Dialect, error_response
from vace_studio.simulator.stats import Counters

_MODELLIX_ID = re.compile(r"^task-[0-9a-f]{24}$")
_MULE = r"/vendors/alibaba/v1/(?:wan2\.1-vace-plus/generation|wan2/video/edit)"
_ROUTES: list[tuple[str, re.Pattern[str], str | None, str, Dialect]] = [
    ("POST", re.compile(r"^/api/v1/services/aigc/video-generation/video-synthesis$"),
     "dashscope", "submit", "dashscope"),
    ("GET", re.compile(r"^/api/v1/tasks/?$"), "dashscope", "list", "dashscope"),
    ("POST", re.compile(r"^/api/v1/tasks/[^/]+/cancel$"), "dashscope", "cancel", "dashscope"),
    ("GET", re.compile(r"^/api/v1/uploads$"), "dashscope", "upload", "dashscope"),
    ("POST", re.compile(r"^/oss/upload$"), "dashscope", "upload", "oss"),
    ("POST", re.compile(r"^/api/v1/alibaba/wan2\.1-vace-plus/async$"),
     "modellix", "submit", "modellix"),
    ("POST", re.compile(r"^/api/v1/media/files$"), "modellix", "upload", "modellix"),
    ("DELETE", re.compile(r"^/api/v1/media/files/[^/]+$"), "modellix", "upload", "modellix"),
    ("GET", re.compile(r"^/media/"), "modellix", "download", "modellix"),
    ("POST", re.compile(rf"^{_MULE}$"), "mulerouter", "submit", "mulerouter"),
    ("GET", re.compile(rf"^{_MULE}/[^/]+$"), "mulerouter", "poll", "mulerouter"),
    # Result videos are shared by all providers: a provider filter does not narrow them.
    ("GET", re.compile(r"^/results/"), None, "download", "oss"),
]  # fmt: skip
_TASK = re.compile(r"^/api/v1/tasks/([^/]+)$")


@dataclass(frozen=True)
class Route:
    """What a request is: its provider (``None`` for shared routes), kind and error dialect."""

    provider: str | None
    kind: str
    dialect: Dialect


def classify(method: str, path: str) -> Route | None:
    """The route kind of a request, or ``None`` for routes faults never touch."""
    task = _TASK.match(path)
    if task and method == "GET":
        # DashScope and Modellix share this path; the task id format tells them apart.
        modellix = bool(_MODELLIX_ID.match(task.group(1)))
        provider: Dialect = "modellix" if modellix else "dashscope"
        return Route(provider, "poll", provider)
    for route_method, pattern, owner, kind, dialect in _ROUTES:
        if method == route_method and pattern.match(path):
            return Route(owner, kind, dialect)
    return None


EXCLUSIVE = (
    "drop_before", "drop_after", "throttle", "server_error", "server_error_after", "malformed",
)  # fmt: skip


class FaultInjector:
    """Draws faults for requests from a RNG seeded by the current :class:`FaultConfig`."""

    def __init__(self, config: FaultConfig, counters: Counters) -> None:
        self._lock = threading.Lock()
        self._counters = counters
        self.config = config
        self._rng = random.Random(config.seed)

    def set(self, config: FaultConfig) -> None:
        """Replace the settings and reseed."""
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)

    def draw(self, route: Route) -> tuple[str | None, bool]:
        """(exclusive fault kind or ``None``, whether to be slow) for one request."""
        with self._lock:
            config = self.config
            if route.kind not in config.routes or (
                route.provider is not None and route.provider not in config.providers
            ):
                return None, False
            roll = self._rng.random()
            slow = config.slow_rate > 0 and self._rng.random() < config.slow_rate
        for kind in EXCLUSIVE:
            rate: float = getattr(config, f"{kind}_rate")
            if roll < rate:
                return kind, slow
            roll -= rate
        return None, slow

    def task_failure(self, provider: str) -> tuple[str, str] | None:
        """(code, message) when a task being created at ``provider`` should end FAILED."""
        with self._lock:
            config = self.config
            if config.task_failure_rate <= 0 or provider not in config.providers:
                return None
            if self._rng.random() >= config.task_failure_rate:
                return None
        self._counters.add("faults", "task_failure")
        return config.task_failure_code, config.task_failure_message


_SERVER_ERRORS = {
    500: ("InternalError", "An internal error has occured, please try again later."),
    502: ("BadGateway", "Bad gateway, please try again later."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable, please try again later."),
    504: ("GatewayTimeout", "The gateway timed out, please try again later."),
}


async def drop_connection(send: Send, receive: Receive) -> None:
    """Close the client's connection without answering.

    uvicorn hands the app a bound method of its request cycle, whose ``transport`` is the socket;
    closing it is the only way an ASGI app can drop a connection mid-request.
    """
    # ``send`` may be wrapped (the Date header middleware); ``receive`` is uvicorn's own.
    transport = getattr(getattr(send, "__self__", None), "transport", None) or getattr(
        getattr(receive, "__self__", None), "transport", None
    )
    if transport is None:
        raise ConnectionAbortedError("cannot reach the transport to drop the connection")
    transport.close()
    # Wait until the server has noticed, so it does not answer "500" on our behalf.
    with suppress(TimeoutError):
        async with asyncio.timeout(2.0):
            while (await receive())["type"] != "http.disconnect":
                pass


class FaultMiddleware:
    """ASGI middleware injecting the faults :class:`FaultInjector` draws."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, counters: Counters) -> None:
        self.app = app
        self.injector = injector
        self.counters = counters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = classify(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        self.counters.add("requests", f"{route.provider or 'shared'}:{route.kind}")
        kind, slow = self.injector.draw(route)
        if kind == "malformed" and (route.kind == "download" or route.dialect == "oss"):
            kind = None  # only JSON answers can be malformed
        if slow:
            self.counters.add("faults", "slow")
            await asyncio.sleep(self.injector.config.slow_seconds)
        if kind is None:
            await self.app(scope, receive, send)
            return
        self.counters.add("faults", kind)
        config = self.injector.config
        if kind == "drop_before":
            await drop_connection(send, receive)
        elif kind == "drop_after":
            await self.app(scope, receive, _discard)
            await drop_connection(send, receive)
        elif kind == "throttle":
            retry = f"{config.retry_after:g}"
            code = "TooManyRequests" if route.dialect == "oss" else "Throttling.RateQuota"
            response = error_response(
                route.dialect, 429, code, "Requests rate limit exceeded, please try again later.",
                {"Retry-After": retry},
            )  # fmt: skip
            await response(scope, receive, send)
        elif kind in ("server_error", "server_error_after"):
            if kind == "server_error_after":
                await self.app(scope, receive, _discard)  # the work is done: a task may exist
            status = config.server_error_status
            code, message = _SERVER_ERRORS.get(status, ("InternalError", "Server error."))
            await error_response(route.dialect, status, code, message)(scope, receive, send)
        else:
            await self.app(scope, receive, _malformed(send))


async def _discard(message: Message) -> None:
    """A ``send`` that throws the answer away (the connection is dropped afterwards)."""


def _malformed(send: Send) -> Send:
    """A ``send`` that cuts a JSON answer in half, keeping a consistent ``Content-Length``."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        is_json = any(k.lower() == b"content-type" and b"json" in v for k, v in headers)
        if is_json and body:
            body = body[: max(1, len(body) // 2)]
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return wrapped
