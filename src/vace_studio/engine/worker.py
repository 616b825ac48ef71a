"""The key-holder: ``vace-studio worker --db postgresql://…`` submits, polls and downloads the
tasks a class enqueues in the shared store.

Only this process has the provider's key (from its environment, in memory only, as in
:class:`~vace_studio.engine.Client`). Students' kernels write validated requests to the store
and read state and videos back; they never talk to the provider. Several workers may run on
several machines: they share the account's limits through the store
(:mod:`~vace_studio.engine.shared_queue`), and when one dies, another takes over its tasks once
its heartbeat is stale — resuming each the way a restarted kernel does, so nothing is lost and
no paid submit is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import httpx

from vace_studio.engine.context import EngineContext
from vace_studio.engine.downloads import DEFAULT_CACHE_BYTES
from vace_studio.engine.embedded_simulator import own_settings
from vace_studio.engine.pacing import PollPolicy, TaskTiming
from vace_studio.engine.paths import resolve_paths
from vace_studio.engine.reconcile import ReconcilePolicy
from vace_studio.engine.retry import RetryPolicy
from vace_studio.engine.shared_queue import Account, SharedQueue
from vace_studio.engine.status import AT_PROVIDER, WITH_VIDEO
from vace_studio.engine.store import TaskRecord
from vace_studio.engine.store_pg import PgStore
from vace_studio.engine.task import Task, new_record
from vace_studio.engine.transport import DEFAULT_TIMEOUT, Transport
from vace_studio.engine.uploads import Uploads
from vace_studio.engine.worker_lifecycle import WorkerLifecycle
from vace_studio.engine.worker_scheduler import SharedScheduler
from vace_studio.providers import ProviderLimits, make_provider

log = logging.getLogger("vace_studio")


class Worker:
    """Serve one provider account's share of a class store until :meth:`stop`.

    Parameters are :class:`~vace_studio.engine.Client`'s (the key from the environment by
    default), plus ``db`` (the store's URL), ``heartbeat`` (seconds between "still alive"
    stamps and looks for orphaned tasks) and ``lease`` (seconds after the last heartbeat at
    which another worker takes this one's tasks over).
    """

    def __init__(
        self,
        db: str,
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
        heartbeat: float = 2.0,
        lease: float = 10.0,
        look_every: float = 0.25,
        simulator_config: Any = None,
        worker_id: str | None = None,
    ) -> None:
        settings = own_settings(provider, api_key, base_url, region, simulator_config)
        self.settings = settings
        self.provider = make_provider(
            settings.protocol, region=settings.region, base_url=settings.base_url
        )
        self.endpoint = self.provider.base_url
        self.paths = resolve_paths(home)
        self.store = PgStore(db)
        self.queue = SharedQueue(self.store, self.endpoint)
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.heartbeat_every = heartbeat
        self.lease = lease
        self.limits = limits or self.provider.limits
        self.poll_policy = poll_policy or PollPolicy(
            default_expected=self.provider.info.typical_seconds
        )
        self.timing = TaskTiming(self.store, self.endpoint, self.poll_policy)
        self.transport = Transport(settings.api_key, timeout=timeout)
        self.scheduler = SharedScheduler(
            self.limits,
            self.queue,
            self.id,
            make_task=self._task,
            ghost_seconds=self._ghost_seconds,
            look_every=look_every,
        )
        self.context = EngineContext(
            settings=settings,
            provider=self.provider,
            transport=self.transport,
            store=self.store,
            scheduler=self.scheduler,
            retry=retry or RetryPolicy(),
            reconcile=reconcile or ReconcilePolicy(),
            paths=self.paths,
            owner=self.id,
            cache_bytes=DEFAULT_CACHE_BYTES,
        )
        self.lifecycle = WorkerLifecycle(
            self.context,
            uploads=Uploads(self.context),
            poll_delay=self.timing.poll_delay,
            expected_total=self.timing.expected_total,
            new_task=self._new_task,
            queue=self.queue,
            store=self.store,
        )
        self.scheduler.attach(submit=self.lifecycle.send, poll=self.lifecycle.poll)
        self.tasks: dict[str, Task] = {}
        self._stop = asyncio.Event()

    def __repr__(self) -> str:
        return f"<vace_studio Worker {self.id} {self.endpoint} store={self.store.path}>"

    def account(self) -> Account:
        """What the class is told about this account (never the key)."""
        return Account(
            endpoint=self.endpoint,
            provider=self.settings.provider,
            protocol=self.settings.protocol,
            region=self.settings.region,
            simulated=self.settings.simulated,
            submits_per_second=self.limits.submits_per_second,
            max_concurrent=self.limits.max_concurrent,
            typical_seconds=self.poll_policy.default_expected,
            price_per_second=None if self.settings.simulated else self.provider.price_per_second,
        )

    # -- tasks ------------------------------------------------------------------------------
    def _task(self, record: TaskRecord) -> Task:
        task = self.tasks.get(record.id)
        if task is None:
            task = self.tasks[record.id] = Task(self.store, record, self.lifecycle)
        else:
            task.record = record
        return task

    def _new_task(self, request: dict[str, Any], fields: dict[str, Any]) -> Task:
        record = new_record(self.settings, self.endpoint, request, fields)
        self.store.insert(record)
        return self._task(record)

    def _ghost_seconds(self) -> float:
        return self.poll_policy.default_expected

    def _adopt_orphan(self, record: TaskRecord) -> None:
        task = self._task(record)
        if task.status in AT_PROVIDER and record.task_id:
            self.scheduler.track(task, 0.0)
        elif task.status in WITH_VIDEO:
            task.downloading = True
            self.scheduler.spawn(self.lifecycle.download(task))
        else:  # submitting (its worker died mid-submit), reconciling or uncertain
            self.scheduler.spawn(self.lifecycle.take_over(task))

    # -- running ----------------------------------------------------------------------------
    def beat(self) -> None:
        """One heartbeat: stay alive, follow the account's hold, cancel what students asked to,
        poll again any of its own tasks an error dropped, take over orphaned tasks."""
        self.queue.heartbeat(self.id, socket.gethostname(), self.lease)
        self.scheduler.share_polls(self.queue.live_workers())
        account = self.queue.account()
        self.scheduler.sync_hold(account.held if account else None)
        for local_id in [i for i, task in self.tasks.items() if task.done]:
            del self.tasks[local_id]  # finished here; the store keeps it
        for record in self.queue.cancel_requests(self.id):
            self.scheduler.spawn(self.lifecycle.cancel_asked(self._task(record)))
        for record in self.queue.held_by(self.id):
            mine = self.tasks.get(record.id)
            if mine is None or mine not in self.scheduler.active:
                # Its poll was lost to an error (the database away for a moment): poll again.
                self._adopt_orphan(record)
        for record in self.queue.take_over(self.id):
            log.info("worker %s takes over task %s (%s)", self.id, record.id, record.status)
            self._adopt_orphan(record)

    async def run(self) -> None:
        """Serve until :meth:`stop` (or cancellation); a clean stop hands tasks over at once."""
        self.queue.register(self.account())
        self.beat()
        self.scheduler.ensure_running()
        try:
            while not self._stop.is_set():
                try:
                    async with asyncio.timeout(self.heartbeat_every):
                        await self._stop.wait()
                except TimeoutError:
                    pass
                try:
                    self.beat()
                except Exception:  # the database is away for a moment: keep serving
                    log.exception("worker heartbeat failed")
        finally:
            await self.scheduler.aclose()
            await self.transport.aclose()
            self.queue.retire(self.id)

    def stop(self) -> None:
        """End :meth:`run` (also before it started: it then returns at once)."""
        self._stop.set()

    def close(self) -> None:
        self.store.close()
