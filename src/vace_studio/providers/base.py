"""The provider-neutral vocabulary every adapter speaks: HTTP request specs in, task states out.

Adapters are sans-I/O (like h11): they turn a request model into an :class:`HttpRequestSpec` and a
provider's raw HTTP response (status, headers, body bytes) into a :class:`TaskState` or a typed
:class:`~vace_studio.providers.errors.ProviderError`. The engine is the only layer that sends
anything; it also adds the ``Authorization`` header, so adapters never see an API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from vace_studio.providers.errors import ErrorKind
from vace_studio.providers.info import ProviderInfo, ProviderLimits

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

__all__ = [
    "HostedUploads",
    "HttpRequestSpec",
    "Provider",
    "ProviderInfo",
    "ProviderLimits",
    "TaskLister",
    "TaskState",
    "TaskStatus",
    "UploadCredential",
    "UploadSpec",
    "Usage",
]


@dataclass(frozen=True)
class HttpRequestSpec:
    """One HTTP request for the engine to send.

    ``url`` is absolute; ``headers`` never include ``Authorization`` (the engine adds the key);
    ``json`` is the JSON body or ``None`` for no body; ``params`` are query parameters.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    json: Any | None = None
    params: Mapping[str, str] | None = None


class TaskStatus(StrEnum):
    """Where a task is, in the same six words for every provider."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """True when polling should stop. UNKNOWN counts: the task is absent or expired."""
        return self not in (TaskStatus.QUEUED, TaskStatus.RUNNING)


@dataclass(frozen=True)
class Usage:
    """What the provider billed: seconds of video, number of videos, ratio class."""

    video_duration: float | None = None
    video_count: int | None = None
    video_ratio: str | None = None


@dataclass(frozen=True)
class TaskState:
    """A provider-neutral snapshot of one task.

    ``provider_status``, ``error_code``, ``error_message`` and ``times`` are the provider's own
    values, verbatim (``error_code`` as text even when the provider sends a number).
    ``error_kind`` classifies a failed task's error where the code is recognised (for example a
    DashScope ``DataInspectionFailed`` becomes :attr:`ErrorKind.MODERATION`), else ``None``.
    ``extra`` keeps the rest of what the provider said (``orig_prompt``, ``actual_prompt``,
    ``request_id``, ...).
    """

    task_id: str
    status: TaskStatus
    provider_status: str
    video_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    usage: Usage | None = None
    times: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    error_kind: ErrorKind | None = None
    created_at: float | None = None
    """When the provider created the task, as Unix seconds on the provider's clock (``None``
    where the provider does not say)."""
    started_at: float | None = None
    """When the task's run began (it left the provider's queue), as Unix seconds on the
    provider's clock; ``None`` while queued or where the provider does not say. Only its
    difference to :attr:`created_at` is used, so the provider's clock need not be ours."""
    ended_at: float | None = None
    """When a finished task ended, as Unix seconds on the provider's clock (result URLs expire
    counted from it); ``None`` while unfinished or where the provider does not say."""


class Provider(Protocol):
    """What the engine needs from a provider adapter. All methods are pure (no I/O).

    Optional abilities are protocols of their own, checked with ``isinstance``:
    :class:`TaskLister` and :class:`HostedUploads`.
    """

    @property
    def name(self) -> str:
        """The registered name (``"dashscope"``, ...): ``info.name``."""
        ...

    @property
    def info(self) -> ProviderInfo:
        """The provider's published facts (label, key variable, regions, run time, ...)."""
        ...

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]`` without a trailing slash; documented paths are appended."""
        ...

    @property
    def model(self) -> str:
        """The model id this provider is called with (``wan2.1-vace-plus``, ...)."""
        ...

    @property
    def limits(self) -> ProviderLimits:
        """Published rate and concurrency limits."""
        ...

    @property
    def price_per_second(self) -> float | None:
        """US dollars per output second, or ``None`` when unpublished."""
        ...

    @property
    def console_url(self) -> str:
        """Where a person sees the account's tasks and bills (linked when a person must act)."""
        ...

    @property
    def result_ttl_seconds(self) -> float | None:
        """How long a result URL stays valid, or ``None`` when unknown."""
        ...

    def submit_request(self, request: VaceRequest) -> HttpRequestSpec:
        """The HTTP request that creates a task; raises ``InvalidInputError`` before building it
        when a media field is still a local file or the provider cannot take a field."""
        ...

    def parse_submit(self, status: int, headers: Mapping[str, str], body: bytes) -> str:
        """The new task's id, or raises a ``ProviderError``."""
        ...

    def poll_request(self, task_id: str) -> HttpRequestSpec:
        """The HTTP request that fetches a task's state."""
        ...

    def parse_poll(
        self, task_id: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> TaskState:
        """The task's state, or raises a ``ProviderError``."""
        ...

    def cancel_request(self, task_id: str) -> HttpRequestSpec | None:
        """The HTTP request that cancels a task, or ``None`` when the provider has no cancel."""
        ...

    def parse_cancel(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """Returns when the cancel was accepted, or raises a ``ProviderError``."""
        ...


@runtime_checkable
class TaskLister(Protocol):
    """A provider that can list an account's tasks: how a submit whose answer was lost is matched
    to the task it created. Only DashScope can (the gateways cannot list)."""

    @property
    def list_max_range_seconds(self) -> float:
        """The widest window one list request may span (DashScope: 24 h)."""
        ...

    def list_between(
        self, start: float, end: float, *, page_no: int = 1, page_size: int = 100
    ) -> HttpRequestSpec:
        """List the model's tasks created in ``[start, end]`` (Unix seconds on the *provider's*
        clock); the adapter writes them in the provider's own zone and format. Raises
        ``ValueError`` for a window wider than :attr:`list_max_range_seconds`."""
        ...

    def parse_list(self, status: int, headers: Mapping[str, str], body: bytes) -> list[TaskState]:
        """One page of tasks (each with ``created_at`` where the provider gives it)."""
        ...


@dataclass(frozen=True)
class UploadSpec:
    """One multipart ``POST`` that stores a local file where the provider can read it.

    ``fields`` are the text parts in the order the host expects, sent before the file part
    named ``file_field``. ``authorize`` is true when the request goes to the provider's own API
    (the engine adds the key) and false for a storage host that is signed by ``fields``.
    """

    url: str
    fields: Mapping[str, str]
    filename: str
    authorize: bool
    file_field: str = "file"


class UploadCredential(Protocol):
    """What the engine reads of an upload credential (DashScope's ``getPolicy`` answer)."""

    @property
    def expire_in_seconds(self) -> float | None:
        """How long the credential may be reused, when the provider says."""
        ...

    @property
    def max_file_size_mb(self) -> float | None:
        """The largest file the credential accepts, when the provider says."""
        ...


@runtime_checkable
class HostedUploads(Protocol):
    """A provider that stores local files for its own tasks: DashScope's temporary ``oss://``
    storage (any input, 48 h) and Modellix's image upload. Elsewhere a person's own uploader
    is needed."""

    @property
    def upload_scope(self) -> str:
        """What an upload is bound to besides the account (DashScope: the model id): an
        uploaded file is reused only within the same scope."""
        ...

    @property
    def upload_ttl_seconds(self) -> float:
        """How long an uploaded file stays readable (an estimate where undocumented)."""
        ...

    def upload_refusal(self, kind: str, fmt: str | None, size: int | None) -> str | None:
        """Why the host cannot take a local file (``None``: it can), from what a probe of the
        file found: ``kind`` ``"image"`` or ``"video"``, ``fmt`` its container or image format
        (``"PNG"``, ``"MP4"``), ``size`` in bytes."""
        ...

    def upload_credential_request(self) -> HttpRequestSpec | None:
        """The request for a credential that signs the uploads of one submit, or ``None``
        when uploads need no credential but the key."""
        ...

    def parse_upload_credential(
        self, status: int, headers: Mapping[str, str], body: bytes
    ) -> UploadCredential:
        """The credential, or raises a ``ProviderError``."""
        ...

    def upload_spec(self, credential: UploadCredential | None, filename: str) -> UploadSpec:
        """The ``POST`` that stores a file under ``filename`` (a plain, unique name)."""
        ...

    def parse_upload(
        self, spec: UploadSpec, status: int, headers: Mapping[str, str], body: bytes
    ) -> str:
        """The URL a submit names the stored file by, or raises a ``ProviderError``."""
        ...
