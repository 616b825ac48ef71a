"""The Gallery's data: a sweep's cells read from the store, and its progress while it runs.

A sweep is a group in the store (``experiments.sweep``): its spec holds the base request and the
grid, and each cell's task is tagged with the cell's labels. The gallery is rebuilt from the
store, so it shows sweeps of earlier kernels too; a cell never queued (a crash while queueing)
shows as ``missing``. Cell updates reach the browser as ordinary ``tasks`` pushes (the studio
tracks every task its client runs); the sweep's overall progress and ETA, which need all its
tasks, go as ``sweep_progress {group_id, now, progress}`` pushes, throttled like the cards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vace_studio.engine import Task, TaskRecord
from vace_studio.engine.status import TERMINAL, WITH_VIDEO, Status
from vace_studio.experiments import Sweep, sweep_rows
from vace_studio.experiments.grid import build_grid, label_key
from vace_studio.experiments.progress import measure
from vace_studio.experiments.views import missing_view, project, task_view
from vace_studio.media import ProbeError, VideoInfo, probe_local
from vace_studio.widget.clients import Clients
from vace_studio.widget.errors import WidgetError
from vace_studio.widget.throttle import Throttle
from vace_studio.widget.videos import source_ref

DEFAULT_FPS = 30.0
"""Frame rate assumed for frame-stepping when no result video can be probed."""


class UnknownSweepError(WidgetError):
    """No sweep with that group id in the store."""

    code = "unknown_sweep"


def _has_video(record: TaskRecord) -> bool:
    return bool(record.local_path) and Path(record.local_path or "").is_file()


def cell(
    index: int, labels: dict[str, Any], request: dict[str, Any], record: TaskRecord | None
) -> dict[str, Any]:
    """One cell as the browser shows it: the ``cell`` projection (no kernel paths:
    ``has_video`` says a video exists); ``status: "missing"`` for a cell never queued."""
    if record is None:
        return project(missing_view(index=index, labels=labels, request=request), "cell")
    view = task_view(
        record, index=index, labels=labels, has_source=source_ref(record.request) is not None
    )
    return project(view, "cell")


def _fps(records: Sequence[TaskRecord]) -> float:
    """The frame rate of the first result on disk (one probe: every result of a sweep shares
    the provider's output format)."""
    for record in records:
        if _has_video(record):
            try:
                info = probe_local(record.local_path or "", "video")
            except ProbeError:
                continue
            if isinstance(info, VideoInfo) and info.fps > 0:
                return round(info.fps, 3)
    return DEFAULT_FPS


class SweepFeed:
    """Builds gallery data for the studio's browser views and pushes sweep progress.

    ``clients`` are the studio's (the current one's store is read; a task any of them runs is
    watched live); ``send`` pushes a message to the browser.
    """

    def __init__(self, clients: Clients, send: Callable[[dict[str, Any]], None]) -> None:
        self._clients = clients
        self._send = send
        self._watched: dict[str, tuple[list[Task], float, list[Callable[[], None]]]] = {}
        self._dirty: set[str] = set()
        self._throttle = Throttle(self._flush)

    # -- lists and galleries ---------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """Every sweep in the store, newest first, with how many cells are done."""
        rows = sweep_rows(store=self._clients.current.store)
        for row in rows:
            statuses: dict[str, int] = row["statuses"]
            row["done"] = sum(n for status, n in statuses.items() if status in TERMINAL)
            row[Status.SUCCEEDED.value] = sum(
                n for status, n in statuses.items() if status in WITH_VIDEO
            )
        return list(reversed(rows))

    def gallery(self, group_id: str) -> dict[str, Any]:
        """The sweep ``group_id`` from the store: fields, values, cells in grid order, progress;
        its progress is pushed from now on while it runs."""
        store = self._clients.current.store
        group = store.group(group_id)
        if group is None or group.get("kind") != "sweep":
            raise UnknownSweepError(f"no sweep {group_id!r} in the store at {store.path}")
        spec = group["spec"]
        grid = build_grid(spec["base"], spec["grid"])
        fields = list(spec.get("fields") or grid.fields)
        records = store.select(group_id=group_id)
        # Oldest first, so a cell re-run into the same group shows its latest task.
        by_label = {label_key({f: r.tags.get(f) for f in fields}): r for r in records}
        cells, found = [], []
        for item in grid.cells:
            record = by_label.get(label_key(item.labels))
            request = record.request if record is not None else item.request
            cells.append(cell(item.index, item.labels, request, record))
            if record is not None:
                found.append(record)
        tasks = [self._task(r) for r in found]
        started = float(group["created_at"])
        progress = self._measure(tasks, started)
        if progress["done"] < progress["total"]:
            self._watch(group_id, tasks, started)
        return {
            "group_id": group_id,
            "name": spec.get("name"),
            "created_at": started,
            "fields": fields,
            "values": spec.get("grid", {}),
            "estimate": spec.get("estimate"),
            "fps": _fps(found),
            "progress": progress,
            "now": round(time.time(), 3),
            "cells": cells,
        }

    def follow(self, sweep: Sweep) -> None:
        """Push the progress of a sweep started from this studio."""
        self._watch(sweep.group_id, list(sweep.tasks), sweep.created_at)
        self._dirty.add(sweep.group_id)
        self._throttle.mark()

    def close(self) -> None:
        for _tasks, _started, stops in self._watched.values():
            for stop in stops:
                stop()
        self._watched.clear()
        self._throttle.close()

    # -- progress ------------------------------------------------------------------------
    def _task(self, record: TaskRecord) -> Task:
        return self._clients.live(record)

    def _measure(self, tasks: list[Task], started: float) -> dict[str, Any]:
        slots = self._clients.current.scheduler.limits.max_concurrent
        progress = measure(tasks, started=started, slots=slots).to_json()
        ends = [t.record.finished_at for t in tasks if t.record.finished_at is not None]
        if progress["done"] == progress["total"] and ends:
            # A finished sweep took until its last task ended, not until it was looked at.
            progress["elapsed"] = round(max(ends) - started, 3)
        return progress

    def _watch(self, group_id: str, tasks: list[Task], started: float) -> None:
        if group_id in self._watched:
            return

        def changed(_task: Task) -> None:
            self._dirty.add(group_id)
            self._throttle.mark()

        stops = [t.observe(changed) for t in tasks]
        self._watched[group_id] = (tasks, started, stops)

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for group_id in dirty:
            watched = self._watched.get(group_id)
            if watched is None:
                continue
            tasks, started, stops = watched
            progress = self._measure(tasks, started)
            self._send(
                {
                    "kind": "sweep_progress",
                    "group_id": group_id,
                    "now": round(time.time(), 3),
                    "progress": progress,
                }
            )
            if progress["done"] >= progress["total"]:
                for stop in stops:
                    stop()
                del self._watched[group_id]
