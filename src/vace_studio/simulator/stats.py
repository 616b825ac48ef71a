"""Counters tests read to check client behaviour: submits, tasks created, polls, faults, renders.

Not part of any provider protocol; served under ``/_simulator/stats`` and by ``handle.stats()``.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SimulatorStats:
    """A snapshot of the simulator's counters.

    - ``submits``: submit requests that reached a provider route, by provider (refused ones too,
      billing refusals included; not those an injected fault answered before the route).
    - ``requests``: every request on a provider route by ``"provider:kind"`` (kind ``submit``,
      ``poll``, ``cancel``, ``list``, ``upload``, ``download``; ``shared:download`` for result
      videos), counted before faults are drawn: what the client sent, whatever it was answered.
    - ``tasks_created``: tasks created, by provider.
    - ``tasks_by_account``: tasks created by ``"provider:account"``.
    - ``polls``: task queries answered, by provider.
    - ``rejected``: refused requests by ``"provider:reason"``, reason one of ``auth`` (401),
      ``invalid`` (400), ``quota`` (429 from a quota), ``forbidden`` (403), ``not_found`` (404),
      ``conflict`` (409), ``too_large``, ``billing`` (a ``FaultConfig.billing`` refusal). Injected
      faults are counted under ``faults`` instead.
    - ``faults``: injected faults by kind (``drop_before``, ``drop_after``, ``throttle``,
      ``server_error``, ``server_error_after``, ``malformed``, ``slow``, ``task_failure``).
    - ``fingerprints``: tasks created per request fingerprint (the request as the service uses
      it); a count above 1 means the same request became more than one task.
    - ``submit_bodies``: submit requests per ``"provider:account:digest"`` of the JSON body as
      received (refused ones too); a count above 1 means the client sent that body again.
    - ``unfinished`` / ``peak_unfinished``: queued-or-running tasks now and at most, by
      ``"provider:account"`` (an account is a short hash of the API key, never the key).
    - ``renders`` / ``render_cache_hits``: videos rendered, and tasks served from the cache.
    - ``uploads``: files received (temporary OSS uploads and Modellix media files).
    """

    submits: dict[str, int] = field(default_factory=dict)
    tasks_created: dict[str, int] = field(default_factory=dict)
    tasks_by_account: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    submit_bodies: dict[str, int] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    fingerprints: dict[str, int] = field(default_factory=dict)
    unfinished: dict[str, int] = field(default_factory=dict)
    peak_unfinished: dict[str, int] = field(default_factory=dict)
    renders: int = 0
    render_cache_hits: int = 0
    uploads: int = 0

    @property
    def duplicate_submits(self) -> int:
        """Tasks created beyond the first for each distinct request."""
        return sum(n - 1 for n in self.fingerprints.values() if n > 1)

    @property
    def repeated_submit_bodies(self) -> int:
        """Submit requests whose body the same account had already sent to the same provider."""
        return sum(n - 1 for n in self.submit_bodies.values() if n > 1)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, including ``duplicate_submits`` and ``repeated_submit_bodies``."""
        return {
            "submits": self.submits,
            "requests": self.requests,
            "tasks_created": self.tasks_created,
            "tasks_by_account": self.tasks_by_account,
            "polls": self.polls,
            "rejected": self.rejected,
            "faults": self.faults,
            "fingerprints": self.fingerprints,
            "duplicate_submits": self.duplicate_submits,
            "submit_bodies": self.submit_bodies,
            "repeated_submit_bodies": self.repeated_submit_bodies,
            "unfinished": self.unfinished,
            "peak_unfinished": self.peak_unfinished,
            "renders": self.renders,
            "render_cache_hits": self.render_cache_hits,
            "uploads": self.uploads,
        }


class Counters:
    """Thread-safe counters behind :class:`SimulatorStats` (tasks add theirs at snapshot time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}

    def add(self, group: str, name: str, n: int = 1) -> None:
        """Add ``n`` to counter ``name`` of ``group``."""
        with self._lock:
            self._counts.setdefault(group, Counter())[name] += n

    def get(self, group: str) -> dict[str, int]:
        """A copy of one group's counters."""
        with self._lock:
            return dict(self._counts.get(group, {}))

    def total(self, group: str) -> int:
        """The sum of one group's counters."""
        with self._lock:
            return sum(self._counts.get(group, Counter()).values())

    def reset(self) -> None:
        """Zero everything."""
        with self._lock:
            self._counts.clear()
