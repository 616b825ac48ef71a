"""Rate limiting that never exceeds a budget in any window, and the poll-timing policy."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vace_studio.engine.status import Status

if TYPE_CHECKING:
    from vace_studio.engine.store_api import TaskStore
    from vace_studio.engine.task import Task


class SlidingWindowLimiter:
    """At most ``rate`` requests per second in *every* window, as the server counts them.

    A token bucket allows a burst on top of its refill, which can briefly double the rate a
    provider sees; a quota of "20 polls/s" is judged per window, so this limiter keeps the times
    of recent requests and waits until the oldest leaves the window. A request is stamped twice:
    when it starts and again when its answer arrives, because the server counted it somewhere in
    between; waiting a window after the *answer* keeps a slow first request and a fast later one
    from landing in the same window at the server. ``margin`` widens the window a little more.
    """

    def __init__(self, rate: float, *, margin: float = 0.05) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.max_events = max(1, math.floor(rate))
        self.window = self.max_events / rate * (1.0 + margin)
        self._times: list[float] = []
        self._lock = asyncio.Lock()

    @classmethod
    def per(cls, events: float, seconds: float, *, margin: float = 0.05) -> SlidingWindowLimiter:
        """At most ``events`` requests in every ``seconds``-long window (e.g. 100 per minute)."""
        limiter = cls(events / seconds, margin=margin)
        limiter.max_events = max(1, math.floor(events))
        limiter.window = seconds * (1.0 + margin)
        return limiter

    def delay(self, now: float) -> float:
        """Seconds until one more request fits (0 if it fits now)."""
        self._times = [t for t in self._times if now - t < self.window]
        if len(self._times) < self.max_events:
            return 0.0
        return min(self._times) + self.window - now

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for room, then hold a place in the window for the request made inside."""
        async with self._lock:
            # The wait is a computed time until the window has room, not a poll.
            while (wait := self.delay(time.monotonic())) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            stamp = [time.monotonic()]
            self._times.append(stamp[0])
        try:
            yield
        finally:
            # Re-stamp with the time the answer came back (see the class docstring).
            now = time.monotonic()
            for i, t in enumerate(self._times):
                if t == stamp[0]:
                    self._times[i] = now
                    break


@dataclass(frozen=True)
class PollPolicy:
    """When to ask a provider about a task.

    The idea: a VACE task takes minutes, and tasks of one provider, function and size take similar
    times. So poll sparsely until the earliest time similar tasks finished, then closely while
    the task is most likely to end, then back off gently. Without history (fewer than 3 similar
    tasks) the provider's typical time stands in, and one early poll catches an immediate
    failure; with history that poll is skipped, because ``max_interval`` bounds how long a
    failure can go unseen anyway.
    """

    first_check: float = 2.0
    min_interval: float = 0.5
    max_interval: float = 60.0
    dense_interval: float = 5.0
    default_expected: float = 420.0

    def expected_total(self, history: Sequence[tuple[float, float | None]]) -> float:
        """How long a task like these usually takes from submit to end (the median of the
        history, else ``default_expected``)."""
        totals = [total for total, _ in history]
        return _median(totals) if totals else self.default_expected

    def next_delay(
        self,
        elapsed: float,
        *,
        status: str,
        running_for: float | None,
        history: Sequence[tuple[float, float | None]],
    ) -> float:
        """Seconds to wait before the next poll of a task ``elapsed`` seconds after submit."""
        totals = sorted(total for total, _ in history)
        if elapsed < self.first_check and len(totals) < 3:
            return self.first_check - elapsed
        if len(totals) >= 3:
            low, mid, high = (
                _quantile(totals, 0.1),
                _median(totals),
                _quantile(totals, 0.9),
            )
        else:
            mid = totals[0] if totals else self.default_expected
            low, high = mid * 0.6, mid * 1.5
        runs = sorted(run for _, run in history if run is not None)
        if status == Status.QUEUED and runs:
            # Still queued: it cannot end before a whole run time from now.
            shift = elapsed + _quantile(runs, 0.1) - low
            if shift > 0:
                low, mid, high = low + shift, mid + shift, high + shift
        elif status == Status.RUNNING and running_for is not None and len(runs) >= 3:
            # Running: expect it to end when similar runs ended.
            started = elapsed - running_for
            low = max(low, started + _quantile(runs, 0.1))
            high = max(high, started + _quantile(runs, 0.9))
        # Poll spacing inside the likely window: about 3 looks across it, never sparser than
        # dense_interval (so detection is never slower than a 5 s poll loop's).
        dense = min(self.dense_interval, max(self.min_interval, (high - low) / 3))
        if elapsed < low - dense:
            delay = min(low - elapsed, self.max_interval)
        elif elapsed <= high:
            delay = dense
        else:
            # Later than usual: back off in proportion to how late, so a stuck task costs little.
            delay = max(dense, (elapsed - mid) * 0.25)
        return float(min(max(delay, self.min_interval), self.max_interval))


class TaskTiming:
    """A :class:`PollPolicy` fed with what the store learned about tasks like this one (same
    endpoint, function and size): when to poll a task next, how long it will likely take."""

    def __init__(self, store: TaskStore, endpoint: str, policy: PollPolicy) -> None:
        self.store = store
        self.endpoint = endpoint
        self.policy = policy

    def _history(self, task: Task) -> list[tuple[float, float | None]]:
        rec = task.record
        return self.store.durations(self.endpoint, rec.function, rec.request.get("size"))

    def poll_delay(self, task: Task) -> float:
        """Seconds until ``task``'s next poll."""
        rec = task.record
        now = time.time()
        return self.policy.next_delay(
            now - (rec.submitted_at or now),
            status=rec.status,
            running_for=now - rec.started_at if rec.started_at else None,
            history=self._history(task),
        )

    def expected_total(self, task: Task) -> float:
        """Seconds such a task usually takes from submit to end."""
        return self.policy.expected_total(self._history(task))


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        raise ValueError("no values")
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def _median(values: Sequence[float]) -> float:
    # ``statistics`` is imported on first use: it brings ``fractions`` and ``decimal``, a cost
    # every ``import vace_studio`` would pay for a figure only polling needs.
    from statistics import median

    return median(values)
