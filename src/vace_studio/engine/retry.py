"""Retry policies, built on tenacity.

Two policies, because a status request and a paid submit are not alike:

* **idempotent** (polls, downloads, cancels): retry network errors, 429 and 5xx with jittered
  exponential backoff, never sooner than the server's ``Retry-After``.
* **submit**: retry only when the request provably never left: the connection was never made
  (connect error, connect/pool timeout). A read timeout or a dropped response after sending is
  *not* retried: the task may exist, and a second submit would be a second paid task. A 429 is
  not retried here either: the lifecycle tells a throttle (wait its turn in the queue) from a
  billing or quota refusal (fail, hold the queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from vace_studio.providers import ProviderError, ServerError, ThrottledError

if TYPE_CHECKING:
    # tenacity is imported when the first policy is built: at import time it pulls in tornado
    # (and curses) whenever tornado is installed, as it is beside Jupyter, which would double
    # the cost of ``import vace_studio`` for the CLI and scripts.
    from tenacity import AsyncRetrying, RetryCallState, wait_exponential_jitter

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)
"""Transport errors raised before any byte of the request reached the server."""


def _retry_after(error: BaseException | None) -> float:
    if isinstance(error, ProviderError) and error.retry_after is not None:
        return max(0.0, error.retry_after)
    if isinstance(error, httpx.HTTPStatusError):
        raw = error.response.headers.get("retry-after")
        try:
            return max(0.0, float(raw)) if raw else 0.0
        except ValueError:
            return 0.0
    return 0.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry; the defaults suit an interactive notebook."""

    attempts: int = 6
    initial: float = 0.5
    max_wait: float = 30.0
    max_total: float = 300.0

    def _wait(self) -> wait_exponential_jitter:
        from tenacity import wait_exponential_jitter

        return wait_exponential_jitter(
            multiplier=self.initial, max=self.max_wait, jitter=self.initial
        )

    def _waiter(self, state: RetryCallState) -> float:
        backoff = self._wait()(state)
        error = state.outcome.exception() if state.outcome else None
        return max(backoff, _retry_after(error))

    def idempotent(self) -> AsyncRetrying:
        """For requests that are safe to repeat: polls, downloads, cancels, uploads."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_after_delay

        return AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=self._waiter,
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.max_total),
            reraise=True,
        )

    def submit(self) -> AsyncRetrying:
        """For a paid submit: only errors that prove no task was created."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_after_delay

        return AsyncRetrying(
            retry=retry_if_exception(never_created),
            wait=self._waiter,
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.max_total),
            reraise=True,
        )


def is_transient(error: BaseException) -> bool:
    """Network trouble, 429 or 5xx: worth another try for an idempotent request."""
    if isinstance(error, ThrottledError | ServerError | httpx.TransportError):
        return True
    if isinstance(error, httpx.HTTPStatusError):
        code = error.response.status_code
        return code == 429 or code >= 500
    return False


def never_created(error: BaseException) -> bool:
    """True only when a failed submit certainly never reached the provider."""
    return isinstance(error, NEVER_SENT)
