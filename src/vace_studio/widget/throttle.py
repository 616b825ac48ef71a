"""Coalescing bursts of task changes into one message.

A task changes several times within milliseconds (submitting → queued, a finished task and the
queue moving up behind it), and 200 live tasks can change many times a second. The widget sends
what changed at most once per ``interval``: the first change of a quiet period goes out on the
next loop iteration (so the same tick's changes share it), later ones wait for the interval.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEFAULT_INTERVAL = 0.25
"""Seconds between two flushes: fast enough to feel live, slow enough to batch a burst."""


class Throttle:
    """Call ``flush`` soon after :meth:`mark`, and at most once per ``interval`` seconds."""

    def __init__(self, flush: Callable[[], None], interval: float = DEFAULT_INTERVAL) -> None:
        self._flush = flush
        self.interval = interval
        self._handle: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last = float("-inf")

    @property
    def pending(self) -> bool:
        """A flush is scheduled and has not run yet."""
        return self._handle is not None

    def mark(self) -> None:
        """Something changed: make sure a flush follows."""
        if self._handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No loop (plain script, or a test calling in directly): nothing to batch with.
            self._run()
            return
        delay = max(0.0, self._last + self.interval - time.monotonic())
        self._loop = loop
        self._handle = loop.call_later(delay, self._run) if delay else loop.call_soon(self._run)

    def flush_now(self) -> None:
        """Run a scheduled flush immediately (e.g. before answering a snapshot request)."""
        if self._handle is not None:
            self._handle.cancel()
            self._run()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _run(self) -> None:
        self._handle = None
        self._last = time.monotonic()
        self._flush()
