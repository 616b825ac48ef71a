"""Modellix: flat body, model in the URL, ``{"code": 0, "message", "data"}`` envelopes.

Reference: ``providers.md`` section 2. Submit ``POST /api/v1/alibaba/wan2.1-vace-plus/async``
(the documented path; the newest CLI posts without ``/async`` [I]); poll
``GET /api/v1/tasks/{id}``; no cancel. Media must be public http(s) URLs; images (not videos)
can be uploaded with ``POST /api/v1/media/files``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vace_studio.providers.base import (
    HttpRequestSpec,
    TaskState,
    TaskStatus,
    UploadCredential,
    UploadSpec,
)
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
    first_moment,
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
    whole,
)

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

NAME = "modellix"
LABEL = "Modellix"
DOCUMENTED_BASE = "https://api.modellix.ai"
API_PREFIX = "/api/v1"
MODEL = "wan2.1-vace-plus"
TASKS_PATH = f"{API_PREFIX}/tasks"
MEDIA_PATH = f"{API_PREFIX}/media/files"

MEDIA_UPLOAD_TYPES = ("image/png", "image/jpeg", "image/webp")
"""What ``POST /api/v1/media/files`` takes (multipart field ``file``); no video upload exists."""
MEDIA_UPLOAD_FORMATS = ("PNG", "JPEG", "MPO", "WEBP")
"""The same as image formats a probe names (MPO is a JPEG with extra frames, e.g. from phones)."""
MEDIA_UPLOAD_MAX_BYTES = 16 * 1024 * 1024
MEDIA_UPLOAD_TTL = 6 * 86_400.0
"""Modellix does not say how long uploads live; its result URLs live about 7 days."""

INFO = ProviderInfo(
    name=NAME,
    label=LABEL,
    key_env="MODELLIX_API_KEY",
    base_url_env="VACE_STUDIO_MODELLIX_BASE_URL",
    regions=(),
    # No submit limits are published (section 2.5); an archived overview lists 100 requests/min
    # per API key (providers.md §0).
    limits=ProviderLimits(requests_per_minute=100.0),
    typical_seconds=420.0,  # "processing 5-10 min" (section 2.2)
    # About 7 days per the newest plugin docs; an older version said 24 h (section 2.5).
    result_ttl_seconds=7 * 86_400.0,
    console_url="https://modellix.ai/",  # [I] the site; its console path is not documented
    lists_tasks=False,
    hosts_uploads=True,
)

UNSUPPORTED_FIELDS = frozenset({"strength", "watermark", "negative_prompt", "safety_filter"})
"""Request fields Modellix does not document (section 2.2): refused before anything is sent
[I: they may be accepted; sending unknown fields risks a 400 or a setting silently lost]. Every
other field is sent, flat."""

STATUSES: dict[str, TaskStatus] = {
    "pending": TaskStatus.QUEUED,
    "processing": TaskStatus.RUNNING,
    "success": TaskStatus.SUCCEEDED,
    # The CLI also accepts these spellings (section 2.3).
    "completed": TaskStatus.SUCCEEDED,
    "succeeded": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
    "error": TaskStatus.FAILED,
    # Not documented; the CLI accepts both spellings. [I]
    "canceled": TaskStatus.CANCELED,
    "cancelled": TaskStatus.CANCELED,
}
"""Modellix ``data.status`` -> common status; anything else -> UNKNOWN [I]."""

# [I] Not documented; read when present.
_TIME_KEYS = ("created_at", "updated_at", "started_at", "completed_at", "finished_at")
_CONSUMED = frozenset({"status", "task_id", "result", "resources", "error", *_TIME_KEYS})


class Modellix:
    """The Modellix adapter. ``base_url`` replaces ``https://api.modellix.ai``."""

    name = NAME
    info = INFO
    unsupported_fields = UNSUPPORTED_FIELDS
    limits = INFO.limits
    console_url = INFO.console_url
    price_per_second: float | None = None
    result_ttl_seconds = INFO.result_ttl_seconds
    upload_scope = "modellix-media"
    upload_ttl_seconds = MEDIA_UPLOAD_TTL

    def __init__(self, *, base_url: str | None = None, model: str = MODEL) -> None:
        self.base_url = normalise_base_url(base_url or DOCUMENTED_BASE, API_PREFIX)
        self.model = model

    def __repr__(self) -> str:
        return f"Modellix(base_url={self.base_url!r}, model={self.model!r})"

    # ---- requests -----------------------------------------------------------------------

    def submit_request(self, request: VaceRequest) -> HttpRequestSpec:
        """``POST /api/v1/alibaba/{model}/async`` with the API fields, flat.

        Raises ``InvalidInputError`` for a local file or ``oss://`` URL in a media field, and
        for a field Modellix does not document (:data:`UNSUPPORTED_FIELDS`).
        """
        require_remote_media(
            request, provider=NAME, allow_oss=False, needs="a public http(s):// URL"
        )
        refuse_unsupported(request, unsupported=UNSUPPORTED_FIELDS, provider=NAME, label=LABEL)
        fields = request.api_fields()
        url = f"{self.base_url}{API_PREFIX}/alibaba/{path_segment(self.model)}/async"
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        return HttpRequestSpec("POST", url, headers, json=fields)

    def poll_request(self, task_id: str) -> HttpRequestSpec:
        """``GET /api/v1/tasks/{task_id}``."""
        url = f"{self.base_url}{TASKS_PATH}/{path_segment(task_id)}"
        return HttpRequestSpec("GET", url, {"Accept": "application/json"})

    def cancel_request(self, task_id: str) -> HttpRequestSpec | None:
        """``None``: Modellix documents no cancel."""
        return None

    def media_upload_url(self) -> str:
        """Where to ``POST`` a multipart image upload (field ``file``; PNG/JPEG/WebP, 16 MiB)."""
        return self.base_url + MEDIA_PATH

    # ---- HostedUploads: the image upload ------------------------------------------------

    def upload_refusal(self, kind: str, fmt: str | None, size: int | None) -> str | None:
        """Why the image upload cannot take a file: a video, another format, over 16 MiB."""
        if kind == "video":
            return "modellix has no upload for local videos"
        if fmt not in MEDIA_UPLOAD_FORMATS:
            return (
                f"modellix's image upload takes PNG, JPEG or WebP, not {fmt} "
                "(save it as PNG or JPEG)"
            )
        if size is not None and size > MEDIA_UPLOAD_MAX_BYTES:
            return "modellix's image upload takes at most 16 MB"
        return None

    def upload_credential_request(self) -> HttpRequestSpec | None:
        """``None``: the key is all an upload needs."""
        return None

    def parse_upload_credential(
        self, status: int, headers: Mapping[str, str], body: bytes
    ) -> UploadCredential:
        raise protocol_error(NAME, status, "no credential request (Modellix has none)", body)

    def upload_spec(self, credential: UploadCredential | None, filename: str) -> UploadSpec:
        """``POST /api/v1/media/files`` with the key, the file in the ``file`` part."""
        return UploadSpec(self.media_upload_url(), {}, filename, authorize=True)

    def parse_upload(
        self, spec: UploadSpec, status: int, headers: Mapping[str, str], body: bytes
    ) -> str:
        return self.parse_media_upload(status, headers, body)

    # ---- responses ----------------------------------------------------------------------

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        """The typed error for a response carrying ``{"code"?, "message"}``."""
        _, value = load_json(body)
        data = obj(value) or {}
        nested = obj(data.get("error")) or {}
        code = verbatim(data.get("code"))
        if code is None:
            code = verbatim(nested.get("code"))
        message = first_text(data, "message", "error") or first_text(nested, "message")
        kind = kind_for_alibaba_code(code)
        if kind is None:
            kind = kind_for_status(status)
            if kind is ErrorKind.PROTOCOL and (as_int := whole(code)) is not None:
                # A 2xx envelope with a non-zero code: the code may be an HTTP-like status.
                kind = kind_for_status(as_int)
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

    def _data(self, status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """``data`` of a 2xx envelope whose ``code`` is 0 (or absent)."""
        root = obj(success_json(NAME, status, headers, body, self.error))
        if root is None:
            raise protocol_error(NAME, status, "a JSON object", body)
        code = root.get("code")
        if code is not None and whole(code) != 0:
            raise self.error(status, headers, body)
        data = obj(root.get("data"))
        if data is None:
            raise protocol_error(NAME, status, "a data object", body)
        return data

    def parse_submit(self, status: int, headers: Mapping[str, str], body: bytes) -> str:
        """``data.task_id`` of ``{"code": 0, "data": {"status": "pending", "task_id", ...}}``."""
        task_id = verbatim(self._data(status, headers, body).get("task_id"))
        if not task_id:
            raise protocol_error(NAME, status, "data.task_id", body)
        return task_id

    def parse_poll(
        self, task_id: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> TaskState:
        """``data.status`` and the video in ``data.result.resources`` (``data.resources``)."""
        data = self._data(status, headers, body)
        provider_status = text(data.get("status"))
        if provider_status is None:
            raise protocol_error(NAME, status, "data.status", body)
        found_id = verbatim(data.get("task_id")) or task_id
        if found_id != task_id:
            raise protocol_error(NAME, status, f"task {task_id!r}", body)
        common = STATUSES.get(provider_status.lower(), TaskStatus.UNKNOWN)
        video_url = _video_url(data)
        if common is TaskStatus.SUCCEEDED and video_url is None:
            raise protocol_error(NAME, status, "a video in data.result.resources", body)
        code, message = _task_error(data)
        if common is TaskStatus.FAILED and code is None and message is None:
            # Modellix no longer fills ``data.error`` (providers.md §0): say so, not nothing.
            message = NO_REASON
        return TaskState(
            task_id=task_id,
            status=common,
            provider_status=provider_status,
            video_url=video_url,
            error_code=code,
            error_message=message,
            times=times_from(data, _TIME_KEYS),
            extra={k: v for k, v in data.items() if k not in _CONSUMED},
            error_kind=kind_for_alibaba_code(code) if common is TaskStatus.FAILED else None,
            created_at=moment(data.get("created_at")),
            started_at=_started_at(data, common),
            ended_at=(
                first_moment(data, ("completed_at", "finished_at", "updated_at"))
                if common.is_terminal
                else None
            ),
        )

    def parse_cancel(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """Modellix has no cancel; this only turns an error response into an exception."""
        if not is_success(status):
            raise self.error(status, headers, body)

    def parse_media_upload(self, status: int, headers: Mapping[str, str], body: bytes) -> str:
        """The public URL in ``data.url`` of a media upload response."""
        url = text(self._data(status, headers, body).get("url"))
        if not url:
            raise protocol_error(NAME, status, "data.url", body)
        return url


def _started_at(data: Mapping[str, Any], status: TaskStatus) -> float | None:
    """When the run began: ``started_at`` where given, else ``updated_at`` while processing
    [I: undocumented; the last update of a running task is taken as its move to running]."""
    if (found := moment(data.get("started_at"))) is not None:
        return found
    return moment(data.get("updated_at")) if status is TaskStatus.RUNNING else None


def _video_url(data: Mapping[str, Any]) -> str | None:
    """The ``type == "video"`` resource's URL; else the first resource with a URL."""
    result = obj(data.get("result")) or {}
    resources = result.get("resources")
    if not isinstance(resources, list):
        resources = data.get("resources")
    if not isinstance(resources, list):
        return None
    fallback = None
    for resource in resources:
        if isinstance(resource, str):
            fallback = fallback or resource or None
            continue
        item = obj(resource) or {}
        url = text(item.get("url"))
        if not url:
            continue
        if item.get("type") == "video":
            return url
        fallback = fallback or url
    return fallback


NO_REASON = "failed, no reason given by Modellix"
"""The message of a failed task whose answer carried no error at all."""


def _task_error(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(code, message)`` of a failed task [I: the shape is not documented; try the likely
    ones: ``error`` as an object or text, then ``error_code``/``error_message``]."""
    error = data.get("error")
    nested = obj(error)
    if nested is not None:
        code = verbatim(nested.get("code"))
        return code, first_text(nested, "message", "detail", "msg")
    if isinstance(error, str):
        return verbatim(data.get("error_code")), error
    return verbatim(data.get("error_code")), text(data.get("error_message"))
