"""DashScope (Alibaba Cloud Model Studio), the official provider: nested body, async header.

Reference: ``providers.md`` section 1. Submit ``POST /api/v1/services/aigc/video-generation/
video-synthesis`` with ``X-DashScope-Async: enable`` and ``{"model", "input", "parameters"}``;
poll ``GET /api/v1/tasks/{id}``; cancel ``POST /api/v1/tasks/{id}/cancel`` (PENDING tasks only);
list ``GET /api/v1/tasks``. Temporary ``oss://`` uploads live in ``dashscope_uploads.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from vace_studio.providers.base import HttpRequestSpec, TaskState, TaskStatus, Usage
from vace_studio.providers.dashscope_uploads import TemporaryStorage
from vace_studio.providers.errors import ProviderError, kind_for_alibaba_code, kind_for_status
from vace_studio.providers.info import ProviderInfo, ProviderLimits, Region
from vace_studio.providers.submit_checks import refuse_unsupported, require_remote_media
from vace_studio.providers.wire import (
    error_from_parts,
    first_moment,
    first_text,
    is_success,
    load_json,
    normalise_base_url,
    number,
    obj,
    path_segment,
    protocol_error,
    success_json,
    text,
    times_from,
    verbatim,
    whole,
)

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

NAME = "dashscope"
LABEL = "DashScope"

REGIONS: dict[str, tuple[str, str, float]] = {
    # region: (documented base URL, model id, US$ per output second) -- sections 1.1 and 1.9
    "intl": ("https://dashscope-intl.aliyuncs.com", "wan2.1-vace-plus", 0.10),
    "cn": ("https://dashscope.aliyuncs.com", "wanx2.1-vace-plus", 0.100347),
}
"""Singapore ("intl") and Beijing ("cn")."""

CONSOLES = {
    "intl": "https://modelstudio.console.alibabacloud.com/",
    "cn": "https://bailian.console.aliyun.com/",
}
"""Where a person sees the account's tasks and bills, by region."""

INFO = ProviderInfo(
    name=NAME,
    label=LABEL,
    key_env="DASHSCOPE_API_KEY",
    base_url_env="VACE_STUDIO_DASHSCOPE_BASE_URL",
    regions=(
        Region("intl", "international (Singapore)", "Singapore"),
        Region("cn", "Chinese mainland (Beijing)", "Beijing"),
    ),
    # 2 submits/s and 2 concurrent tasks per account, polls 20/s (section 1.6).
    limits=ProviderLimits(submits_per_second=2.0, max_concurrent=2, polls_per_second=20.0),
    typical_seconds=420.0,  # "typical processing 5-10 min" (section 1.1)
    result_ttl_seconds=86_400.0,  # task ids and result URLs live 24 h (section 1.6)
    console_url=CONSOLES["intl"],
    lists_tasks=True,
    hosts_uploads=True,
)

SERVICE_ZONE = timezone(timedelta(hours=8), "UTC+8")
"""China Standard Time: the zone of the list API's ``start_time``/``end_time`` and of task
timestamps (providers.md §0)."""
LIST_MAX_RANGE = 24 * 3600.0
"""The list API refuses a ``start_time``..``end_time`` range wider than 24 hours (§0)."""
_LIST_FORMAT = "%Y%m%d%H%M%S"

API_PREFIX = "/api/v1"
SUBMIT_PATH = f"{API_PREFIX}/services/aigc/video-generation/video-synthesis"
TASKS_PATH = f"{API_PREFIX}/tasks"

INPUT_FIELDS = frozenset(
    {
        "function",
        "prompt",
        "ref_images_url",
        "video_url",
        "mask_image_url",
        "mask_video_url",
        "mask_frame_id",
        "first_frame_url",
        "last_frame_url",
        "first_clip_url",
        "last_clip_url",
    }
)
"""Fields sent in ``input``: prompt, function, every media URL and ``mask_frame_id`` (table 1.3).
Every other field (``obj_or_bg`` included) goes in ``parameters``."""

UNSUPPORTED_FIELDS = frozenset({"negative_prompt", "safety_filter"})
"""Request fields DashScope does not document for VACE (section 1.3; MuleRouter takes them):
refused before anything is sent. Every other field is sent, in ``input`` or ``parameters``."""

STATUSES: dict[str, TaskStatus] = {
    "PENDING": TaskStatus.QUEUED,
    # SUSPENDED exists only in the SDK's enum [I]; the task is neither done nor failed.
    "SUSPENDED": TaskStatus.RUNNING,
    "RUNNING": TaskStatus.RUNNING,
    "SUCCEEDED": TaskStatus.SUCCEEDED,
    "FAILED": TaskStatus.FAILED,
    "CANCELED": TaskStatus.CANCELED,
    # Some of Alibaba's own sample code spells it this way. [I]
    "CANCELLED": TaskStatus.CANCELED,
    # The task is absent or expired (ids live 24 h).
    "UNKNOWN": TaskStatus.UNKNOWN,
}
"""DashScope ``task_status`` -> common status (section 1.4); anything else -> UNKNOWN."""

_TIME_KEYS = ("submit_time", "scheduled_time", "end_time")
_POLL_KEYS = frozenset({"task_id", "task_status", "video_url", "code", "message", *_TIME_KEYS})
# Batch listing [I]: the SDK returns the raw JSON minus request_id; items carry these times.
_LIST_TIME_KEYS = ("gmt_create", "submit_time", "start_time", "scheduled_time", "end_time")


class DashScope(TemporaryStorage):
    """The DashScope adapter for one region (with temporary ``oss://`` uploads).

    ``region`` is ``"intl"`` (Singapore, ``wan2.1-vace-plus``) or ``"cn"`` (Beijing,
    ``wanx2.1-vace-plus``); ``base_url`` replaces the documented host (simulator, workspace
    host); ``workspace`` adds ``X-DashScope-WorkSpace`` to every request; ``model`` overrides
    the region's model id.
    """

    name = NAME
    info = INFO
    unsupported_fields = UNSUPPORTED_FIELDS
    limits = INFO.limits
    result_ttl_seconds = INFO.result_ttl_seconds
    list_max_range_seconds = LIST_MAX_RANGE

    def __init__(
        self,
        region: str = "intl",
        *,
        base_url: str | None = None,
        workspace: str | None = None,
        model: str | None = None,
    ) -> None:
        if region not in REGIONS:
            raise ValueError(f"region must be one of {sorted(REGIONS)} (got {region!r})")
        documented_base, region_model, price = REGIONS[region]
        self.region = region
        self.base_url = normalise_base_url(base_url or documented_base, API_PREFIX)
        self.model = model or region_model
        self.price_per_second: float | None = price
        self.workspace = workspace
        self.console_url = CONSOLES[region]

    def __repr__(self) -> str:
        return (
            f"DashScope(region={self.region!r}, base_url={self.base_url!r}, model={self.model!r})"
        )

    # ---- requests -----------------------------------------------------------------------

    def _headers(self, *, json_body: bool = False) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if json_body:
            headers["Content-Type"] = "application/json"
        if self.workspace:
            headers["X-DashScope-WorkSpace"] = self.workspace
        return headers

    def submit_request(self, request: VaceRequest) -> HttpRequestSpec:
        """``POST .../video-synthesis``: media and prompt in ``input``, knobs in ``parameters``.

        Raises ``InvalidInputError`` when a media field is still a local file, or for a field
        DashScope does not document (:data:`UNSUPPORTED_FIELDS`).
        """
        require_remote_media(
            request, provider=NAME, allow_oss=True, needs="an http(s):// or oss:// URL"
        )
        refuse_unsupported(request, unsupported=UNSUPPORTED_FIELDS, provider=NAME, label=LABEL)
        fields = request.api_fields()
        input_part = {k: v for k, v in fields.items() if k in INPUT_FIELDS}
        # ``parameters`` is always sent, even empty: video_repainting requires the object.
        parameters = {k: v for k, v in fields.items() if k not in INPUT_FIELDS}
        headers = self._headers(json_body=True)
        headers["X-DashScope-Async"] = "enable"
        refs = [ref for found in request.media().values() for ref in found]
        if any(ref.lower().startswith("oss://") for ref in refs):
            # Without it the service cannot read temporary oss:// uploads (section 1.7).
            headers["X-DashScope-OssResourceResolve"] = "enable"
        body = {"model": self.model, "input": input_part, "parameters": parameters}
        return HttpRequestSpec("POST", self.base_url + SUBMIT_PATH, headers, json=body)

    def poll_request(self, task_id: str) -> HttpRequestSpec:
        """``GET /api/v1/tasks/{task_id}``."""
        url = f"{self.base_url}{TASKS_PATH}/{path_segment(task_id)}"
        return HttpRequestSpec("GET", url, self._headers())

    def cancel_request(self, task_id: str) -> HttpRequestSpec | None:
        """``POST /api/v1/tasks/{task_id}/cancel``; only PENDING tasks can be canceled."""
        url = f"{self.base_url}{TASKS_PATH}/{path_segment(task_id)}/cancel"
        return HttpRequestSpec("POST", url, self._headers())

    def list_request(
        self,
        page_no: int = 1,
        page_size: int = 10,
        *,
        status: str | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        model_name: str | None = None,
    ) -> HttpRequestSpec:
        """``GET /api/v1/tasks`` with the SDK's query parameters.

        ``status`` is a DashScope status (``"RUNNING"``); times look like ``20230420000000``;
        ``model_name=None`` lists every model's tasks.
        """
        params = {"page_no": str(page_no), "page_size": str(page_size)}
        optional = {
            "start_time": start_time,
            "end_time": end_time,
            "model_name": model_name,
            "status": status,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        return HttpRequestSpec("GET", self.base_url + TASKS_PATH, self._headers(), params=params)

    def list_between(
        self, start: float, end: float, *, page_no: int = 1, page_size: int = 100
    ) -> HttpRequestSpec:
        """This model's tasks created in ``[start, end]`` (Unix seconds on the service's clock),
        written as whole seconds of China Standard Time; the window is widened to whole seconds
        and must not span more than 24 hours."""
        if end < start or end - start > LIST_MAX_RANGE:
            raise ValueError(
                f"a task list may span at most 24 hours (asked for {(end - start) / 3600:.2f} h)"
            )
        lo = datetime.fromtimestamp(int(start), UTC).astimezone(SERVICE_ZONE)
        hi = datetime.fromtimestamp(-int(-end // 1), UTC).astimezone(SERVICE_ZONE)
        return self.list_request(
            page_no,
            page_size,
            start_time=lo.strftime(_LIST_FORMAT),
            end_time=hi.strftime(_LIST_FORMAT),
            model_name=self.model,
        )

    # ---- responses ----------------------------------------------------------------------

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        """The typed error for a response carrying ``{"code", "message", "request_id"}``."""
        _, value = load_json(body)
        data = obj(value) or {}
        code = verbatim(data.get("code"))
        kind = kind_for_alibaba_code(code) or kind_for_status(status)
        return error_from_parts(
            NAME,
            status,
            headers,
            body,
            kind=kind,
            code=code,
            message=text(data.get("message")),
            request_id=verbatim(data.get("request_id")),
        )

    def _success(self, status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        root = obj(success_json(NAME, status, headers, body, self.error))
        if root is None:
            raise protocol_error(NAME, status, "a JSON object", body)
        if "output" not in root and "data" not in root and verbatim(root.get("code")):
            # A 2xx that still carries an error code: trust the code.
            raise self.error(status, headers, body)
        return root

    def parse_submit(self, status: int, headers: Mapping[str, str], body: bytes) -> str:
        """``output.task_id`` of ``{"output": {"task_id", "task_status"}, "request_id"}``."""
        output = obj(self._success(status, headers, body).get("output")) or {}
        task_id = verbatim(output.get("task_id"))
        if not task_id:
            raise protocol_error(NAME, status, "output.task_id", body)
        return task_id

    def parse_poll(
        self, task_id: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> TaskState:
        """The task state in ``output`` (plus ``usage`` and ``request_id``)."""
        root = self._success(status, headers, body)
        output = obj(root.get("output"))
        if output is None:
            raise protocol_error(NAME, status, "an output object", body)
        state = _task_state(output, task_id)
        if state is None:
            raise protocol_error(NAME, status, "output.task_status", body)
        if state.task_id != task_id:
            raise protocol_error(NAME, status, f"task {task_id!r}", body)
        if state.status is TaskStatus.SUCCEEDED and not state.video_url:
            raise protocol_error(NAME, status, "output.video_url for a SUCCEEDED task", body)
        extra = dict(state.extra)
        if (request_id := verbatim(root.get("request_id"))) is not None:
            extra["request_id"] = request_id
        return replace(state, usage=_usage(root.get("usage")), extra=extra)

    def parse_cancel(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """Returns on 2xx; a non-PENDING task answers an error (e.g. ``UnsupportedOperation``)."""
        if is_success(status) and not body.strip():
            return  # nothing to read, nothing wrong
        self._success(status, headers, body)

    def parse_list(self, status: int, headers: Mapping[str, str], body: bytes) -> list[TaskState]:
        """The tasks of one page of ``GET /api/v1/tasks``.

        [I] The items' shape is read from the SDK, not documented: ``data[]`` of objects with
        ``task_id`` and ``status`` (or ``task_status``), plus times such as ``gmt_create``.
        """
        root = self._success(status, headers, body)
        items = root.get("data")
        if items is None:
            items = (obj(root.get("output")) or {}).get("data")
        if not isinstance(items, list):
            raise protocol_error(NAME, status, "a data list", body)
        states = []
        for item in items:
            state = _task_state(obj(item) or {}, None, list_item=True)
            if state is None:
                raise protocol_error(NAME, status, "task_id and status in every item", body)
            states.append(state)
        return states


def _task_state(
    source: Mapping[str, Any], task_id: str | None, *, list_item: bool = False
) -> TaskState | None:
    """A TaskState from a poll ``output`` or a list item; ``None`` when the status is missing."""
    if list_item:
        provider_status = first_text(source, "task_status", "status")
    else:
        provider_status = text(source.get("task_status"))
    found_id = verbatim(source.get("task_id")) or task_id
    if provider_status is None or not found_id:
        return None
    status = STATUSES.get(provider_status.upper(), TaskStatus.UNKNOWN)
    code = verbatim(source.get("code"))
    time_keys = _LIST_TIME_KEYS if list_item else _TIME_KEYS
    # A list item's status may be under "status"; a poll's "status" (if any) is left in extra.
    consumed = _POLL_KEYS | set(time_keys) | ({"status"} if list_item else set())
    return TaskState(
        task_id=found_id,
        status=status,
        provider_status=provider_status,
        video_url=text(source.get("video_url")) or None,
        error_code=code,
        error_message=text(source.get("message")),
        times=times_from(source, time_keys),
        extra={k: v for k, v in source.items() if k not in consumed},
        error_kind=kind_for_alibaba_code(code) if status is TaskStatus.FAILED else None,
        created_at=_created_at(source),
        # When it left the queue [I: the zone is read like the other stamps'].
        started_at=first_moment(source, ("scheduled_time", "start_time"), SERVICE_ZONE),
        ended_at=first_moment(source, ("end_time",), SERVICE_ZONE) if status.is_terminal else None,
    )


def _created_at(source: Mapping[str, Any]) -> float | None:
    """Unix seconds of a task's creation: a list item's ``gmt_create`` (epoch ms), else its
    ``submit_time`` (``YYYY-MM-DD HH:mm:ss.SSS`` in China Standard Time)."""
    return first_moment(source, ("gmt_create", "submit_time"), SERVICE_ZONE)


def _usage(value: Any) -> Usage | None:
    data = obj(value)
    if data is None:
        return None
    return Usage(
        video_duration=number(data.get("video_duration")),
        video_count=whole(data.get("video_count")),
        video_ratio=text(data.get("video_ratio")),
    )
