"""The steps every provider's routes share: authenticate, validate a request with the project's
models, and turn quota refusals into each provider's 429."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from vace_studio.requests import InvalidRequest, VaceRequest, validate_request
from vace_studio.simulator.bodies import bearer_key
from vace_studio.simulator.errors import ApiError, Dialect
from vace_studio.simulator.quotas import Throttled
from vace_studio.simulator.state import SimulatorState
from vace_studio.simulator.tasks import account_of


def state_of(request: Request) -> SimulatorState:
    """The simulator state the app was built with."""
    state: SimulatorState = request.app.state.sim
    return state


def authenticate(request: Request, dialect: Dialect) -> tuple[SimulatorState, str]:
    """(state, account) for a request with a valid bearer key, else the provider's 401."""
    state = state_of(request)
    key = bearer_key(request, state.config.api_keys, dialect)
    return state, account_of(key)


def base_url(request: Request) -> str:
    """``scheme://host:port`` as the client addressed the simulator (for URLs in answers)."""
    return str(request.base_url).rstrip("/")


def validate(fields: Mapping[str, Any], dialect: Dialect) -> VaceRequest:
    """The validated request, or a 400 whose message lists every problem in plain words."""
    try:
        return validate_request(fields)
    except InvalidRequest as error:
        code = "InvalidParameter" if dialect == "dashscope" else "BadRequest"
        message = "; ".join(problem.message for problem in error.problems)
        raise ApiError(dialect, 400, code, message) from None


def throttled(dialect: Dialect, refusal: Throttled) -> ApiError:
    """A quota refusal as the provider's 429.

    DashScope documents no ``Retry-After``; Modellix sends ``Retry-After`` and
    ``X-RateLimit-Reset`` (epoch seconds), and MuleRouter's CLI honours ``Retry-After``.
    """
    headers: dict[str, str] = {}
    if dialect != "dashscope":
        wait = max(1, math.ceil(refusal.retry_after))
        headers["Retry-After"] = str(wait)
        if dialect == "modellix":
            headers["X-RateLimit-Reset"] = str(math.ceil(time.time() + wait))
    return ApiError(dialect, 429, refusal.code, refusal.message, headers)


def check_query(state: SimulatorState, provider: Dialect, account: str) -> None:
    """Count a task query (poll, list, cancel) against the provider's quota; 429 when over."""
    refusal = state.quotas.check_query(provider, account)
    if refusal is not None:
        raise throttled(provider, refusal)
