"""A task the engine tracks: its durable record, observers, and ways to wait for it."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from vace_studio.engine.blocking import run_blocking
from vace_studio.engine.status import (
    ADOPTABLE,
    TERMINAL,
    UNFINISHED,
    WITH_VIDEO,
    Event,
    Status,
    after,
)
from vace_studio.engine.store import TaskRecord

if TYPE_CHECKING:
    from vace_studio.engine.settings import Settings
    from vace_studio.engine.store_api import TaskStore

log = logging.getLogger("vace_studio")

Observer = Callable[["Task"], None]


def new_record(
    settings: Settings, endpoint: str, request: dict[str, Any], fields: Mapping[str, Any]
) -> TaskRecord:
    """A new waiting task's record for a validated ``request`` (``fields``: further
    attributes: group, tags, warnings, person...)."""
    now = time.time()
    return TaskRecord(
        id=uuid.uuid4().hex,
        provider=settings.provider,
        protocol=settings.protocol,
        endpoint=endpoint,
        region=settings.region,
        function=str(request["function"]),
        request=request,
        status=Status.WAITING.value,
        created_at=now,
        updated_at=now,
        **fields,
    )


class TaskActions(Protocol):
    """What a task asks of the engine that tracks it (the client's lifecycle)."""

    async def cancel(self, task: Task) -> bool: ...

    async def adopt(self, task: Task, task_id: str) -> None: ...

    async def resubmit(self, task: Task) -> Task: ...


class TaskFailed(Exception):  # noqa: N818 — names an outcome, like asyncio.CancelledError
    """A task ended without a video; ``code`` and ``message`` are the provider's, verbatim."""

    def __init__(self, result: Result) -> None:
        self.result = result
        advice = f" — {result.advice}" if result.advice else ""
        super().__init__(
            f"task {result.task_id or result.local_id} {result.status}: "
            f"{result.error_code or 'no code'}: {result.error_message or 'no message'}{advice}"
        )


@dataclass(frozen=True)
class Result:
    """What a task produced, or where it stands (``advice``: what a person can do)."""

    local_id: str
    task_id: str | None
    status: str
    video_url: str | None
    video_path: Path | None
    url_expires_at: float | None
    usage: dict[str, Any] | None
    cost: float | None
    error_code: str | None
    error_message: str | None
    advice: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in WITH_VIDEO and self.video_path is not None


class Task:
    """A request handed to the engine: waiting locally, at the provider, or finished.

    ``record`` is the store's row, kept current by :meth:`commit`, the only way a task changes;
    ``status`` is a :class:`~vace_studio.engine.status.Status` (see that module for every status
    and move). ``position`` is the place in the local queue while waiting, ``downloading`` says
    the video is being fetched, ``last_error`` the latest passing trouble (a failed poll that
    will be retried, a throttle).
    """

    def __init__(self, store: TaskStore, record: TaskRecord, actions: TaskActions) -> None:
        self._store = store
        self._actions = actions
        self.record = record
        self.position: int | None = None
        self.eta: float | None = None
        """Seconds until a waiting task is likely submitted, where the engine can tell (a
        shared class queue); ``None`` otherwise."""
        self.downloading = False
        self.last_error: str | None = None
        self._observers: list[Observer] = []
        self._settled: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"<Task {self.local_id} {self.record.function} {self.status}>"

    @property
    def local_id(self) -> str:
        return self.record.id

    @property
    def task_id(self) -> str | None:
        """The provider's task id (``None`` until the provider accepted the task)."""
        return self.record.task_id

    @property
    def status(self) -> Status:
        return Status(self.record.status)

    @property
    def done(self) -> bool:
        """Finished, and the result video fetched (or its download given up)."""
        return self.status in TERMINAL and not self.downloading

    @property
    def needs_person(self) -> bool:
        """Only a person can take it further (adopt the provider's id, or submit again)."""
        return self.status in ADOPTABLE

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED

    @property
    def request(self) -> dict[str, Any]:
        return self.record.request

    # -- changing ---------------------------------------------------------------------------
    def commit(self, event: Event | None = None, /, **changes: Any) -> bool:
        """Change the task: the store first, then :attr:`record`, then the observers.

        With an ``event`` the status moves as the table in :mod:`~.status` says (a move it does
        not allow raises ``TransitionError``), and only if the stored status is still the one
        this record holds: when another kernel sharing the store moved it first, the record is
        refreshed from the store instead and ``False`` returned. A move into a terminal status
        stamps ``finished_at``.
        """
        rec = self.record
        changes.setdefault("updated_at", time.time())
        expect: str | None = None
        if event is not None:
            new = after(rec.status, event)
            changes["status"] = new.value
            expect = rec.status
            if new in TERMINAL and rec.finished_at is None:
                changes.setdefault("finished_at", changes["updated_at"])
        if not self._store.update(rec.id, expect_status=expect, **changes):
            fresh = self._store.get(rec.id)
            if fresh is not None:
                self.record = fresh
            self.notify()
            return False
        for key, value in changes.items():
            setattr(rec, key, value)
        self.notify()
        return True

    def observe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(task)`` after every change; returns a function that stops it."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback) if callback in self._observers else None

    def notify(self) -> None:
        """Tell the observers the task changed (also for ``position``/``last_error`` changes,
        which live in memory only)."""
        for callback in list(self._observers):
            try:
                callback(self)
            except Exception:  # an observer's bug must not stop the engine
                log.exception("task observer failed")
        if self._settled is not None and self._has_settled():
            self._settled.set()

    def _has_settled(self) -> bool:
        return self.done or self.needs_person

    # -- reading ----------------------------------------------------------------------------
    def result_now(self) -> Result:
        """The result as it stands (also for unfinished tasks)."""
        rec = self.record
        return Result(
            local_id=rec.id,
            task_id=rec.task_id,
            status=rec.status,
            video_url=rec.video_url,
            video_path=Path(rec.local_path) if rec.local_path else None,
            url_expires_at=rec.url_expires_at,
            usage=rec.usage,
            cost=rec.cost,
            error_code=rec.error_code,
            error_message=rec.error_message,
            advice=rec.advice,
            warnings=tuple(str(w.get("message", "")) for w in rec.warnings),
        )

    async def wait(self, timeout: float | None = None, *, raise_on_error: bool = False) -> Result:
        """Wait until the task is finished and its video downloaded — or until only a person
        can take it further (``needs_person``: its submit's outcome is unknown).

        Raises :class:`TimeoutError` after ``timeout`` seconds (the task keeps running), and with
        ``raise_on_error`` a :class:`TaskFailed` when it ended without a video.
        """
        if not self._has_settled():
            self._settled = self._settled or asyncio.Event()
            self._settled.clear()
            if self._has_settled():
                self._settled.set()
            await asyncio.wait_for(self._settled.wait(), timeout)
        result = self.result_now()
        if raise_on_error and not result.ok:
            raise TaskFailed(result)
        return result

    def result(self, timeout: float | None = None) -> Result:
        """Blocking :meth:`wait` for a notebook cell or a script."""
        return run_blocking(self.wait(timeout, raise_on_error=False))

    # -- a person's actions -----------------------------------------------------------------
    async def cancel(self) -> bool:
        """Cancel the task: a waiting one locally, a queued one at the provider where possible.

        Returns whether it was canceled (providers only cancel tasks still queued).
        """
        return await self._actions.cancel(self)

    async def adopt(self, task_id: str) -> None:
        """Say which provider task the lost submit created (pasted from the provider's console);
        the task is then polled like any other. Only for a task that ``needs_person``."""
        await self._actions.adopt(self, task_id)

    async def resubmit(self) -> Task:
        """Submit this request again as a new task, accepting that the lost submit may also have
        created one (and been charged). The new task's ``record.replaces`` names this one; this
        one ends ``replaced``. Only for a task that ``needs_person``."""
        return await self._actions.resubmit(self)

    def adopt_sync(self, task_id: str) -> None:
        """Blocking :meth:`adopt`."""
        run_blocking(self.adopt(task_id))

    def resubmit_sync(self) -> Task:
        """Blocking :meth:`resubmit`."""
        return run_blocking(self.resubmit())
