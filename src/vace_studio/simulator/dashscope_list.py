"""DashScope's task list: ``GET /api/v1/tasks`` (reference section 0, [A3]).

- ``start_time`` / ``end_time`` look like ``20260701120000`` and are read in the service's time,
  China Standard Time (UTC+8). The range may span at most 24 hours; a wider one is refused with
  400 ``InvalidParameter``. Without them the last 24 hours are listed; with only one, the other
  is 24 hours away from it (a missing ``end_time`` is never later than now).
- Items: ``task_id``, ``status``, ``gmt_create`` (epoch ms), ``start_time`` / ``end_time`` (epoch
  ms, once known), ``model_name``, ``region``, ``request_id``, ``api_key_id``; plus ``total``,
  ``page_no``, ``page_size``. Only the caller's account's tasks, newest first.
- The list is eventually consistent: a task shows up ``list_lag_seconds`` after its submit.
- Every time is on the service's clock (``clock_skew_seconds``), not the client's.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from vace_studio.simulator.clock import dashscope_query_time, epoch_ms
from vace_studio.simulator.errors import ApiError, json_response, request_id
from vace_studio.simulator.submits import authenticate, check_query
from vace_studio.simulator.tasks import Task

MODELS = {"wan2.1-vace-plus": "ap-southeast-1", "wanx2.1-vace-plus": "cn-beijing"}
"""Model ids the service accepts, with the region each belongs to."""

STATUS = {
    "queued": "PENDING",
    "running": "RUNNING",
    "succeeded": "SUCCEEDED",
    "failed": "FAILED",
    "canceled": "CANCELED",
}
"""The simulator's task status in DashScope's words."""

MAX_RANGE = 24 * 3600.0
RANGE_MESSAGE = "The time range cannot exceed 24 hours."


def _invalid(message: str) -> ApiError:
    return ApiError("dashscope", 400, "InvalidParameter", message)


def _int_param(request: Request, name: str, default: int, top: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise _invalid(f"{name}: must be a whole number 1–{top} (got {raw!r})")
    return int(raw)


def _time_param(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return dashscope_query_time(raw)
    except ValueError:
        raise _invalid(f"{name}: must look like 20230420000000 (got {raw!r})") from None


def time_range(request: Request, now: float) -> tuple[float, float]:
    """(start, end) epoch seconds the list covers, or the 400 for a range the service refuses."""
    start, end = _time_param(request, "start_time"), _time_param(request, "end_time")
    if start is None and end is None:
        return now - MAX_RANGE, now
    if start is None:
        assert end is not None
        start = end - MAX_RANGE
    if end is None:
        end = min(start + MAX_RANGE, now)
    if end < start:
        raise _invalid("start_time: must not be later than end_time.")
    # Whole seconds are all the query can say; a span of exactly 24 h is allowed.
    if end - start > MAX_RANGE:
        raise _invalid(RANGE_MESSAGE)
    return start, end


def item(task: Task) -> dict[str, Any]:
    """One task as the list shows it."""
    entry: dict[str, Any] = {
        "task_id": task.id,
        "status": STATUS[task.status],
        "gmt_create": epoch_ms(task.submitted_at),
        "model_name": task.model,
        "region": MODELS.get(task.model, ""),
        "request_id": task.request_id,
        "api_key_id": task.account,
    }
    if task.scheduled_at is not None:
        entry["start_time"] = epoch_ms(task.scheduled_at)
    if task.ended_at is not None:
        entry["end_time"] = epoch_ms(task.ended_at)
    return entry


async def list_tasks(request: Request) -> Response:
    """``GET /api/v1/tasks?page_no=&page_size=&status=&model_name=&start_time=&end_time=``."""
    state, account = authenticate(request, "dashscope")
    check_query(state, "dashscope", account)
    page_no = _int_param(request, "page_no", 1, 10_000)
    page_size = _int_param(request, "page_size", 10, 100)
    now = state.clock.now()
    start, end = time_range(request, now)
    visible_before = now - state.config.list_lag_seconds
    query = request.query_params
    status, model = query.get("status"), query.get("model_name")
    region, key_id = query.get("region"), query.get("api_key_id")
    tasks = [
        t
        for t in state.registry.of("dashscope", account)
        if t.submitted_at <= visible_before
        and start <= t.submitted_at < end + 1.0  # end_time names a whole second
        and (not status or STATUS[t.status] == status.upper())
        and (not model or t.model == model)
        and (not region or MODELS.get(t.model) == region)
        and (not key_id or t.account == key_id)
    ]
    tasks.sort(key=lambda t: t.submitted_at, reverse=True)
    page = tasks[(page_no - 1) * page_size : page_no * page_size]
    return json_response(
        {
            "request_id": request_id(),
            "data": [item(t) for t in page],
            "total": len(tasks),
            "total_page": max(1, math.ceil(len(tasks) / page_size)),
            "page_no": page_no,
            "page_size": page_size,
        }
    )
