"""How long a run of throttled submits may go on before it is not a throttle any more.

A rate limit clears within about a minute (providers.md 1.5). A 429 that may be a spent quota
(``Throttling.AllocationQuota`` without a telling message, a gateway's bare 429) is given about a
minute; a plain rate limit five. After that the refusal is treated as what it then is — a quota
or billing state a person must change — instead of being re-sent for ever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from vace_studio.providers import ProviderError


@dataclass
class ThrottleBudget:
    """The account's current run of throttled submits (cleared by an accepted submit)."""

    ambiguous_seconds: float = 60.0
    rate_seconds: float = 300.0
    first_wait: float = 2.0
    max_wait: float = 30.0
    _since: float | None = field(default=None, init=False)
    _count: int = field(default=0, init=False)

    def next_wait(self, error: ProviderError) -> float | None:
        """Seconds to wait before the next submit, or ``None`` when the run has gone on too
        long for a throttle. Honours the provider's ``Retry-After``."""
        now = time.monotonic()
        if self._since is None:
            self._since = now
        budget = self.ambiguous_seconds if error.may_be_quota else self.rate_seconds
        if now - self._since >= budget:
            return None
        backoff = min(self.max_wait, self.first_wait * 2.0**self._count)
        self._count += 1
        # The provider's own ``Retry-After`` wins; without one, back off exponentially.
        wait: float = error.retry_after if error.retry_after is not None else backoff
        return min(wait, max(0.0, self._since + budget - now) + 0.01)

    def clear(self) -> None:
        self._since = None
        self._count = 0
