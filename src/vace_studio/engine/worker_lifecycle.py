"""What a key-holder worker adds to a task's life: files that travel through the shared store,
spend caps checked before a paid submit, and marks another worker needs to take over safely.

* A student's local input files were stored in the database at ``enqueue`` (``extra.inputs``:
  the path as the student gave it → content hash); the worker writes them to its own folder and
  submits with those paths (uploading them to the provider as for any local file).
* ``extra.send_started`` is committed before the submit is sent. A worker that takes over a
  task a dead worker left ``submitting`` knows from it whether a send may have happened: without
  it nothing was sent and the task simply goes back in line; with it the submit is reconciled
  over ``[send_started, now]`` like any lost answer — never sent again blindly.
* The downloaded video is stored in the database (``extra.video_stored``) for the student's
  kernel to fetch; a failed download says so (``extra.download_error``).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vace_studio.engine.lifecycle import Lifecycle
from vace_studio.engine.reconcile import LostSubmit
from vace_studio.engine.status import Event, Status

if TYPE_CHECKING:
    from vace_studio.engine.shared_queue import SharedQueue
    from vace_studio.engine.store_pg import PgStore
    from vace_studio.engine.task import Task

log = logging.getLogger("vace_studio")

CAP_CODE = "SpendCapReached"
"""The ``error_code`` of a task refused because its person's spend cap would be passed."""


def rewrite_inputs(request: dict[str, Any], replace: dict[str, str]) -> dict[str, Any]:
    """``request`` with every media reference found in ``replace`` swapped for its value."""

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return replace.get(value, value)
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    return {key: swap(value) for key, value in request.items()}


class WorkerLifecycle(Lifecycle):
    """The task steps of a worker: :class:`Lifecycle` plus the shared store's files and caps."""

    def __init__(self, *args: Any, queue: SharedQueue, store: PgStore, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = queue
        self.shared_store = store

    def per_task_cost(self) -> float:
        """US dollars one task will cost at this account (0 on the simulator or unknown)."""
        price = self.ctx.provider.price_per_second
        return 0.0 if self.ctx.simulated or price is None else price * 5.0

    async def send(self, task: Task) -> None:
        rec = task.record
        spent, cap = self.queue.committed(rec.person or "", self.per_task_cost())
        if cap is not None and spent > cap + 1e-9:
            self._refuse(
                task,
                CAP_CODE,
                f"{rec.person or 'this person'} has a spend cap of ${cap:.2f}, and this task "
                f"would bring their spending to ${spent:.2f}; nothing was sent",
                "ask the teacher to raise your cap (vace-studio cap), or cancel waiting tasks",
            )
            return
        try:
            local = self._materialize(rec.extra.get("inputs") or {})
        except (OSError, KeyError) as error:
            self._refuse(task, "InputMissing", f"an input file could not be read: {error}")
            return
        if local:
            rec.request = rewrite_inputs(rec.request, local)  # this worker's copies, in memory
        task.commit(extra={**rec.extra, "send_started": time.time()})
        await super().send(task)

    def _materialize(self, inputs: dict[str, str]) -> dict[str, str]:
        """Write the student's stored input files here: their path → this worker's path."""
        out: dict[str, str] = {}
        root = self.ctx.paths.home / "class-inputs"
        for original, digest in inputs.items():
            name = Path(original).name
            target = root / digest / name
            if not target.is_file():
                found = self.shared_store.blob(digest)
                if found is None:
                    raise KeyError(f"{name} (sha256 {digest[:12]}…) is not in the shared store")
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(target.suffix + ".partial")
                partial.write_bytes(found[1])
                partial.replace(target)
            out[original] = str(target)
        return out

    async def download(self, task: Task) -> None:
        await super().download(task)
        rec = task.record
        if rec.local_path and Path(rec.local_path).is_file():  # noqa: ASYNC240 — one stat
            digest = self.shared_store.put_blob(Path(rec.local_path))
            task.commit(extra={**rec.extra, "video_stored": digest})
        else:
            message = task.last_error or "the video could not be downloaded"
            task.commit(extra={**rec.extra, "download_error": message})

    async def cancel_asked(self, task: Task) -> None:
        """Cancel at the provider a task its person asked to cancel (the outcome is the task's
        status, which the person's kernel follows)."""
        await self.cancel(task)

    async def take_over(self, task: Task) -> None:
        """Resume a task a dead worker held, the way a restarted kernel would."""
        rec = task.record
        if task.status is Status.SUBMITTING:
            started = rec.extra.get("send_started")
            if started is None:  # claimed, never sent: back in line, no reconciliation needed
                if task.commit(Event.HOLD, owner=None):
                    log.info("task %s: taken over before its submit was sent", rec.id)
                return
            lost = LostSubmit(
                float(started),
                time.time(),
                "the worker sending its submit stopped before the answer was recorded",
            )
            task.commit(extra={**rec.extra, **lost.to_json()})
        elif task.status is Status.RECONCILING:
            # Its worker died while looking: surface it, and look again from the start (a
            # reconciling task cannot be resumed as it is, and it holds one of the account's
            # slots until it is settled).
            task.commit(Event.SURFACE)
        await self.resume_lost(task)
