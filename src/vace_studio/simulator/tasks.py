"""The in-memory task registry and the lifecycle clock: queued → running → succeeded/failed.

Every provider's tasks live here with a provider-neutral status; the route modules translate it
to each provider's words. A task is visible only to the provider that created it and to the
account (API key) that submitted it, and is forgotten ``task_ttl`` seconds after submit.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from vace_studio.simulator.clock import Clock

Status = Literal["queued", "running", "succeeded", "failed", "canceled"]
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "canceled"})


def account_of(api_key: str) -> str:
    """A short, stable id for an API key; the key itself is never stored or shown."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:12]


def fingerprint(request: dict[str, Any]) -> str:
    """A digest of a validated request's API fields: equal requests, equal fingerprints."""
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Outcome:
    """How a task ended: a rendered video (``video_key``) or an error ``code`` and ``message``."""

    video_key: str | None = None
    width: int | None = None
    height: int | None = None
    code: str | None = None
    message: str | None = None


@dataclass
class Task:
    """One accepted request. Times are epoch seconds on the simulator clock."""

    id: str
    provider: str
    account: str
    model: str
    request: dict[str, Any]
    submitted_at: float
    media: tuple[str, ...] = ()
    """Every media reference of the request, in field order."""
    oss_resolve: bool = False
    failure: tuple[str, str] | None = None
    """A failure injected at creation: (code, message)."""
    status: Status = "queued"
    scheduled_at: float | None = None
    ended_at: float | None = None
    outcome: Outcome | None = None
    polls: int = 0
    """Status queries answered for this task (benchmarks compare clients by it)."""
    request_id: str = ""
    """The request id of the submit that created it (DashScope lists it)."""
    ignored: tuple[str, ...] = ()
    """Submitted fields the service did not use (another function's, undocumented, or knobs
    that do not apply)."""
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        self.fingerprint = fingerprint(self.request)

    @property
    def updated_at(self) -> float:
        """The time of the last status change."""
        return self.ended_at or self.scheduled_at or self.submitted_at

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def summary(self) -> dict[str, Any]:
        """What introspection shows of a task (no secrets).

        ``request`` is the request as the service used it: trimmed, ignored fields left out.
        """
        return {
            "id": self.id,
            "provider": self.provider,
            "account": self.account,
            "function": self.request.get("function"),
            "request": dict(self.request),
            "ignored": list(self.ignored),
            "fingerprint": self.fingerprint,
            "status": self.status,
            "submitted_at": self.submitted_at,
            "error_code": self.outcome.code if self.outcome else None,
            "polls": self.polls,
            "ended_at": self.ended_at,
        }


def new_task_id(provider: str) -> str:
    """A fresh id in the provider's format; DashScope and Modellix share ``/api/v1/tasks/{id}``
    and are told apart by it: DashScope and MuleRouter use UUIDs, Modellix ``task-<hex>``."""
    if provider == "modellix":
        return "task-" + uuid.uuid4().hex[:24]
    return str(uuid.uuid4())


class TaskRegistry:
    """All tasks, with per-(provider, account) counts of unfinished tasks and their peak."""

    def __init__(self, clock: Clock, task_ttl: float) -> None:
        self._clock = clock
        self._ttl = task_ttl
        self._tasks: dict[str, Task] = {}
        self._unfinished: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()
        self._created: Counter[str] = Counter()
        self._by_account: Counter[str] = Counter()
        self._fingerprints: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._purged_at = 0.0

    @staticmethod
    def _slot(task: Task) -> str:
        return f"{task.provider}:{task.account}"

    def add(self, task: Task) -> None:
        """Register a new task (queued)."""
        with self._lock:
            self._tasks[task.id] = task
            slot = self._slot(task)
            self._unfinished[slot] += 1
            self._peak[slot] = max(self._peak[slot], self._unfinished[slot])
            self._created[task.provider] += 1
            self._by_account[slot] += 1
            self._fingerprints[task.fingerprint] += 1

    def get(self, task_id: str, provider: str, account: str) -> Task | None:
        """The task, or ``None`` when it is unknown, expired, or another provider's or account's."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None or task.provider != provider or task.account != account:
                return None
            if self._clock.now() - task.submitted_at >= self._ttl:
                return None
            return task

    def unfinished(self, provider: str, account: str) -> int:
        """How many of ``account``'s tasks at ``provider`` are queued or running."""
        with self._lock:
            return self._unfinished[f"{provider}:{account}"]

    def of(self, provider: str, account: str) -> list[Task]:
        """``account``'s unexpired tasks at ``provider``, oldest first."""
        now = self._clock.now()
        with self._lock:
            return [
                t
                for t in self._tasks.values()
                if t.provider == provider
                and t.account == account
                and now - t.submitted_at < self._ttl
            ]

    def start(self, task: Task) -> bool:
        """queued → running; ``False`` when the task was canceled meanwhile."""
        with self._lock:
            if task.status != "queued":
                return False
            task.status = "running"
            task.scheduled_at = self._clock.now()
            return True

    def finish(self, task: Task, outcome: Outcome) -> None:
        """running → succeeded (outcome has a video) or failed."""
        with self._lock:
            if task.finished:
                return
            task.outcome = outcome
            task.status = "succeeded" if outcome.video_key else "failed"
            self._end(task)

    def cancel(self, task: Task) -> bool:
        """queued → canceled; ``False`` (nothing changes) for a task in any other state."""
        with self._lock:
            if task.status != "queued":
                return False
            task.status = "canceled"
            self._end(task)
            return True

    def _end(self, task: Task) -> None:
        task.ended_at = self._clock.now()
        # A task that outlived a reset must not push the fresh counts below zero.
        if self._tasks.get(task.id) is task:
            self._unfinished[self._slot(task)] -= 1

    def purge_expired(self) -> int:
        """Drop finished tasks past their ttl (unfinished ones are kept for the counts).

        Runs at most once a second: it scans every task, and submits call it.
        """
        if time.monotonic() - self._purged_at < 1.0:
            return 0
        self._purged_at = time.monotonic()
        now = self._clock.now()
        with self._lock:
            old = [
                t.id
                for t in self._tasks.values()
                if t.finished and now - t.submitted_at >= self._ttl
            ]
            for task_id in old:
                del self._tasks[task_id]
            return len(old)

    def snapshot(self) -> dict[str, Any]:
        """Counts for :class:`~vace_studio.simulator.stats.SimulatorStats`."""
        with self._lock:
            return {
                "tasks_created": dict(self._created),
                "tasks_by_account": dict(self._by_account),
                "fingerprints": dict(self._fingerprints),
                "unfinished": {k: v for k, v in self._unfinished.items() if v},
                "peak_unfinished": dict(self._peak),
            }

    def summaries(self) -> list[dict[str, Any]]:
        """Every task's :meth:`Task.summary`, oldest first."""
        with self._lock:
            return [t.summary() for t in self._tasks.values()]

    def clear(self) -> list[Task]:
        """Forget every task and count; returns the tasks so their drivers can be stopped."""
        with self._lock:
            tasks = list(self._tasks.values())
            self._tasks.clear()
            counters = (
                self._unfinished, self._peak, self._created, self._by_account, self._fingerprints
            )  # fmt: skip
            for counter in counters:
                counter.clear()
            return tasks


Produce = Callable[[Task], Awaitable[Outcome]]
"""Resolves a task's inputs and renders its video (or says why it cannot)."""


async def drive(
    task: Task,
    registry: TaskRegistry,
    queue_seconds: float,
    run_seconds: float,
    produce: Produce,
) -> None:
    """Move ``task`` through its lifecycle; it runs at least ``run_seconds`` and until rendered."""
    await asyncio.sleep(queue_seconds)
    if not registry.start(task):
        return  # canceled while queued
    started = time.monotonic()
    if task.failure is not None:
        outcome = Outcome(code=task.failure[0], message=task.failure[1])
    else:
        outcome = await produce(task)
    remaining = run_seconds - (time.monotonic() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)
    registry.finish(task, outcome)
