"""Sweeps: many requests from one base request and a grid of varied fields, run as one group.

    s = sweep(client, base, prompt=["a cat", "a dog", "a fox"], seed=[1, 2])
    await s.wait(on_progress=print)
    s.to_dataframe()

A sweep is a group in the store: its definition (base request, grid, cost estimate) is saved
first, then one task per cell, tagged with the cell's labels. Everything after that is the
engine's: the scheduler keeps within the provider's quota, the store keeps every task, and
:meth:`Sweep.resume` rebuilds the sweep from the store in a new kernel.

``sweep`` is a function (also ``vace_studio.sweep``), not a ``Client`` method, because the engine
must not import the layers above it; the widget's ``Studio.sweep`` calls this function.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vace_studio.engine import Client, Task
from vace_studio.engine.blocking import run_blocking
from vace_studio.engine.status import UNFINISHED
from vace_studio.experiments.cost import DEFAULT_CONFIRM_ABOVE, CostEstimate, estimate_for
from vace_studio.experiments.grid import Cell, Grid, build_grid, check_cells, label_key
from vace_studio.experiments.history import DataFrame, import_pandas
from vace_studio.experiments.plan import Confirm, check_confirmed, plan_sweep
from vace_studio.experiments.progress import SweepProgress, SweepResult, measure
from vace_studio.requests import VaceRequest

log = logging.getLogger("vace_studio")

SWEEP_KIND = "sweep"
"""The store's group kind for sweeps."""

_RECHECK_SECONDS = 5.0
"""Sweep.wait looks again this often even if no task said it changed (a safety net)."""


class Sweep:
    """A running (or finished) sweep: its cells, their tasks, progress and results.

    Made by :func:`sweep` or :meth:`Sweep.resume`. ``tasks[i]`` runs ``cells[i]``. Attributes:
    ``group_id`` (the store's group id, what :meth:`resume` and ``export_run`` take),
    ``name``, ``fields`` (the varied fields), ``cells``, ``tasks``, ``estimate``,
    ``created_at`` (Unix seconds).
    """

    def __init__(
        self,
        client: Client,
        group_id: str,
        grid: Grid,
        tasks: Sequence[Task],
        estimate: CostEstimate,
        *,
        name: str | None = None,
        created_at: float | None = None,
    ) -> None:
        self.client = client
        self.group_id = group_id
        self.grid = grid
        self.cells: list[Cell] = list(grid.cells)
        self.tasks: list[Task] = list(tasks)
        self.estimate = estimate
        self.name = name
        self.created_at = created_at if created_at is not None else time.time()

    @property
    def fields(self) -> list[str]:
        return self.grid.fields

    def __repr__(self) -> str:
        title = f" {self.name!r}" if self.name else ""
        return (
            f"<Sweep{title} {self.group_id} {len(self.cells)} cells ({self.grid.shape()}): "
            f"{self.progress()}; {self.estimate}>"
        )

    # -- progress --------------------------------------------------------------------------
    def progress(self) -> SweepProgress:
        """Counts, elapsed time and an ETA, from the tasks as they stand now."""
        slots = self.client.scheduler.limits.max_concurrent
        return measure(self.tasks, started=self.created_at, slots=slots)

    def observe(self, callback: Callable[[SweepProgress], None]) -> Callable[[], None]:
        """Call ``callback(progress)`` whenever the counts change; returns a function that stops.

        For a progress bar or a widget. Called from the engine's tasks on the event loop; keep it
        quick. (In a notebook, ``print`` from here lands in whichever cell started the engine:
        use ``wait(on_progress=...)`` to print in the waiting cell.)
        """
        last: list[tuple[int, ...]] = []

        def changed(_task: Task) -> None:
            now = self.progress()
            if not last or last[0] != now.counts:
                last[:] = [now.counts]
                callback(now)

        stops = [t.observe(changed) for t in self.tasks]

        def stop() -> None:
            for s in stops:
                s()

        return stop

    # -- waiting and results ---------------------------------------------------------------
    async def wait(
        self,
        timeout: float | None = None,
        *,
        on_progress: Callable[[SweepProgress], None] | None = None,
    ) -> list[SweepResult]:
        """Wait until every task is finished (videos downloaded); return :attr:`results`.

        ``on_progress(progress)`` is called when the counts change, from this coroutine (so
        ``on_progress=print`` prints one line per change in the cell that waits). Raises
        :class:`TimeoutError` after ``timeout`` seconds; the tasks keep running and ``wait`` may
        be called again.
        """
        changed = asyncio.Event()
        stops = [t.observe(lambda _t: changed.set()) for t in self.tasks]
        last: tuple[int, ...] | None = None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed.clear()
                    now = self.progress()
                    if on_progress is not None and now.counts != last:
                        last = now.counts
                        on_progress(now)
                    if now.done == now.total:
                        break
                    # Woken by any task change; the timeout is only a safety net.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(_RECHECK_SECONDS):
                            await changed.wait()
        finally:
            for stop in stops:
                stop()
        return self.results

    def wait_sync(self, timeout: float | None = None) -> list[SweepResult]:
        """Blocking :meth:`wait` for scripts and notebook cells that cannot ``await``."""
        return run_blocking(self.wait(timeout))

    @property
    def results(self) -> list[SweepResult]:
        """Each cell's result as it stands now (also for unfinished cells), in cell order."""
        return [
            SweepResult(cell.index, dict(cell.labels), task.result_now())
            for cell, task in zip(self.cells, self.tasks, strict=True)
        ]

    def to_dataframe(self) -> DataFrame:
        """One row per cell: ``index``, one column per varied field, then ``status``,
        ``video_path``, ``cost``, ``error_code``, ``error_message``, ``local_id``, ``task_id``,
        ``total_seconds``. Needs pandas (``vace-studio[pandas]``)."""
        pd = import_pandas()
        rows = []
        for cell, task in zip(self.cells, self.tasks, strict=True):
            r = task.record
            rows.append(
                {
                    "index": cell.index,
                    **cell.labels,
                    "status": r.status,
                    "video_path": r.local_path,
                    "cost": r.cost,
                    "error_code": r.error_code,
                    "error_message": r.error_message,
                    "local_id": r.id,
                    "task_id": r.task_id,
                    "total_seconds": (
                        r.finished_at - r.submitted_at if r.finished_at and r.submitted_at else None
                    ),
                }
            )
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        """The sweep as JSON-ready data (for a gallery): fields, estimate, progress, cells."""
        return {
            "group_id": self.group_id,
            "name": self.name,
            "created_at": self.created_at,
            "fields": self.fields,
            "values": self.grid.values,
            "estimate": self.estimate.to_json(),
            "progress": self.progress().to_json(),
            "cells": [r.to_json() for r in self.results],
        }

    async def cancel(self) -> int:
        """Cancel every unfinished task (see ``Task.cancel``); returns how many were canceled."""
        canceled = 0
        for task in self.tasks:
            if not task.done and await task.cancel():
                canceled += 1
        return canceled

    # -- resuming --------------------------------------------------------------------------
    @classmethod
    async def resume(cls, client: Client, group_id: str) -> Sweep:
        """Rebuild a sweep from the store, e.g. after a kernel restart, and carry it on.

        Unfinished tasks are resumed (``Client.resume``), finished ones keep their results, and
        cells that never got a task (a crash while the sweep was being queued) are queued now.
        ``client`` must reach the provider the sweep ran at (same home folder and endpoint).
        Raises ``KeyError`` for an unknown ``group_id``.
        """
        store = client.store
        group = store.group(group_id)
        records = store.select(group_id=group_id)
        if group is None and not records:
            raise KeyError(f"no sweep {group_id!r} in the store at {store.path}")
        foreign = [r for r in records if r.status in UNFINISHED and r.endpoint != client.endpoint]
        if foreign:
            raise ValueError(
                f"{len(foreign)} task(s) of sweep {group_id} are unfinished at "
                f"{foreign[0].endpoint}; resume it with a client for that endpoint "
                f"(this one is {client.endpoint})"
            )
        await client.resume()
        if group is not None:
            spec = group["spec"]
            grid = build_grid(spec["base"], spec["grid"])
            name, created_at = spec.get("name"), group["created_at"]
            saved = spec.get("estimate")
        else:  # tasks grouped by someone else: their tags are the labels
            fields = sorted({k for r in records for k in r.tags})
            found = [
                Cell(i, {f: r.tags.get(f) for f in fields}, r.request)
                for i, r in enumerate(records)
            ]
            values = {f: _distinct([c.labels[f] for c in found]) for f in fields}
            grid = Grid({}, values, found)
            name, created_at, saved = None, min(r.created_at for r in records), None
        # The latest task of a cell wins (a cell re-run into the same group replaces it).
        by_label = {label_key({f: r.tags.get(f) for f in grid.fields}): r for r in records}
        tasks: dict[int, Task] = {}
        cells: list[Cell] = []
        missing: list[Cell] = []
        for cell in grid.cells:
            record = by_label.get(label_key(cell.labels))
            if record is None:
                missing.append(cell)
                cells.append(cell)
                continue
            tasks[cell.index] = client.view(record)
            cells.append(Cell(cell.index, cell.labels, record.request))
        if missing:
            log.warning("sweep %s: queueing %d cell(s) that never started", group_id, len(missing))
            check_cells(missing, client.check)
            for cell in missing:
                tasks[cell.index] = _enqueue(client, cell, group_id)
        grid = Grid(grid.base, grid.values, cells)
        estimate = (
            CostEstimate.from_json(saved)
            if saved
            else estimate_for(client, [c.request for c in cells])
        )
        return cls(
            client,
            group_id,
            grid,
            [tasks[c.index] for c in cells],
            estimate,
            name=name,
            created_at=created_at,
        )


def _distinct(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(label_key({"v": value}), value)
    return list(seen.values())


def _enqueue(client: Client, cell: Cell, group_id: str) -> Task:
    return client.enqueue(cell.request, tags=cell.labels, group_id=group_id)


def sweep(
    client: Client,
    base: VaceRequest | Mapping[str, Any],
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    confirm: Confirm = None,
    confirm_above: float = DEFAULT_CONFIRM_ABOVE,
    price_per_second: float | None = None,
    name: str | None = None,
    **fields: Sequence[Any],
) -> Sweep:
    """Run ``base`` once for every combination of the given field values; returns at once.

        s = sweep(client, {"function": "video_repainting", "video_url": "in.mp4",
                           "control_condition": "depth"},
                  prompt=["watercolour", "pencil sketch"], strength=[0.3, 0.6, 0.9])

    Every cell is validated first (:class:`~vace_studio.experiments.InvalidSweep` lists all
    problems, nothing is recorded). Then the cost is estimated (:class:`CostEstimate`: tasks ×
    5 s × the provider's $/s, or ``price_per_second``); above ``confirm_above`` US dollars
    (default 5), or when the price is unknown, the sweep runs only if ``confirm`` is ``True``
    or a function that returns ``True`` when called with the estimate — otherwise
    :class:`SweepNotConfirmed` is raised and nothing is submitted. The simulator charges
    nothing and never asks. To ask in the notebook:
    ``confirm=lambda cost: input(f"{cost}. Run? [y/N] ") == "y"``.

    Fields to vary are keywords (``seed=[1, 2]``) or a ``grid=`` mapping. The sweep is saved
    in the store as a group (``Sweep.group_id``) and each cell queued as a task tagged with its
    labels; the engine's scheduler keeps within the provider's limits. Must be called with an
    event loop running (a notebook cell, or async code), like ``Client.enqueue``.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "sweep() needs a running event loop: call it in a notebook cell or inside async "
            "code (e.g. in a function run by asyncio.run)"
        ) from None
    plan = plan_sweep(client, base, grid=grid, price_per_second=price_per_second, **fields)
    check_confirmed(plan, confirm, confirm_above)
    group_id = f"sweep-{uuid.uuid4().hex[:12]}"
    spec = {
        "name": name,
        "base": plan.grid.base,
        "grid": plan.grid.values,
        "fields": plan.grid.fields,
        "cells": len(plan.cells),
        "estimate": plan.estimate.to_json(),
        "provider": client.provider_name,
        "endpoint": client.endpoint,
    }
    client.store.save_group(group_id, SWEEP_KIND, spec)
    created = client.store.group(group_id)
    tasks = [_enqueue(client, cell, group_id) for cell in plan.cells]
    log.info("sweep %s: %s", group_id, plan)
    return Sweep(
        client,
        group_id,
        plan.grid,
        tasks,
        plan.estimate,
        name=name,
        created_at=created["created_at"] if created else None,
    )
