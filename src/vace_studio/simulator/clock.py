"""The simulator's wall clock and the providers' timestamp formats.

Expiry (task ids, result URLs, uploads) is judged on this clock, which tests may move forward
(``handle.advance_clock``) to see a 24 h expiry without waiting a day. Task lifecycles and quota
windows use real time, so moving the clock never makes a task finish early.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone

# DashScope reports times in Beijing time (UTC+8) without a zone suffix.
DASHSCOPE_TZ = timezone(timedelta(hours=8))


class Clock:
    """Wall-clock seconds since the epoch, plus an offset tests can advance."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch as the simulator sees them."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError(f"the clock only moves forward (got {seconds})")
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        """Forget any advance."""
        with self._lock:
            self._offset = 0.0


def dashscope_time(epoch: float) -> str:
    """``YYYY-MM-DD HH:mm:ss.SSS`` in Beijing time, DashScope's task timestamp format."""
    moment = datetime.fromtimestamp(epoch, DASHSCOPE_TZ)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def dashscope_query_time(text: str) -> float:
    """Parse a list filter time like ``20230420000000`` (Beijing time) to epoch seconds."""
    moment = datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=DASHSCOPE_TZ)
    return moment.timestamp()


def iso_time(epoch: float) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as Modellix and MuleRouter report times."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
