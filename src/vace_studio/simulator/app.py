"""Assembly of the simulator's ASGI app: every provider's routes, result downloads,
introspection, error rendering, the fault middleware, and outermost the ``Date`` header on the
service's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vace_studio.simulator import (
    dashscope_routes,
    introspection,
    modellix_routes,
    mulerouter_routes,
    oss_routes,
)
from vace_studio.simulator.clock import Clock, http_date
from vace_studio.simulator.errors import ApiError, oss_error
from vace_studio.simulator.faults import FaultMiddleware, classify
from vace_studio.simulator.state import SimulatorState
from vace_studio.simulator.submits import state_of


async def poll_task(request: Request) -> Response:
    """``GET /api/v1/tasks/{task_id}``, shared by DashScope and Modellix: the id format decides."""
    task_id: str = request.path_params["task_id"]
    route = classify("GET", f"/api/v1/tasks/{task_id}")
    if route is not None and route.provider == "modellix":
        return await modellix_routes.poll(request, task_id)
    return await dashscope_routes.poll(request, task_id)


async def result_video(request: Request) -> Response:
    """``GET /results/{key}/{task}.mp4?Expires=…&OSSAccessKeyId=…&Signature=…`` (Range aware).

    Like a signed OSS URL: 403 once ``Expires`` has passed or when the signature is wrong.
    """
    state = state_of(request)
    key: str = request.path_params["key"]
    file: str = request.path_params["file"]
    if not file.endswith(".mp4"):
        return oss_error(404, "NoSuchKey", "The specified key does not exist.")
    query = request.query_params
    why = state.storage.check_result(
        key, file[: -len(".mp4")], query.get("Expires", ""), query.get("Signature", "")
    )
    if why == "SignatureDoesNotMatch":
        return oss_error(403, why, "The request signature we calculated does not match.")
    if why:
        return oss_error(403, "AccessDenied", "Request has expired.")
    path = state.storage.result_path(key)
    if not path.is_file():
        return oss_error(404, "NoSuchKey", "The specified key does not exist.")
    return FileResponse(path, media_type="video/mp4")


REASONS = {401: "auth", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large"}


def reason(error: ApiError) -> str:
    """The short reason a refusal is counted under in ``stats().rejected``."""
    if error.reason:
        return error.reason
    if error.status == 429:
        return "quota"
    if error.code == "EntityTooLarge":
        return "too_large"
    return REASONS.get(error.status, "invalid" if error.status == 400 else f"http_{error.status}")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    provider = "dashscope" if exc.dialect == "oss" else exc.dialect
    state_of(request).counters.add("rejected", f"{provider}:{reason(exc)}")
    return exc.response()


class DateHeader:
    """Adds ``Date`` from the service's clock to every answer (uvicorn's own is switched off).

    A real service's clock is not the client's; with ``clock_skew_seconds`` this header is the
    only way a client can learn the service's time, as it must to ask the task list for a range.
    """

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", http_date(self.clock.now()).encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, dated)


def build_app(state: SimulatorState) -> ASGIApp:
    """The complete app for ``state``: routes in the fault middleware, in the Date header."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.shutdown()

    routes: list[Route] = [
        *dashscope_routes.routes(),
        Route("/api/v1/tasks/{task_id}", poll_task, methods=["GET"]),
        *oss_routes.routes(),
        *modellix_routes.routes(),
        *mulerouter_routes.routes(),
        Route("/results/{key}/{file}", result_video, methods=["GET"]),
        *introspection.routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: _api_error},
        lifespan=lifespan,
    )
    app.state.sim = state
    return DateHeader(FaultMiddleware(app, state.faults, state.counters), state.clock)
