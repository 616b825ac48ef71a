"""Where a sweep stands: counts, an ETA learned from finished tasks, and per-cell results."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vace_studio.engine import Result, Task
from vace_studio.engine.status import LOCAL_QUEUE, WITH_VIDEO, Status


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands.

    ``done`` = ``succeeded`` + ``failed`` (failed, canceled or lost); ``active`` are at the
    provider (being submitted, queued or running); ``downloading`` have finished there and their
    video is being fetched; ``waiting`` are in the local queue. ``eta`` is seconds until all are
    done, estimated from the durations of finished tasks and the provider's concurrency
    (``None`` until a task has finished). ``cost`` sums the cost the store recorded so far.
    """

    total: int
    done: int
    succeeded: int
    failed: int
    active: int
    downloading: int
    waiting: int
    elapsed: float
    eta: float | None
    cost: float

    @property
    def counts(self) -> tuple[int, ...]:
        """``(done, succeeded, active, downloading, waiting)``: changes when the counts do."""
        return (self.done, self.succeeded, self.active, self.downloading, self.waiting)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def __str__(self) -> str:
        parts = [f"{self.done}/{self.total} done"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.active:
            parts.append(f"{self.active} running")
        if self.downloading:
            parts.append(f"{self.downloading} downloading")
        if self.waiting:
            parts.append(f"{self.waiting} waiting")
        if self.done < self.total:
            parts.append("ETA unknown" if self.eta is None else f"ETA {_duration(self.eta)}")
        else:
            parts.append(f"took {_duration(self.elapsed)}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "done": self.done,
            Status.SUCCEEDED.value: self.succeeded,
            Status.FAILED.value: self.failed,
            "active": self.active,
            "downloading": self.downloading,
            Status.WAITING.value: self.waiting,
            "elapsed": round(self.elapsed, 3),
            "eta": None if self.eta is None else round(self.eta, 3),
            "cost": self.cost,
            "fraction": self.fraction,
            "text": str(self),
        }


@dataclass(frozen=True)
class SweepResult:
    """One cell's outcome: its index and labels, and the task's :class:`Result`."""

    index: int
    labels: dict[str, Any]
    result: Result

    @property
    def ok(self) -> bool:
        return self.result.ok

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "index": self.index,
            "labels": self.labels,
            "local_id": r.local_id,
            "task_id": r.task_id,
            "status": r.status,
            "video_path": None if r.video_path is None else str(r.video_path),
            "video_url": r.video_url,
            "usage": r.usage,
            "cost": r.cost,
            "error_code": r.error_code,
            "error_message": r.error_message,
        }


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def measure(tasks: Sequence[Task], *, started: float, slots: int | None) -> SweepProgress:
    """The progress of ``tasks`` now; ``slots`` is how many the provider runs at once."""
    now = time.time()
    records = [t.record for t in tasks]
    done = [t for t in tasks if t.done]
    succeeded = sum(t.status in WITH_VIDEO for t in done)
    waiting = sum(t.status in LOCAL_QUEUE for t in tasks)
    downloading = sum(t.downloading for t in tasks)
    durations = [
        r.finished_at - r.submitted_at
        for r in records
        if r.status in WITH_VIDEO and r.finished_at and r.submitted_at
    ]
    costs = [r.cost for r in records if r.cost is not None]
    return SweepProgress(
        total=len(tasks),
        done=len(done),
        succeeded=succeeded,
        failed=len(done) - succeeded,
        active=len(tasks) - len(done) - waiting - downloading,
        downloading=downloading,
        waiting=waiting,
        elapsed=now - started,
        eta=_eta([t for t in tasks if not t.done], durations, now, slots),
        cost=round(sum(costs), 6),
    )


def _eta(left: list[Task], durations: list[float], now: float, slots: int | None) -> float | None:
    if not left:
        return 0.0
    if not durations:
        return None
    typical = statistics.median(durations)
    # Submitted tasks need what is left of a typical run; queued ones a whole run each, shared
    # out over the slots the provider allows at once.
    remaining = [
        max(0.0, typical - (now - t.record.submitted_at))
        for t in left
        if t.record.submitted_at is not None
    ]
    queued = len(left) - len(remaining)
    spread = (sum(remaining) + queued * typical) / max(1, slots or len(left))
    return max(max(remaining, default=0.0), spread)
