"""The engine's public face: :class:`Client`.

A client talks to one provider account. It validates a request, writes it to the store, queues
it, and hands it to the scheduler, which submits and polls without blocking the event loop. The
API key lives only in this object's memory (in its transport); ``repr`` hides it, nothing stores
it, and no log line or error message carries it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from vace_studio.engine import classroom
from vace_studio.engine.blocking import run_blocking
from vace_studio.engine.context import EngineContext
from vace_studio.engine.downloads import DEFAULT_CACHE_BYTES
from vace_studio.engine.embedded_simulator import own_settings
from vace_studio.engine.lifecycle import Lifecycle
from vace_studio.engine.pacing import PollPolicy, TaskTiming
from vace_studio.engine.paths import Paths, resolve_paths
from vace_studio.engine.reconcile import ReconcilePolicy
from vace_studio.engine.retry import RetryPolicy
from vace_studio.engine.scheduler import Scheduler
from vace_studio.engine.settings import Settings
from vace_studio.engine.status import (
    AT_PROVIDER,
    LOCAL_QUEUE,
    SETTLED_AFTER_SUBMIT,
    UNFINISHED,
    WITH_VIDEO,
)
from vace_studio.engine.store import TaskRecord
from vace_studio.engine.store_api import TaskStore, open_store, shared_url
from vace_studio.engine.task import Task, new_record
from vace_studio.engine.transport import DEFAULT_TIMEOUT, Transport
from vace_studio.engine.uploads import Uploader, Uploads
from vace_studio.providers import Provider, ProviderLimits, make_provider
from vace_studio.providers.submit_checks import check_accepts
from vace_studio.requests import Problem

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest

if TYPE_CHECKING:
    from vace_studio.engine.store_pg import PgStore

log = logging.getLogger("vace_studio")

_SIMULATED_SECONDS = 5.0
"""The embedded simulator's default clock (1 s queued + 4 s running); a provider's documented
run time is its ``info.typical_seconds``. Either is used until the store has learned better."""


class Client:
    """Submit wan2.1-vace-plus tasks to one provider and track them to a downloaded video.

    Parameters:
        provider: ``"dashscope"``, ``"modellix"``, ``"mulerouter"`` or ``"simulator"``. ``None``
            picks the provider whose key is set in the environment, else the simulator.
        api_key: the key (default: ``DASHSCOPE_API_KEY`` / ``MODELLIX_API_KEY`` /
            ``MULEROUTER_API_KEY``). Kept in memory only.
        base_url: replaces scheme, host and port of the provider's documented base URL (also
            ``VACE_STUDIO_<PROVIDER>_BASE_URL``); the documented paths follow it.
        region: ``"intl"`` (Singapore) or ``"cn"`` (Beijing), DashScope only.
        home: folder for the store and the video cache (default ``VACE_STUDIO_HOME`` or the
            platform's data folder).
        limits: override the provider's published limits (submits/s, concurrent, polls/s).
        poll_policy, retry, reconcile: timing policies; defaults suit the real services
            (``reconcile`` says how a submit whose answer was lost is looked for).
        uploader: your own upload for local files where the provider has none.
        simulator_config: settings for the embedded simulator (a ``SimulatorConfig``).
        announce: log the notice that says the simulator is in use (a UI that shows it itself
            passes ``False``); the notice stays in ``settings.notice``.
        store: a SQLite file (default ``<home>/tasks.sqlite3``) or a class's shared store,
            ``"postgresql://…"`` (default ``VACE_STUDIO_DB``): then this kernel enqueues and
            follows, and the worker holding the key (``vace-studio worker``) does the rest.
        person: whose tasks these are in a class store (default ``VACE_STUDIO_PERSON``).
        provider_options: passed to the adapter (e.g. ``fields=`` for MuleRouter).
    """

    def __init__(
        self,
        provider: str | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        region: str = "intl",
        home: str | Path | None = None,
        limits: ProviderLimits | None = None,
        poll_policy: PollPolicy | None = None,
        retry: RetryPolicy | None = None,
        reconcile: ReconcilePolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        uploader: Uploader | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        simulator_config: Any = None,
        announce: bool = True,
        store: str | Path | None = None,
        person: str | None = None,
        **provider_options: Any,
    ) -> None:
        self.paths: Paths = resolve_paths(home)
        url = shared_url(store)
        self.shared: PgStore | None = None
        self.person: str | None = None  # whose tasks these are, in a class store
        if url is None:
            settings = own_settings(provider, api_key, base_url, region, simulator_config)
            self.store: TaskStore = open_store(store, self.paths.store)
        else:
            self.shared, settings, self.person = classroom.join(url, api_key, person)
            self.store = self.shared
        if settings.notice and announce:
            log.warning("%s", settings.notice)
        self.settings: Settings = settings
        self.provider: Provider = make_provider(
            settings.protocol,
            region=settings.region,
            base_url=settings.base_url,
            **provider_options,
        )
        self.endpoint = self.provider.base_url
        self.cache_bytes = cache_bytes
        self.retry = retry or RetryPolicy()
        self.poll_policy = poll_policy or PollPolicy(
            default_expected=(
                _SIMULATED_SECONDS if settings.simulated else self.provider.info.typical_seconds
            )
        )
        self.owner = uuid.uuid4().hex
        self.timing = TaskTiming(self.store, self.endpoint, self.poll_policy)
        if self.shared is None:
            self.transport = Transport(settings.api_key, timeout=timeout)
            self.scheduler: Scheduler = Scheduler(limits or self.provider.limits)
        else:
            self.transport, self.scheduler = classroom.engine(
                self.shared, self.endpoint, self.paths
            )
        self.context = EngineContext(
            settings=settings,
            provider=self.provider,
            transport=self.transport,
            store=self.store,
            scheduler=self.scheduler,
            retry=self.retry,
            reconcile=reconcile or ReconcilePolicy(),
            paths=self.paths,
            owner=self.owner,
            cache_bytes=cache_bytes,
        )
        self.uploads = Uploads(self.context, uploader)
        self.lifecycle = (Lifecycle if self.shared is None else classroom.StudentLifecycle)(
            self.context,
            uploads=self.uploads,
            poll_delay=self.next_poll_delay,
            expected_total=self.timing.expected_total,
            new_task=self._new_task,
        )
        self.scheduler.attach(submit=self.lifecycle.submit, poll=self.lifecycle.poll)
        self._tasks: dict[str, Task] = {}
        self._task_observers: list[Callable[[Task], None]] = []

    def __repr__(self) -> str:
        where = "simulator" if self.settings.simulated else self.settings.provider
        return f"<vace_studio.Client {where} {self.endpoint} region={self.settings.region}>"

    # -- facts about this client -----------------------------------------------------------
    @property
    def provider_name(self) -> str:
        return self.settings.provider

    @property
    def simulated(self) -> bool:
        """True when tasks go to the built-in simulator (nothing is paid)."""
        return self.settings.simulated

    @property
    def has_key(self) -> bool:
        return self.transport.has_key

    def set_api_key(self, api_key: str) -> None:
        """Replace the key (kept in memory only), e.g. from the widget's password field."""
        self.transport.set_key(api_key)

    @property
    def tasks(self) -> list[Task]:
        """The tasks this client tracks, oldest first."""
        return list(self._tasks.values())

    def task(self, local_id: str) -> Task | None:
        return self._tasks.get(local_id)

    def estimate_cost(self, request: VaceRequest | Mapping[str, Any]) -> float | None:
        """US dollars one run of ``request`` costs (5 s of output), if the price is known.

        The built-in simulator costs nothing (0.0).
        """
        from vace_studio.requests import validate_request  # the models load on first use

        validate_request(request)
        if self.simulated:
            return 0.0
        price = self.provider.price_per_second
        return None if price is None else round(price * 5.0, 6)

    # -- submitting ------------------------------------------------------------------------
    def enqueue(
        self,
        request: VaceRequest | Mapping[str, Any],
        *,
        tags: Mapping[str, Any] | None = None,
        group_id: str | None = None,
    ) -> Task:
        """Validate ``request``, record it and queue it; returns at once with a waiting task.

        Must be called with an event loop running (a notebook, or inside ``async`` code).
        Raises :class:`~vace_studio.requests.InvalidRequest` before anything is recorded or sent.
        """
        model, warnings = self.inspect(request)
        size = getattr(model, "size", None)
        return self._new_task(
            model.api_fields(),
            {
                "group_id": group_id,
                "tags": {**dict(tags or {}), **({"size": size} if size else {})},
                "warnings": [w.to_json() for w in warnings],
            },
        )

    def _new_task(self, request: dict[str, Any], fields: dict[str, Any]) -> Task:
        """Record a validated request as a new waiting task, and queue it."""
        if self.shared is not None:  # the person's, with their local files in the store
            fields = classroom.class_fields(self.shared, self.person, request, fields)
        record = new_record(self.settings, self.endpoint, request, fields)
        self.store.insert(record)
        task = self._adopt(record)
        self.scheduler.ensure_running()
        self.scheduler.enqueue(task)
        return task

    def check(self, request: VaceRequest | Mapping[str, Any]) -> VaceRequest:
        """Every check :meth:`enqueue` makes, with nothing recorded or sent; returns the model.

        Raises :class:`~vace_studio.requests.InvalidRequest` (a documented rule, or a field this
        provider cannot take) or :class:`~vace_studio.engine.UploadError` (a local file this
        provider cannot receive). Media fields may also hold bytes, a PIL image or a NumPy
        array: they are saved as files under ``<home>/inputs`` first. What the service would
        trim or ignore is not an error: see :meth:`inspect`.
        """
        return self.inspect(request)[0]

    def inspect(
        self, request: VaceRequest | Mapping[str, Any]
    ) -> tuple[VaceRequest, list[Problem]]:
        """:meth:`check`, plus the warnings: what the service accepts but trims or ignores
        (a 6 s video of which it uses 5 s, ``expand_ratio`` with a fixed mask, ...), each naming
        the field, the rule, the value and the fix."""
        from vace_studio.requests import validate_request  # the models load on first use

        model = validate_request(self.uploads.materialize(request))
        warnings = [*model.warnings(), *self.uploads.check(model)]
        check_accepts(self.provider, model)
        return model, warnings

    async def submit(
        self,
        request: VaceRequest | Mapping[str, Any],
        *,
        tags: Mapping[str, Any] | None = None,
        group_id: str | None = None,
    ) -> Task:
        """Queue ``request`` and return once the provider accepted it (or refused it).

        The provider's task id is in the store before this returns. A task that had to wait
        for a free slot returns when it was submitted; a refused one comes back ``failed``
        with the provider's code and message.
        """
        task = self.enqueue(request, tags=tags, group_id=group_id)
        await _until(task, self._submit_settled)
        return task

    def _submit_settled(self, task: Task) -> bool:
        # A held queue is an outcome too: the caller must hear why nothing is being sent.
        return task.status in SETTLED_AFTER_SUBMIT or (
            task.status in LOCAL_QUEUE and self.scheduler.held is not None
        )

    @property
    def submissions_held(self) -> str | None:
        """Why submissions are paused (a billing, entitlement or quota refusal, with its fix),
        or ``None``. Waiting tasks keep their place until :meth:`resume_submissions`."""
        return self.scheduler.held

    def resume_submissions(self) -> None:
        """Submit the waiting tasks again after a person fixed what held them (topped up,
        enabled the model, switched key with :meth:`set_api_key`)."""
        self.scheduler.resume()

    def submit_sync(self, request: VaceRequest | Mapping[str, Any], **kwargs: Any) -> Task:
        """Blocking :meth:`submit` for scripts and notebook cells."""
        return run_blocking(self.submit(request, **kwargs))

    # -- resuming --------------------------------------------------------------------------
    async def resume(self) -> list[Task]:
        """Pick up this endpoint's unfinished tasks from the store (e.g. after a restart).

        Waiting tasks are queued again; submitted ones are polled; a submit whose outcome was
        lost is reconciled again; succeeded tasks whose video is missing are downloaded again.
        """
        self.scheduler.ensure_running()
        if self.shared is not None:  # the person's tasks in a class store; a worker does the rest
            found = classroom.to_follow(self.shared, self.endpoint, self.person or "", self.paths)
            tasks = [self._adopt(record) for record in found if record.id not in self._tasks]
            for task in tasks:
                self.scheduler.enqueue(task)
            return tasks
        resumed: list[Task] = []
        for record in self.store.select(statuses=UNFINISHED, endpoint=self.endpoint):
            if record.id in self._tasks:
                continue
            task = self._adopt(record)
            resumed.append(task)
            if task.status in LOCAL_QUEUE:
                self.scheduler.enqueue(task)
            elif task.status in AT_PROVIDER and record.task_id:
                self.scheduler.track(task, 0.0)
            else:  # submitting when the process died, reconciling, or uncertain
                self.scheduler.spawn(self.lifecycle.resume_lost(task))
        for record in self.store.select(statuses=WITH_VIDEO, endpoint=self.endpoint):
            # One stat per finished task, once per resume: not worth a thread hop.
            missing = record.local_path is None or not Path(record.local_path).is_file()  # noqa: ASYNC240
            if record.id not in self._tasks and record.video_url and missing:
                task = self._adopt(record)
                resumed.append(task)
                if record.url_expires_at is None or record.url_expires_at > time.time():
                    task.downloading = True
                    self.scheduler.spawn(self.lifecycle.download(task))
        return resumed

    def observe_tasks(self, callback: Callable[[Task], None]) -> Callable[[], None]:
        """Call ``callback(task)`` for every task this client starts tracking (new, resumed or
        re-run), whoever created it; returns a function that stops it."""
        self._task_observers.append(callback)
        return lambda: (
            self._task_observers.remove(callback) if callback in self._task_observers else None
        )

    def _adopt(self, record: TaskRecord) -> Task:
        task = Task(self.store, record, self.lifecycle)
        self._tasks[record.id] = task
        for callback in list(self._task_observers):
            try:
                callback(task)
            except Exception:  # an observer's bug must not stop a submission
                log.exception("task observer failed")
        return task

    def view(self, record: TaskRecord) -> Task:
        """A task for a stored record: the tracked one when this client tracks it, else a new
        untracked handle (e.g. for a history row from another endpoint)."""
        return self._tasks.get(record.id) or Task(self.store, record, self.lifecycle)

    # -- internals used by the scheduler ---------------------------------------------------
    def next_poll_delay(self, task: Task) -> float:
        return self.timing.poll_delay(task)

    def records(self, **filters: Any) -> list[TaskRecord]:
        """Every task record in the store (all endpoints), oldest first; see ``Store.select``.
        (``vace_studio.history()`` gives the same as a DataFrame.)"""
        return self.store.select(**filters)

    async def aclose(self) -> None:
        """Stop polling and close connections; unfinished tasks stay resumable."""
        await self.scheduler.aclose()
        await self.transport.aclose()

    def close(self) -> None:
        run_blocking(self.aclose())
        self.store.close()


async def _until(task: Task, done: Any) -> None:
    if done(task):
        return
    event = asyncio.Event()
    stop = task.observe(lambda t: event.set() if done(t) else None)
    try:
        await event.wait()
    finally:
        stop()
