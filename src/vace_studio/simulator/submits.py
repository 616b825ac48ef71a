"""The steps every provider's routes share: authenticate, record the body, refuse an account under
a billing refusal, read the request the way the service does (:mod:`.intake`), and turn quota
refusals into each provider's 429."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from vace_studio.simulator.bodies import bearer_key
from vace_studio.simulator.errors import ApiError, Dialect
from vace_studio.simulator.intake import KNOWN, Intake, Refused, take
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
    key = bearer_key(request, state.owner.accepts, dialect)
    return state, account_of(key)


def base_url(request: Request) -> str:
    """``scheme://host:port`` as the client addressed the simulator (for URLs in answers)."""
    return str(request.base_url).rstrip("/")


def note_body(state: SimulatorState, provider: str, account: str, body: Mapping[str, Any]) -> None:
    """Count a submit body by content, so a test sees a client that sends the same one again."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    state.counters.add("submit_bodies", f"{provider}:{account}:{digest}")


def check_billing(state: SimulatorState, dialect: Dialect, account: str) -> None:
    """Refuse the submit while ``account`` is under a billing refusal (``FaultConfig.billing``)."""
    refusal = state.billing_refusal(dialect, account)
    if refusal is not None:
        raise ApiError(dialect, refusal.status, refusal.code, refusal.message, reason="billing")


def accept(
    fields: Mapping[str, Any],
    dialect: Dialect,
    *,
    strict: bool = False,
    documented: frozenset[str] = KNOWN,
) -> Intake:
    """The request as the service uses it, or the provider's 400 naming the field and rule."""
    try:
        return take(fields, strict=strict, documented=documented)
    except Refused as error:
        code = error.code if dialect == "dashscope" else "BadRequest"
        raise ApiError(dialect, 400, code, error.message) from None


def throttled(dialect: Dialect, refusal: Throttled, now: float) -> ApiError:
    """A quota refusal as the provider's 429.

    DashScope documents no ``Retry-After``; Modellix sends ``Retry-After`` and
    ``X-RateLimit-Reset`` (epoch seconds on the service's clock, ``now``), and MuleRouter's CLI
    honours ``Retry-After``.
    """
    headers: dict[str, str] = {}
    if dialect != "dashscope":
        wait = max(1, math.ceil(refusal.retry_after))
        headers["Retry-After"] = str(wait)
        if dialect == "modellix":
            headers["X-RateLimit-Reset"] = str(math.ceil(now + wait))
    return ApiError(dialect, 429, refusal.code, refusal.message, headers)


def check_query(state: SimulatorState, provider: Dialect, account: str) -> None:
    """Count a task query (poll, list, cancel) against the provider's quota; 429 when over."""
    refusal = state.quotas.check_query(provider, account)
    if refusal is not None:
        raise throttled(provider, refusal, state.clock.now())
