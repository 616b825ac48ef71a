"""MuleRouter: flat body with ``model``, 202 + ``task_info``, ``videos[]`` on completion.

Reference: ``providers.md`` section 3. Submit ``POST /vendors/alibaba/v1/wan2.1-vace-plus/
generation``; poll the same path plus ``/{id}``; no cancel. The public docs and a 2026 CLI build
disagree on three wire names (``ref_images_url``/``images``, ``1280*720``/``1280x720``,
``original``/``orginal``), so they are configurable with :class:`MuleRouterFields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vace_studio.providers.base import HttpRequestSpec, TaskState, TaskStatus
from vace_studio.providers.errors import (
    ErrorKind,
    ProviderError,
    kind_for_alibaba_code,
    kind_for_status,
)
from vace_studio.providers.info import ProviderInfo, ProviderLimits
from vace_studio.providers.submit_checks import refuse_unsupported, require_remote_media
from vace_studio.providers.wire import (
    error_from_parts,
    first_text,
    is_success,
    load_json,
    moment,
    normalise_base_url,
    obj,
    path_segment,
    protocol_error,
    success_json,
    text,
    times_from,
    verbatim,
)

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

NAME = "mulerouter"
LABEL = "MuleRouter"
DOCUMENTED_BASE = "https://api.mulerouter.ai"
MODEL = "wan2.1-vace-plus"

INFO = ProviderInfo(
    name=NAME,
    label=LABEL,
    key_env="MULEROUTER_API_KEY",
    base_url_env="VACE_STUDIO_MULEROUTER_BASE_URL",
    regions=(),
    # Nothing is published about limits or result lifetime (section 3.5).
    limits=ProviderLimits(),
    typical_seconds=180.0,  # "typical time 2-4 min" (section 3.3)
    result_ttl_seconds=None,
    console_url="https://mulerouter.ai/",  # [I] the site; its console path is not documented
    lists_tasks=False,
    hosts_uploads=False,
)

UNSUPPORTED_FIELDS = frozenset({"watermark"})
"""Request fields MuleRouter does not document (section 3.2): refused before anything is sent
[I: it may be accepted or silently dropped]. Every other field is sent, flat, renamed per
:class:`MuleRouterFields` (``negative_prompt`` and ``safety_filter`` are documented here only)."""

STATUSES: dict[str, TaskStatus] = {
    "pending": TaskStatus.QUEUED,
    "queued": TaskStatus.QUEUED,
    "processing": TaskStatus.RUNNING,
    "running": TaskStatus.RUNNING,
    "completed": TaskStatus.SUCCEEDED,
    "succeeded": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
    # No cancel state is documented; accepted in case the gateway forwards one. [I]
    "canceled": TaskStatus.CANCELED,
    "cancelled": TaskStatus.CANCELED,
}
"""MuleRouter ``task_info.status`` -> common status; anything else -> UNKNOWN [I]."""

_TIME_KEYS = ("created_at", "updated_at")


@dataclass(frozen=True)
class MuleRouterFields:
    """Wire names where MuleRouter's docs conflict (section 3.2); defaults follow the public docs.

    The 2026 CLI build's variant is ``MuleRouterFields("images", "x", "orginal")``.
    """

    ref_images_field: str = "ref_images_url"
    """The body key for the reference images (``"ref_images_url"`` or ``"images"``)."""
    size_separator: str = "*"
    """Between width and height in ``size`` (``"*"`` -> ``1280*720``, ``"x"`` -> ``1280x720``)."""
    expand_mode_original: str = "original"
    """How ``expand_mode="original"`` is spelled on the wire (``"original"`` or ``"orginal"``)."""


class MuleRouter:
    """The MuleRouter adapter. ``base_url`` replaces ``https://api.mulerouter.ai`` (MuleRun's
    ``https://api.mulerun.com`` serves the same paths); ``fields`` picks the wire names."""

    name = NAME
    info = INFO
    unsupported_fields = UNSUPPORTED_FIELDS
    limits = INFO.limits
    console_url = INFO.console_url
    price_per_second: float | None = None  # not published (section 3.5)
    result_ttl_seconds = INFO.result_ttl_seconds

    def __init__(
        self,
        *,
        base_url: str | None = None,
        fields: MuleRouterFields | None = None,
        model: str = MODEL,
    ) -> None:
        self.base_url = normalise_base_url(base_url or DOCUMENTED_BASE)
        self.fields = fields or MuleRouterFields()
        self.model = model

    def __repr__(self) -> str:
        return f"MuleRouter(base_url={self.base_url!r}, model={self.model!r}, fields={self.fields})"

    @property
    def generation_url(self) -> str:
        """The create URL; a task's URL is this plus ``/{task_id}``."""
        return f"{self.base_url}/vendors/alibaba/v1/{path_segment(self.model)}/generation"

    # ---- requests -----------------------------------------------------------------------

    def submit_request(self, request: VaceRequest) -> HttpRequestSpec:
        """``POST .../generation`` with ``model`` and the API fields, renamed per ``fields``.

        Raises ``InvalidInputError`` for a local file or ``oss://`` URL in a media field, and
        for a field MuleRouter does not document (:data:`UNSUPPORTED_FIELDS`).
        """
        require_remote_media(
            request, provider=NAME, allow_oss=False, needs="a public http(s):// URL"
        )
        refuse_unsupported(request, unsupported=UNSUPPORTED_FIELDS, provider=NAME, label=LABEL)
        api = request.api_fields()
        body: dict[str, Any] = {"model": self.model}
        for key, value in api.items():
            body[self._wire_name(key)] = self._wire_value(key, value)
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        return HttpRequestSpec("POST", self.generation_url, headers, json=body)

    def _wire_name(self, key: str) -> str:
        return self.fields.ref_images_field if key == "ref_images_url" else key

    def _wire_value(self, key: str, value: Any) -> Any:
        if key == "size" and isinstance(value, str):
            return value.replace("*", self.fields.size_separator)
        if key == "expand_mode" and value == "original":
            return self.fields.expand_mode_original
        return value

    def poll_request(self, task_id: str) -> HttpRequestSpec:
        """``GET .../generation/{task_id}``."""
        url = f"{self.generation_url}/{path_segment(task_id)}"
        return HttpRequestSpec("GET", url, {"Accept": "application/json"})

    def cancel_request(self, task_id: str) -> HttpRequestSpec | None:
        """``None``: MuleRouter documents no cancel."""
        return None

    # ---- responses ----------------------------------------------------------------------

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        """The typed error for a non-2xx response.

        The body shape is undocumented, so it is read like the CLI does: ``detail``, then
        ``error``, then ``message``, then ``task_info.error`` (``{code, title, detail}``).
        """
        _, value = load_json(body)
        data = obj(value) or {}
        error = obj(data.get("error")) or {}
        task_error = obj((obj(data.get("task_info")) or {}).get("error")) or {}
        message = (
            first_text(data, "detail", "error", "message")
            or first_text(error, "message", "detail")
            or first_text(task_error, "detail", "title")
        )
        code = next(
            (
                found
                for source in (data, error, task_error)
                if (found := verbatim(source.get("code"))) is not None
            ),
            None,
        )
        kind = kind_for_alibaba_code(code) or kind_for_status(status)
        return error_from_parts(
            NAME,
            status,
            headers,
            body,
            kind=kind,
            code=code,
            message=message,
            request_id=verbatim(data.get("request_id")),
        )

    def _task_info(
        self, status: int, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        root = obj(success_json(NAME, status, headers, body, self.error))
        info = obj((root or {}).get("task_info"))
        if root is None or info is None:
            raise protocol_error(NAME, status, "a task_info object", body)
        return root, info

    def parse_submit(self, status: int, headers: Mapping[str, str], body: bytes) -> str:
        """``task_info.id`` of the HTTP 202 ``{"task_info": {"id", "status": "pending"}}``."""
        _, info = self._task_info(status, headers, body)
        task_id = verbatim(info.get("id"))
        if not task_id:
            raise protocol_error(NAME, status, "task_info.id", body)
        return task_id

    def parse_poll(
        self, task_id: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> TaskState:
        """``task_info.status``, ``task_info.error`` and the first of ``videos[]``."""
        root, info = self._task_info(status, headers, body)
        provider_status = text(info.get("status"))
        if provider_status is None:
            raise protocol_error(NAME, status, "task_info.status", body)
        found_id = verbatim(info.get("id")) or task_id
        if found_id != task_id:
            raise protocol_error(NAME, status, f"task {task_id!r}", body)
        common = STATUSES.get(provider_status.lower(), TaskStatus.UNKNOWN)
        videos = root.get("videos")
        urls = [v for v in videos if isinstance(v, str) and v] if isinstance(videos, list) else []
        if common is TaskStatus.SUCCEEDED and not urls:
            raise protocol_error(NAME, status, "a URL in videos[] for a completed task", body)
        error = obj(info.get("error")) or {}
        code = verbatim(error.get("code"))
        # ``detail`` is the readable sentence; ``title`` is kept in extra as well.
        message = first_text(error, "detail", "title")
        extra: dict[str, Any] = {
            k: v for k, v in info.items() if k not in {"id", "status", "error"}
        }
        for key in _TIME_KEYS:
            extra.pop(key, None)
        if (title := text(error.get("title"))) is not None:
            extra["error_title"] = title
        if len(urls) > 1:
            extra["videos"] = urls
        return TaskState(
            task_id=task_id,
            status=common,
            provider_status=provider_status,
            video_url=urls[0] if urls else None,
            error_code=code,
            error_message=message,
            times=times_from(info, _TIME_KEYS),
            extra=extra,
            error_kind=_failed_kind(code, message) if common is TaskStatus.FAILED else None,
            created_at=moment(info.get("created_at")),
            # [I] The last update of a processing task is taken as its move to running.
            started_at=moment(info.get("updated_at")) if common is TaskStatus.RUNNING else None,
            ended_at=moment(info.get("updated_at")) if common.is_terminal else None,
        )

    def parse_cancel(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """MuleRouter has no cancel; this only turns an error response into an exception."""
        if not is_success(status):
            raise self.error(status, headers, body)


def _failed_kind(code: str | None, message: str | None) -> ErrorKind | None:
    """A kind for a failed task when it carries an Alibaba code, in ``code`` or leading the
    message [I: MuleRouter's own codes (e.g. 3001) are not documented]."""
    kind = kind_for_alibaba_code(code)
    words = message.split(None, 1) if message else []
    if kind is None and words:
        kind = kind_for_alibaba_code(words[0].rstrip(":"))
    return kind
