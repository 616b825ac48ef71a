"""The simulator's wall clock and the providers' timestamp formats.

Everything the service says about wall-clock time comes from this clock: task timestamps, the
task list's time filter, result URL expiry and the HTTP ``Date`` header. It is the machine's clock
shifted by ``skew`` (``SimulatorConfig.clock_skew_seconds``), so a client that trusts its own clock
instead of the service's ``Date`` can be caught, plus an offset tests may advance
(``handle.advance_clock``) to see a 24 h expiry without waiting a day. Task lifecycles and quota
windows use monotonic time, so moving the clock never makes a task finish early.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import formatdate

# DashScope reports times in Beijing time (UTC+8) without a zone suffix.
DASHSCOPE_TZ = timezone(timedelta(hours=8))


class Clock:
    """Wall-clock seconds since the epoch, shifted by ``skew`` and by what tests advanced."""

    def __init__(self, skew: float = 0.0) -> None:
        self.skew = skew
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch as the simulator sees them."""
        with self._lock:
            return time.time() + self.skew + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError(f"the clock only moves forward (got {seconds})")
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        """Forget any advance (the configured skew stays)."""
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


def http_date(epoch: float) -> str:
    """An RFC 9110 ``Date`` header value (``Tue, 01 Jul 2026 08:00:00 GMT``)."""
    return formatdate(epoch, usegmt=True)


def epoch_ms(epoch: float) -> int:
    """Milliseconds since the epoch, as the DashScope task list reports times."""
    return int(epoch * 1000)


def iso_time(epoch: float) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as Modellix and MuleRouter report times."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
