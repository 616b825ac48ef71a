"""One scheduler for all of a client's tasks: the local queue, submission pacing and polling.

A single asyncio task drives everything, instead of one sleeping loop per task: it starts a
submission when the provider's limits allow (submits per second, tasks running at once), and
polls each tracked task when its poll falls due, never faster than the poll budget. Tasks that
cannot be submitted yet wait in a local FIFO queue and know their position in it.

Submissions are strictly one at a time. That costs nothing against a 2-per-second limit, and it
means a submit whose answer was lost can be reconciled without guesswork: any unknown task the
provider lists for that moment must be this one.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, suppress
from typing import TYPE_CHECKING

from vace_studio.engine.pacing import SlidingWindowLimiter

if TYPE_CHECKING:
    from vace_studio.engine.task import Task
    from vace_studio.providers import ProviderLimits

log = logging.getLogger("vace_studio")

MAX_PARALLEL_POLLS = 32


class Scheduler:
    """Paces submissions and polls for one provider account."""

    def __init__(self, limits: ProviderLimits) -> None:
        self.limits = limits
        self._submit: Callable[[Task], Awaitable[None]] | None = None
        self._poll: Callable[[Task], Awaitable[None]] | None = None
        self.held: str | None = None
        """Why submissions are held until :meth:`resume` (a billing or quota refusal), or
        ``None``. Waiting tasks keep their place meanwhile."""
        self._hold_observers: list[Callable[[str | None], None]] = []
        self.waiting: deque[Task] = deque()
        self.active: set[Task] = set()
        self._heap: list[tuple[float, int, Task]] = []
        self._seq = itertools.count()
        # The one poll each task has booked: tracking it again replaces the booking, so a task
        # is never polled twice at once (two answers would finish it, and download it, twice).
        self._booked: dict[Task, int] = {}
        # Slots a lost submit may be using at the provider: its task, if it was created, runs for
        # about a task's usual time, and counts against the account's concurrency meanwhile.
        self._ghosts: dict[Task, float] = {}
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._jobs: set[asyncio.Task[None]] = set()
        self._submitting = False
        self._paused_until = 0.0
        self._polls_in_flight = 0
        self._closing = False
        self.submit_limiter = (
            SlidingWindowLimiter(limits.submits_per_second) if limits.submits_per_second else None
        )
        self.poll_limiter = (
            SlidingWindowLimiter(limits.polls_per_second) if limits.polls_per_second else None
        )
        self.account_limiter = (
            SlidingWindowLimiter.per(limits.requests_per_minute, 60.0)
            if limits.requests_per_minute
            else None
        )

    def attach(
        self,
        *,
        submit: Callable[[Task], Awaitable[None]],
        poll: Callable[[Task], Awaitable[None]],
    ) -> None:
        """Say what submits and polls a task (the client's lifecycle), before the first run."""
        self._submit, self._poll = submit, poll

    # -- feeding the scheduler -------------------------------------------------------------
    def ensure_running(self) -> None:
        """Start the driving task in the current event loop if it is not running."""
        if self._runner is None or self._runner.done():
            loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._closing = False
            self._runner = loop.create_task(self._run(), name="vace-studio-scheduler")
        self.wake()

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def enqueue(self, task: Task, *, front: bool = False) -> None:
        """Put a task in the local queue (it is submitted when the limits allow)."""
        if front:
            self.waiting.appendleft(task)
        else:
            self.waiting.append(task)
        self._renumber()
        self.wake()

    def remove_waiting(self, task: Task) -> bool:
        if task in self.waiting:
            self.waiting.remove(task)
            task.position = None
            self._renumber()
            return True
        return False

    def track(self, task: Task, delay: float) -> None:
        """Count ``task`` as running at the provider and poll it after ``delay`` seconds."""
        self.active.add(task)
        self._ghosts.pop(task, None)
        seq = next(self._seq)
        self._booked[task] = seq
        heapq.heappush(self._heap, (time.monotonic() + delay, seq, task))
        self.wake()

    def release(self, task: Task) -> None:
        """The task is finished (or given up): free its slot."""
        self.active.discard(task)
        self._booked.pop(task, None)
        self._ghosts.pop(task, None)
        self.wake()

    def occupy(self, task: Task, seconds: float) -> None:
        """Count a slot as taken for ``seconds``: ``task``'s submit was lost, and the task it may
        have created would be running at the provider. Tracking or releasing the task ends it."""
        self._ghosts[task] = time.monotonic() + seconds
        self.wake()

    def pause_submissions(self, seconds: float) -> None:
        """Hold submissions back, e.g. after the provider said 429 to a submit."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self.wake()

    def hold(self, reason: str) -> None:
        """Stop submitting until :meth:`resume`: every further submit would be refused the same
        way (billing, entitlement, spent quota). Waiting tasks are told, and keep their place."""
        self.held = reason
        self._tell_hold()
        for task in self.waiting:
            task.last_error = f"submissions are paused: {reason}"
            task.notify()

    def resume(self) -> None:
        """Submit again after :meth:`hold` (a person topped up, enabled the model, ...)."""
        if self.held is None:
            return
        self.held = None
        self._paused_until = 0.0
        self._tell_hold()
        for task in self.waiting:
            task.last_error = None
            task.notify()
        self.wake()

    def observe_hold(self, callback: Callable[[str | None], None]) -> Callable[[], None]:
        """Call ``callback(reason or None)`` whenever submissions are held or resumed."""
        self._hold_observers.append(callback)
        return lambda: (
            self._hold_observers.remove(callback) if callback in self._hold_observers else None
        )

    def _tell_hold(self) -> None:
        for callback in list(self._hold_observers):
            try:
                callback(self.held)
            except Exception:  # an observer's bug must not stop the engine
                log.exception("hold observer failed")
        self.wake()

    def _renumber(self) -> None:
        for position, task in enumerate(self.waiting, start=1):
            if task.position != position:
                task.position = position
                task.notify()

    # -- the driving loop ------------------------------------------------------------------
    def _slot_free(self) -> bool:
        cap = self.limits.max_concurrent
        if cap is None:
            return True
        now = time.monotonic()
        for task in [t for t, until in self._ghosts.items() if until <= now]:
            del self._ghosts[task]
        return len(self.active) + len(self._ghosts) < cap

    def next_submission(self) -> Task | None:
        """The task to submit now, taken out of the queue, or ``None`` (no slot, none waiting).
        A shared queue (:mod:`~vace_studio.engine.worker_scheduler`) claims it in the store."""
        if not self.waiting or not self._slot_free():
            return None
        task = self.waiting.popleft()
        task.position = None
        self._renumber()
        return task

    def idle_timeout(self) -> float | None:
        """The longest the loop may sleep without a wake-up (``None``: until woken); a shared
        queue looks at the store again at least this often."""
        return None

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._closing:
            now = time.monotonic()
            if self.held is None and not self._submitting and now >= self._paused_until:
                task = self.next_submission()
                if task is not None:
                    self._submitting = True
                    self.spawn(self._submit_one(task))
            while (
                self._heap
                and self._heap[0][0] <= now
                and self._polls_in_flight < MAX_PARALLEL_POLLS
            ):
                _, seq, task = heapq.heappop(self._heap)
                if task in self.active and self._booked.get(task) == seq:
                    self._polls_in_flight += 1
                    self.spawn(self._poll_one(task))
            timeout: float | None = None
            if self._heap and self._polls_in_flight < MAX_PARALLEL_POLLS:
                timeout = max(0.0, self._heap[0][0] - now)
            if self.waiting and now < self._paused_until:
                pause = self._paused_until - now
                timeout = pause if timeout is None else min(timeout, pause)
            if self.waiting and self._ghosts:
                freed = max(0.0, min(self._ghosts.values()) - now)
                timeout = freed if timeout is None else min(timeout, freed)
            idle = self.idle_timeout()
            if idle is not None:
                timeout = idle if timeout is None else min(timeout, idle)
            self._wake.clear()
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # races with the event (python/cpython#86296), and aclose() would wait forever.
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def spawn(self, job: Awaitable[None]) -> None:
        """Run ``job`` in the background until it ends or the scheduler closes; an exception
        is logged, never lost silently."""

        async def guarded() -> None:
            try:
                await job
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("vace-studio scheduler job failed")

        task = asyncio.get_running_loop().create_task(guarded())
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def _submit_one(self, task: Task) -> None:
        assert self._submit is not None, "attach() first"
        try:
            await self._submit(task)
        finally:
            self._submitting = False
            self.wake()

    def submit_window(self) -> AbstractAsyncContextManager[None]:
        """Hold this around each submit *send* (retries included), after media checks and
        uploads whose time varies: the limiter stamps the send and its answer, which is what the
        provider counts."""
        return self._window(self.submit_limiter)

    def query_window(self) -> AbstractAsyncContextManager[None]:
        """Hold this around each task query (poll, list, cancel), retries included."""
        return self._window(self.poll_limiter)

    @asynccontextmanager
    async def _window(self, limiter: SlidingWindowLimiter | None) -> AsyncIterator[None]:
        # The per-key budget (Modellix: 100 requests/min) counts submits and polls together.
        async with AsyncExitStack() as stack:
            for each in (limiter, self.account_limiter):
                if each is not None:
                    await stack.enter_async_context(each.slot())
            yield

    async def _poll_one(self, task: Task) -> None:
        assert self._poll is not None, "attach() first"
        try:
            await self._poll(task)
        finally:
            self._polls_in_flight -= 1
            self.wake()

    async def aclose(self) -> None:
        """Stop driving (tasks stay in the store and can be resumed)."""
        self._closing = True
        self.wake()
        for job in [self._runner, *self._jobs]:
            if job is not None:
                job.cancel()
        for job in [self._runner, *self._jobs]:
            if job is not None:
                with suppress(asyncio.CancelledError, Exception):
                    await job
        self._runner = None
