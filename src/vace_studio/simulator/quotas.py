"""Per-API-key quotas: sliding one-second windows for submits and polls, and a cap on tasks that
are queued or running.

DashScope publishes 2 submits/s, 2 concurrent tasks and 20 task queries/s per account; a request
over the limit gets 429 ``Throttling.RateQuota`` (rate) or ``Throttling.AllocationQuota``
(concurrency). The reference leaves open whether a third concurrent submit is refused or held in
PENDING; the simulator refuses it, as the gateway the reference cites does, because that is the
stricter behaviour for a client to survive.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from vace_studio.simulator.config import QuotaConfig

WINDOW = 1.0
"""Length of the sliding rate window, in seconds."""


@dataclass(frozen=True)
class Throttled:
    """Why a request was refused: ``code`` is DashScope's, ``retry_after`` a hint in seconds."""

    code: str
    message: str
    retry_after: float


RATE_QUOTA = "Throttling.RateQuota"
ALLOCATION_QUOTA = "Throttling.AllocationQuota"


class Quotas:
    """Rate windows per (provider, key, kind); ``quota_of`` gives each provider's limits."""

    def __init__(self, quota_of: Callable[[str], QuotaConfig]) -> None:
        self._quota_of = quota_of
        self._windows: dict[tuple[str, str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _take(self, provider: str, key: str, kind: str, limit: int | None) -> Throttled | None:
        if limit is None:
            return None
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault((provider, key, kind), deque())
            while window and now - window[0] >= WINDOW:
                window.popleft()
            if len(window) >= limit:
                wait = max(WINDOW - (now - window[0]), 0.0)
                return Throttled(
                    RATE_QUOTA, "Requests rate limit exceeded, please try again later.", wait
                )
            window.append(now)
            return None

    def check_submit(self, provider: str, key: str, unfinished: int) -> Throttled | None:
        """Count a submit by ``key`` (which has ``unfinished`` tasks); ``None`` when allowed."""
        quota = self._quota_of(provider)
        refused = self._take(provider, key, "submit", quota.submits_per_second)
        if refused is not None:
            return refused
        if quota.max_unfinished is not None and unfinished >= quota.max_unfinished:
            return Throttled(
                ALLOCATION_QUOTA,
                "Allocated quota exceeded, please increase your quota limit.",
                # A slot frees only when a task finishes; a second is a polite hint, not a promise.
                1.0,
            )
        return None

    def check_query(self, provider: str, key: str) -> Throttled | None:
        """Count a task query (poll, list, cancel) by ``key``; ``None`` when allowed."""
        return self._take(provider, key, "query", self._quota_of(provider).polls_per_second)

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()
