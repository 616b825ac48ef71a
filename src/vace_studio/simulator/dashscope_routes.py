"""DashScope's video-synthesis protocol: submit, poll and cancel (reference section 1); the task
list is in :mod:`.dashscope_list`.

Submit takes a nested body ``{"model", "input": {...}, "parameters": {...}}``; prompt, function,
media URLs and ``mask_frame_id`` belong in ``input``, every other knob in ``parameters``. A
documented field in the wrong object is refused, so a client's mapping bug shows up here rather
than as a setting the real service silently ignores; names nobody documents are ignored, as the
service ignores unknown parameters.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vace_studio.simulator import dashscope_list
from vace_studio.simulator.bodies import read_json_object
from vace_studio.simulator.clock import dashscope_time
from vace_studio.simulator.dashscope_list import MODELS, STATUS
from vace_studio.simulator.errors import ApiError, json_response, request_id
from vace_studio.simulator.intake import KNOWN
from vace_studio.simulator.state import SimulatorState
from vace_studio.simulator.submits import (
    accept,
    authenticate,
    base_url,
    check_billing,
    check_query,
    note_body,
    throttled,
)
from vace_studio.simulator.tasks import Task

INPUT_FIELDS = frozenset(
    {
        "function", "prompt", "ref_images_url", "video_url", "mask_image_url", "mask_video_url",
        "mask_frame_id", "first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url",
    }
)  # fmt: skip
"""Fields that go in ``input``; all others go in ``parameters``."""

SDK_IGNORED_INPUT = frozenset({"extend_prompt"})
"""Keys the official SDK always adds to ``input`` and the service ignores (a deprecated alias)."""

USAGE = {"video_duration": 5, "video_count": 1, "video_ratio": "standard"}


def _error(status: int, code: str, message: str) -> ApiError:
    return ApiError("dashscope", status, code, message)


def flatten(body: dict[str, Any]) -> dict[str, Any]:
    """One flat request dict from ``input`` and ``parameters``, checking where each field sits."""
    given_input = body.get("input")
    if not isinstance(given_input, dict) or not given_input:
        raise _error(400, "BadRequest.EmptyInput", "Required input parameter missing from request.")
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise _error(400, "InvalidParameter", "parameters: must be a JSON object.")
    fields: dict[str, Any] = {}
    for name, value in given_input.items():
        if name in SDK_IGNORED_INPUT:
            continue
        if name in KNOWN and name not in INPUT_FIELDS:
            raise _error(400, "InvalidParameter", f"{name}: belongs in parameters, not in input.")
        fields[name] = value
    for name, value in parameters.items():
        if name in INPUT_FIELDS:
            raise _error(400, "InvalidParameter", f"{name}: belongs in input, not in parameters.")
        fields[name] = value
    return fields


async def submit(request: Request) -> Response:
    """``POST /api/v1/services/aigc/video-generation/video-synthesis``."""
    state, account = authenticate(request, "dashscope")
    state.counters.add("submits", "dashscope")
    if request.headers.get("x-dashscope-async", "").lower() != "enable":
        raise _error(403, "AccessDenied", "current user api does not support synchronous calls")
    body = await read_json_object(request, state.config.max_body_bytes, "dashscope")
    note_body(state, "dashscope", account, body)
    check_billing(state, "dashscope", account)
    model = body.get("model")
    if not model:
        raise _error(
            400, "BadRequest.EmptyModel", "Required parameter 'model' missing from request."
        )
    if model not in MODELS:
        raise _error(404, "ModelNotFound", f"Model not exist: {model}")
    vace = accept(flatten(body), "dashscope")
    oss_resolve = request.headers.get("x-dashscope-ossresourceresolve", "").lower() == "enable"
    for field, refs in vace.media.items():
        for ref in refs:
            if ref.startswith("oss://") and not oss_resolve:
                raise _error(
                    400,
                    "InvalidParameter",
                    f"{field}: an oss:// URL needs the header X-DashScope-OssResourceResolve: "
                    f"enable (got {ref!r})",
                )
    refusal = state.admit("dashscope", account)
    if refusal is not None:
        raise throttled("dashscope", refusal, state.clock.now())
    rid = request_id()
    task = state.create_task(
        "dashscope", account, str(model), vace, oss_resolve=oss_resolve, request_id=rid
    )
    body_out = {"output": {"task_id": task.id, "task_status": "PENDING"}, "request_id": rid}
    return json_response(body_out, headers={"x-request-id": rid})


def actual_prompt(prompt: str) -> str:
    """What the simulated prompt extension makes of a prompt (deterministic)."""
    return f"{prompt} Smooth, natural motion, soft consistent lighting, sharp detail."


def task_output(state: SimulatorState, task: Task, base: str) -> dict[str, Any]:
    """The body of a poll answer for ``task``."""
    output: dict[str, Any] = {
        "task_id": task.id,
        "task_status": STATUS[task.status],
        "submit_time": dashscope_time(task.submitted_at),
    }
    if task.scheduled_at is not None:
        output["scheduled_time"] = dashscope_time(task.scheduled_at)
    if task.ended_at is not None:
        output["end_time"] = dashscope_time(task.ended_at)
    body: dict[str, Any] = {"request_id": request_id(), "output": output}
    if task.status == "succeeded":
        prompt = str(task.request.get("prompt", ""))
        output["video_url"] = state.result_url(base, task)
        output["orig_prompt"] = prompt
        if task.request.get("prompt_extend", True):  # the service extends unless told not to
            output["actual_prompt"] = actual_prompt(prompt)
        body["usage"] = dict(USAGE)
    elif task.status == "failed" and task.outcome is not None:
        output["code"] = task.outcome.code
        output["message"] = task.outcome.message
    return body


async def poll(request: Request, task_id: str) -> Response:
    """``GET /api/v1/tasks/{task_id}``: unknown and expired ids answer 200 with UNKNOWN."""
    state, account = authenticate(request, "dashscope")
    check_query(state, "dashscope", account)
    state.counters.add("polls", "dashscope")
    task = state.registry.get(task_id, "dashscope", account)
    if task is not None:
        task.polls += 1
    if task is None:
        unknown = {"task_id": task_id, "task_status": "UNKNOWN"}
        return json_response({"request_id": request_id(), "output": unknown})
    return json_response(task_output(state, task, base_url(request)))


async def cancel(request: Request) -> Response:
    """``POST /api/v1/tasks/{task_id}/cancel``: only a PENDING task can be canceled."""
    state, account = authenticate(request, "dashscope")
    check_query(state, "dashscope", account)
    task_id = request.path_params["task_id"]
    task = state.registry.get(task_id, "dashscope", account)
    if task is None:
        raise _error(400, "UnsupportedOperation", f"The task does not exist: {task_id}")
    if not state.registry.cancel(task):
        raise _error(
            400,
            "UnsupportedOperation",
            "Failed to cancel the task, please confirm if the task is in PENDING status.",
        )
    return json_response({"request_id": request_id()})


def routes() -> list[Route]:
    """DashScope's own routes (the shared ``GET /api/v1/tasks/{id}`` is assembled in ``app``)."""
    return [
        Route("/api/v1/services/aigc/video-generation/video-synthesis", submit, methods=["POST"]),
        Route("/api/v1/tasks", dashscope_list.list_tasks, methods=["GET"]),
        Route("/api/v1/tasks/{task_id}/cancel", cancel, methods=["POST"]),
    ]
