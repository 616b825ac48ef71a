"""A key-holder worker's scheduler: the one-kernel scheduler, with the queue and the submit pacing
moved into the shared store (:mod:`~vace_studio.engine.shared_queue`).

Polling stays local: each worker polls the tasks it holds, within the account's poll budget
divided among the live workers. What changes is where the next submission comes from (a claim
in the database, fair across people, only while the account has a slot free) and what paces
the send (stamps on the database's clock, one send at a time for the whole account).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from vace_studio.engine.pacing import SlidingWindowLimiter
from vace_studio.engine.scheduler import Scheduler
from vace_studio.engine.status import LOCAL_QUEUE

if TYPE_CHECKING:
    from vace_studio.engine.shared_queue import SharedQueue
    from vace_studio.engine.store import TaskRecord
    from vace_studio.engine.task import Task
    from vace_studio.providers import ProviderLimits

log = logging.getLogger("vace_studio")

LOCK_RETRY = 0.01
"""Seconds between tries of the account's send lock while another worker sends."""


class SharedScheduler(Scheduler):
    """Claims from the account's shared queue instead of a local one.

    ``make_task`` turns a claimed record into the worker's task object; ``ghost_seconds`` says
    how long an uncertain submit is counted as a running task; ``look_every`` is the longest the
    loop sleeps before looking for new work (a ``NOTIFY`` usually wakes it sooner).
    """

    def __init__(
        self,
        limits: ProviderLimits,
        queue: SharedQueue,
        worker: str,
        *,
        make_task: Callable[[TaskRecord], Task],
        ghost_seconds: Callable[[], float],
        look_every: float = 0.25,
    ) -> None:
        super().__init__(limits)
        self.queue = queue
        self.worker = worker
        self.make_task = make_task
        self.ghost_seconds = ghost_seconds
        self.look_every = look_every
        rate = limits.submits_per_second
        window = SlidingWindowLimiter(rate) if rate else None
        self._send_budget = (window.max_events, window.window) if window else None
        self._poll_share = 1

    def next_submission(self) -> Task | None:
        if self._closing:
            return None
        try:
            record = self.queue.claim(
                self.worker,
                max_concurrent=self.limits.max_concurrent,
                ghost_seconds=self.ghost_seconds(),
            )
        except Exception:  # the database is away: look again on the next turn
            log.exception("claiming a task from the shared queue failed")
            return None
        return self.make_task(record) if record is not None else None

    def idle_timeout(self) -> float | None:
        return self.look_every

    def enqueue(self, task: Task, *, front: bool = False) -> None:
        """The task is waiting in the store again (held back, or proven never created): the
        shared queue gives it its place; only look again soon."""
        task.position = None
        self.wake()

    def remove_waiting(self, task: Task) -> bool:
        # The conditional commit that follows decides (another worker may have claimed it).
        return task.status in LOCAL_QUEUE

    def share_polls(self, workers: int) -> None:
        """Poll within this worker's share of the account's poll budget, ``workers`` being how
        many serve the account now (followed at every heartbeat)."""
        budget = self.limits.polls_per_second
        workers = max(1, workers)
        if budget is None or workers == self._poll_share:
            return
        self._poll_share = workers
        self.poll_limiter = SlidingWindowLimiter(budget / workers)

    def hold(self, reason: str) -> None:
        """Hold the whole account: no worker submits until a person resumes it."""
        super().hold(reason)
        self.queue.set_held(reason)

    def resume(self) -> None:
        super().resume()
        self.queue.set_held(None)

    def sync_hold(self, reason: str | None) -> None:
        """Follow the account's hold as another worker (or the teacher) set it."""
        if reason and self.held is None:
            super().hold(reason)
        elif reason is None and self.held is not None:
            super().resume()

    def submit_window(self) -> AbstractAsyncContextManager[None]:
        return self._shared_window()

    @asynccontextmanager
    async def _shared_window(self) -> AsyncIterator[None]:
        # One send at a time for the whole account: a lost answer is then matched to the one
        # task the provider created in its moment, as with a single kernel.
        while not self.queue.try_send_lock():  # noqa: ASYNC110 — the lock lives in another process
            await asyncio.sleep(LOCK_RETRY)
        try:
            if self._send_budget is not None:
                while (wait := self.queue.send_delay(*self._send_budget)) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
            stamp = self.queue.stamp_send(self.worker)
            try:
                async with self._window(None):  # the per-key request budget, if any
                    yield
            finally:
                self.queue.stamp_answer(stamp)
        finally:
            self.queue.release_send_lock()
