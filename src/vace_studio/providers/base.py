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
from typing import Any, Protocol, runtime_checkable

from vace_studio.providers.errors import ErrorKind
from vace_studio.requests.base import VaceRequest


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
    ended_at: float | None = None
    """When a finished task ended, as Unix seconds on the provider's clock (result URLs expire
    counted from it); ``None`` while unfinished or where the provider does not say."""


@dataclass(frozen=True)
class ProviderLimits:
    """Published per-account limits; ``None`` means the provider publishes none."""

    submits_per_second: float | None = None
    max_concurrent: int | None = None
    polls_per_second: float | None = None
    requests_per_minute: float | None = None
    """All requests of one key together (submits, polls, lists, cancels), per minute."""


class Provider(Protocol):
    """What the engine needs from a provider adapter. All methods are pure (no I/O)."""

    @property
    def name(self) -> str:
        """``"dashscope"``, ``"modellix"`` or ``"mulerouter"``."""
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
