"""``/_simulator/…``: what tests read and steer. Not part of any provider's protocol.

- ``GET /_simulator/health`` → ``{"ok": true}``
- ``GET /_simulator/stats`` → the counters (:class:`~vace_studio.simulator.stats.SimulatorStats`)
- ``GET /_simulator/tasks`` → every task: id, provider, account, function, the request as the
  service used it, fingerprint, status
- ``GET /_simulator/faults`` → the fault settings; ``POST`` a JSON object to replace them
  (missing keys take their defaults)
- ``POST /_simulator/reset`` → forget tasks, counters, quotas, uploads; restore configured faults
- ``POST /_simulator/clock`` with ``{"advance": seconds}`` → move the expiry clock forward

Every one of them wants the simulator's secret (``X-Simulator-Secret``, or ``Authorization:
Bearer`` with a key derived from it) and answers 401 without: they reveal every account's tasks
and steer the simulator, which only its owner may do (:mod:`.owner`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vace_studio.simulator.config import FaultConfig
from vace_studio.simulator.errors import json_response
from vace_studio.simulator.owner import SECRET_HEADER
from vace_studio.simulator.submits import state_of

MAX_BODY = 64 * 1024


def _bad(message: str) -> Response:
    return json_response({"error": message}, status=400)


async def _json(request: Request) -> dict[str, Any] | Response:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return _bad("body too large")
    try:
        data = json.loads(raw or b"{}")
    except json.JSONDecodeError as error:
        return _bad(f"not JSON: {error}")
    return data if isinstance(data, dict) else _bad("expected a JSON object")


async def health(request: Request) -> Response:
    return json_response({"ok": True})


async def stats(request: Request) -> Response:
    return json_response(state_of(request).stats().to_json())


async def tasks(request: Request) -> Response:
    return json_response({"tasks": state_of(request).task_summaries()})


async def faults(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        data = await _json(request)
        if isinstance(data, Response):
            return data
        try:
            state.set_faults(FaultConfig.from_json(data))
        except (TypeError, ValueError) as error:
            return _bad(str(error))
    return json_response(state.faults.config.to_json())


async def reset(request: Request) -> Response:
    await state_of(request).reset()
    return json_response({"ok": True})


async def clock(request: Request) -> Response:
    data = await _json(request)
    if isinstance(data, Response):
        return data
    seconds = data.get("advance")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return _bad("advance: a number of seconds ≥ 0 is required")
    state = state_of(request)
    state.clock.advance(float(seconds))
    return json_response({"now": state.clock.now()})


Handler = Callable[[Request], Awaitable[Response]]


def owner_only(handler: Handler) -> Handler:
    """``handler`` behind the secret check."""

    async def guarded(request: Request) -> Response:
        owner = state_of(request).owner
        given = request.headers.get(SECRET_HEADER, "")
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        if not (given and owner.is_owner(given)) and not (
            scheme.lower() == "bearer" and bearer.strip() and owner.is_owner(bearer.strip())
        ):
            message = "this simulator answers its owner only: send its secret in X-Simulator-Secret"
            return json_response({"error": message}, status=401)
        return await handler(request)

    return guarded


def routes() -> list[Route]:
    """The introspection routes, each behind the secret."""
    return [
        Route("/_simulator/health", owner_only(health), methods=["GET"]),
        Route("/_simulator/stats", owner_only(stats), methods=["GET"]),
        Route("/_simulator/tasks", owner_only(tasks), methods=["GET"]),
        Route("/_simulator/faults", owner_only(faults), methods=["GET", "POST"]),
        Route("/_simulator/reset", owner_only(reset), methods=["POST"]),
        Route("/_simulator/clock", owner_only(clock), methods=["POST"]),
    ]
