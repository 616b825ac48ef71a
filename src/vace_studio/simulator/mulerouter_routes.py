"""MuleRouter's protocol (reference section 3): flat body with ``model``, 202 + ``task_info``.

Polls answer ``{"task_info": {...}, "videos": [...]}`` with ``videos`` only once completed. The
legacy alias ``/vendors/alibaba/v1/wan2/video/edit`` is served too. HTTP errors use
``{"code", "title", "detail"}`` (undocumented; ``detail`` is what MuleRouter's CLI reads first).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vace_studio.simulator.bodies import read_json_object
from vace_studio.simulator.clock import iso_time
from vace_studio.simulator.errors import ApiError, json_response
from vace_studio.simulator.intake import KNOWN
from vace_studio.simulator.submits import (
    accept,
    authenticate,
    base_url,
    check_billing,
    check_query,
    note_body,
    throttled,
)

MODEL = "wan2.1-vace-plus"
PATHS = ("/vendors/alibaba/v1/wan2.1-vace-plus/generation", "/vendors/alibaba/v1/wan2/video/edit")
STATUS = {
    "queued": "pending",
    "running": "processing",
    "succeeded": "completed",
    "failed": "failed",
    "canceled": "failed",  # MuleRouter has no cancel; never reached
}
NEGATIVE_PROMPT_MAX = 500
GENERATION_FAILED = 3001
"""The numeric error code MuleRouter's docs show for a failed generation."""
FAILURE_TITLE = "Task Execution Error"
"""The documented, generic title of that error; the reason is only in ``detail``."""
DOCUMENTED = (KNOWN - {"watermark"}) | {"model", "negative_prompt", "safety_filter"}
"""The body fields MuleRouter documents (reference 3.2): the VACE ones but ``watermark``, and its
own ``model``, ``negative_prompt`` and ``safety_filter``."""


def _error(status: int, message: str) -> ApiError:
    return ApiError("mulerouter", status, "BadRequest", message)


def _documented_extras(body: dict[str, Any]) -> None:
    """Check MuleRouter's own fields: ``negative_prompt`` (≤500 chars) and ``safety_filter``."""
    negative = body.get("negative_prompt")
    if negative is not None and (
        not isinstance(negative, str) or len(negative) > NEGATIVE_PROMPT_MAX
    ):
        raise _error(
            400, f"negative_prompt: must be text of at most {NEGATIVE_PROMPT_MAX} characters"
        )
    safety = body.get("safety_filter")
    if safety is not None and not isinstance(safety, bool):
        raise _error(400, f"safety_filter: must be true or false (got {safety!r})")


async def submit(request: Request) -> Response:
    """``POST …/generation``: 202 with ``task_info``."""
    state, account = authenticate(request, "mulerouter")
    state.counters.add("submits", "mulerouter")
    body = await read_json_object(request, state.config.max_body_bytes, "mulerouter")
    note_body(state, "mulerouter", account, body)
    check_billing(state, "mulerouter", account)
    model = body.get("model")
    if model != MODEL:
        raise _error(400, f"model: must be {MODEL!r} (got {model!r})")
    _documented_extras(body)
    # A gateway with a published schema: a field it does not document is refused, not ignored.
    vace = accept(body, "mulerouter", strict=True, documented=DOCUMENTED)
    refusal = state.admit("mulerouter", account)
    if refusal is not None:
        raise throttled("mulerouter", refusal, state.clock.now())
    task = state.create_task("mulerouter", account, MODEL, vace)
    stamp = iso_time(task.submitted_at)
    info = {"id": task.id, "status": "pending", "created_at": stamp, "updated_at": stamp}
    return json_response({"task_info": info}, status=202)


async def poll(request: Request) -> Response:
    """``GET …/generation/{task_id}``: 404 when unknown or expired."""
    state, account = authenticate(request, "mulerouter")
    check_query(state, "mulerouter", account)
    state.counters.add("polls", "mulerouter")
    task_id = request.path_params["task_id"]
    task = state.registry.get(task_id, "mulerouter", account)
    if task is not None:
        task.polls += 1
    if task is None:
        raise ApiError("mulerouter", 404, "NotFound", f"Task not found: {task_id}")
    info: dict[str, Any] = {
        "id": task.id,
        "status": STATUS[task.status],
        "created_at": iso_time(task.submitted_at),
        "updated_at": iso_time(task.updated_at),
    }
    body: dict[str, Any] = {"task_info": info}
    outcome = task.outcome
    if task.status == "succeeded":
        body["videos"] = [state.result_url(base_url(request), task)]
    elif task.status == "failed" and outcome is not None:
        info["error"] = {
            "code": GENERATION_FAILED,
            "title": FAILURE_TITLE,
            "detail": f"Video edit failed: {outcome.message}",
        }
    return json_response(body)


def routes() -> list[Route]:
    """Submit and poll at the documented path and the legacy alias."""
    found: list[Route] = []
    for path in PATHS:
        found.append(Route(path, submit, methods=["POST"]))
        found.append(Route(path + "/{task_id}", poll, methods=["GET"]))
    return found
