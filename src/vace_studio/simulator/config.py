"""Settings of the simulator: its clock, quotas, limits and the faults it injects.

All settings are frozen dataclasses; change them with :func:`dataclasses.replace`. Faults can also
be changed while the simulator runs (``handle.set_faults(...)`` or ``POST /_simulator/faults``).
"""

from __future__ import annotations

import dataclasses
import random
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

from vace_studio.simulator.billing import check_names

PROVIDERS = ("dashscope", "modellix", "mulerouter")
"""The providers the simulator plays."""

Provider = Literal["dashscope", "modellix", "mulerouter"]

ROUTE_KINDS = ("submit", "poll", "cancel", "list", "upload", "download")
"""Kinds of route a fault can target: ``upload`` covers upload policies, OSS form posts and
Modellix media uploads; ``download`` covers result videos and uploaded media served back."""


class Renderer(Protocol):
    """``render_task(request, inputs, *, out_path_or_file)``: writes the MP4 of a request.

    ``request`` holds the validated request's API fields; ``inputs`` maps each of its media
    references to a local file. For unusable inputs it raises an exception with ``code`` and
    ``message`` attributes (``RenderError``); it may return an object with ``width`` and
    ``height`` (``RenderInfo``).
    """

    def __call__(
        self, request: Mapping[str, Any], inputs: Mapping[str, str], *, out_path_or_file: Path
    ) -> object: ...


MiB = 1024 * 1024


@dataclass(frozen=True)
class QuotaConfig:
    """Per-API-key limits of one provider; ``None`` means unlimited.

    - ``submits_per_second``: submits accepted in any sliding one-second window.
    - ``max_unfinished``: tasks that may be queued or running at once.
    - ``polls_per_second``: task queries (poll, list, cancel) in any sliding one-second window.
    """

    submits_per_second: int | None = None
    max_unfinished: int | None = None
    polls_per_second: int | None = None


DASHSCOPE_QUOTA = QuotaConfig(submits_per_second=2, max_unfinished=2, polls_per_second=20)
"""DashScope's published limits for wan2.1-vace-plus (reference 1.6): 2 submits/s, 2 concurrent
tasks and 20 task queries/s per account."""


def _default_quotas() -> Mapping[str, QuotaConfig]:
    return MappingProxyType({"dashscope": DASHSCOPE_QUOTA})


@dataclass(frozen=True)
class FaultConfig:
    """Faults injected into responses, each a probability in [0, 1] per matching request.

    For each request that matches ``routes`` and ``providers`` the simulator draws one number from
    a RNG seeded with ``seed`` and picks at most one of: ``drop_before_rate`` (close the connection
    without answering; a submit creates no task), ``drop_after_rate`` (handle the request, then
    close the connection without answering; a submit DID create its task — the case a client must
    not turn into a duplicate), ``throttle_rate`` (429 in the provider's shape with
    ``Retry-After: retry_after``), ``server_error_rate`` (``server_error_status`` in the provider's
    shape), ``server_error_after_rate`` (handle the request — a submit DID create its task —
    then answer ``server_error_status`` in the provider's shape), ``malformed_rate`` (handle the
    request, then answer 200 with a truncated JSON body; JSON routes only). Independently,
    ``slow_rate`` delays the answer by ``slow_seconds``.

    ``task_failure_rate`` applies to tasks as they are created (at the ``providers`` listed;
    ``routes`` does not matter): such a task ends FAILED with ``task_failure_code`` /
    ``task_failure_message`` instead of succeeding.

    ``billing`` is not a roll but an account state: ``{provider: refusal}`` refuses every submit
    to that provider until it is cleared, with the documented code (names in
    :data:`vace_studio.simulator.billing.REFUSALS`: DashScope ``PrepaidBillOverdue``,
    ``PostpaidBillOverdue``, ``CommodityNotPurchased``, ``Throttling.AllocationQuota`` (429, "Free
    allocated quota exceeded.") and ``Arrearage`` (400); Modellix ``quota_exceeded`` (429),
    ``insufficient_balance`` (402); MuleRouter ``daily_spend_limit``, ``quota_exceeded`` (429),
    ``insufficient_balance`` (402)). ``billing_accounts`` limits it to those account ids
    (:func:`~vace_studio.simulator.tasks.account_of` of a key); empty means every account.
    ``routes`` and ``providers`` do not narrow it.
    """

    seed: int = 0
    drop_before_rate: float = 0.0
    drop_after_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after: float = 1.0
    server_error_rate: float = 0.0
    server_error_status: int = 500
    server_error_after_rate: float = 0.0
    malformed_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    task_failure_rate: float = 0.0
    task_failure_code: str = "DataInspectionFailed"
    task_failure_message: str = "Output data may contain inappropriate content."
    routes: frozenset[str] = frozenset(ROUTE_KINDS)
    providers: frozenset[str] = frozenset(PROVIDERS)
    # A plain dict kept out of the hash: the config stays hashable, and asdict() copies it.
    billing: Mapping[str, str] = field(default_factory=dict, hash=False)
    billing_accounts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in (
            "drop_before_rate",
            "drop_after_rate",
            "throttle_rate",
            "server_error_rate",
            "server_error_after_rate",
            "malformed_rate",
            "slow_rate",
            "task_failure_rate",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}: must be between 0 and 1 (got {value!r})")
        exclusive = (
            self.drop_before_rate
            + self.drop_after_rate
            + self.throttle_rate
            + self.server_error_rate
            + self.server_error_after_rate
            + self.malformed_rate
        )
        if exclusive > 1.0 + 1e-9:
            raise ValueError(f"the drop, throttle, 5xx and malformed rates add up to {exclusive}")
        if not 500 <= self.server_error_status <= 599:
            raise ValueError(
                f"server_error_status: must be a 5xx status (got {self.server_error_status})"
            )
        # Accept any iterable of names (JSON gives lists); frozensets keep the config hashable.
        object.__setattr__(self, "routes", frozenset(self.routes))
        object.__setattr__(self, "providers", frozenset(self.providers))
        object.__setattr__(self, "billing_accounts", frozenset(self.billing_accounts))
        if not isinstance(self.billing, Mapping):
            raise ValueError(f"billing: must map providers to refusals (got {self.billing!r})")
        object.__setattr__(self, "billing", dict(self.billing))
        check_names(dict(self.billing))
        unknown = (self.routes - set(ROUTE_KINDS)) | (self.providers - set(PROVIDERS))
        if unknown:
            raise ValueError(f"unknown route kinds or providers: {sorted(unknown)}")

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON-ready data (what ``GET /_simulator/faults`` answers)."""
        data = dataclasses.asdict(self)
        data["routes"] = sorted(self.routes)
        data["providers"] = sorted(self.providers)
        data["billing_accounts"] = sorted(self.billing_accounts)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Build from JSON data; unknown keys raise ``ValueError``, missing keys take defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        return cls(**dict(data))


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulator behaves. Defaults suit a demo; tests shorten the clock.

    - ``queue_seconds`` / ``run_seconds``: time a task spends queued, then running (a task also
      runs until its video is rendered).
    - ``duration_jitter``: each task's queue and run times vary by up to this fraction either way
      (seeded by its id), as real tasks do; 0 keeps them exact.
    - ``api_keys``: accepted keys, or ``None`` to accept the simulator's secret and keys derived
      from it (``handle.key(account)``; see :mod:`vace_studio.simulator.owner`). Each key is its
      own account for quotas and task visibility.
    - ``quotas``: per-provider :class:`QuotaConfig`; providers not listed are unlimited.
    - ``faults``: the initial :class:`FaultConfig`.
    - ``result_ttl``: seconds a result URL stays valid (signed ``Expires``), default 24 h.
    - ``task_ttl``: seconds a task id stays known after submit, default 24 h.
    - ``upload_ttl``: seconds a temporary ``oss://`` upload stays usable, default 48 h.
    - ``max_body_bytes``: cap on JSON request bodies; ``max_upload_bytes`` on DashScope temporary
      uploads; ``max_media_bytes`` on Modellix media uploads (16 MiB there).
    - ``render_workers``: threads rendering videos.
    - ``allow_local_files``: resolve ``file://`` URLs and local paths named in requests — only
      files inside ``input_roots``; others fail the task like an unreachable URL.
    - ``input_roots``: the folders local inputs may come from (symlinks and ``..`` are resolved
      before the check). Empty by default: another local user must not be able to have the
      simulator read its owner's files. The engine's embedded simulator adds its input store.
    - ``allow_remote_fetch``: fetch http(s) inputs that are not on loopback (off: the simulator is
      offline, so such inputs fail the task like an unreachable URL does on the service).
    - ``fetch_timeout``: seconds allowed to fetch one http input.
    - ``data_dir``: where uploads and results live; a fresh temporary directory when ``None``
      (removed on stop).
    - ``renderer``: the function that makes the MP4s; ``None`` uses
      ``vace_studio.simulator.render.render_task``.
    - ``list_lag_seconds``: DashScope's task list is eventually consistent; a task submitted less
      than this long ago is not listed yet (polling it by id works at once).
    - ``clock_skew_seconds``: how far the service's wall clock is ahead of this machine's
      (negative: behind). It shifts every timestamp, the list's time filter, result URL expiry
      and the ``Date`` header, as a real service's clock differs from the client's.
    """

    queue_seconds: float = 1.0
    run_seconds: float = 4.0
    duration_jitter: float = 0.0
    api_keys: Collection[str] | None = None
    quotas: Mapping[str, QuotaConfig] = field(default_factory=_default_quotas)
    faults: FaultConfig = field(default_factory=FaultConfig)
    result_ttl: float = 24 * 3600.0
    task_ttl: float = 24 * 3600.0
    upload_ttl: float = 48 * 3600.0
    max_body_bytes: int = 1 * MiB
    max_upload_bytes: int = 100 * MiB
    max_media_bytes: int = 16 * MiB
    render_workers: int = 2
    allow_local_files: bool = True
    input_roots: Collection[Path] = ()
    allow_remote_fetch: bool = False
    fetch_timeout: float = 10.0
    data_dir: Path | None = None
    renderer: Renderer | None = None
    list_lag_seconds: float = 1.0
    clock_skew_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.list_lag_seconds < 0:
            raise ValueError(
                f"list_lag_seconds: must not be negative (got {self.list_lag_seconds})"
            )
        if not 0.0 <= self.duration_jitter < 1.0:
            raise ValueError(f"duration_jitter: must be in [0, 1) (got {self.duration_jitter})")
        if self.queue_seconds < 0 or self.run_seconds < 0:
            raise ValueError("queue_seconds and run_seconds must not be negative")
        if self.render_workers < 1:
            raise ValueError(f"render_workers: must be at least 1 (got {self.render_workers})")
        if self.api_keys is not None:
            object.__setattr__(self, "api_keys", frozenset(self.api_keys))
        if isinstance(self.input_roots, str | Path):
            raise ValueError(f"input_roots: must be a list of folders (got {self.input_roots!r})")
        object.__setattr__(self, "input_roots", tuple(Path(r) for r in self.input_roots))
        unknown = set(self.quotas) - set(PROVIDERS)
        if unknown:
            raise ValueError(f"quotas: unknown providers {sorted(unknown)}")

    def durations(self, task_id: str) -> tuple[float, float]:
        """(queue, run) seconds for one task, jittered by ``duration_jitter``."""
        if not self.duration_jitter:
            return self.queue_seconds, self.run_seconds
        rng = random.Random(zlib.crc32(task_id.encode()))
        spread = self.duration_jitter
        return (
            self.queue_seconds * (1 + rng.uniform(-spread, spread)),
            self.run_seconds * (1 + rng.uniform(-spread, spread)),
        )

    def quota(self, provider: str) -> QuotaConfig:
        """The quota of ``provider`` (unlimited when not configured)."""
        return self.quotas.get(provider, QuotaConfig())
