"""Finding out whether a submit whose answer was lost created a task — honestly.

A submit answered 5xx, cut off, or timed out may or may not have created a (paid) task. Where the
provider can list tasks (DashScope), the engine lists the account's tasks around the moment of
the submit and decides:

* exactly one task the store does not know was created in that moment → it is this one (found);
* successful lists, made after the list's lag, show none → nothing was created (absent), and
  the request goes back to the front of the queue;
* anything else — lists failing, several unknown tasks — proves nothing: the task stays
  uncertain and a person is told, while the engine keeps looking, slower, in the background.

A failed list is never read as "not created". The list API takes at most 24 hours and works in
the service's time; the window is computed on the provider's clock, learned from the ``Date``
header of its answers, and the listed creation times are compared on that clock too.

Where the provider cannot list (Modellix, MuleRouter), the task is surfaced at once with the
person's two choices: paste the task id from the provider's console, or submit again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from vace_studio.engine.status import Event, Status
from vace_studio.providers import ProviderError, TaskLister

if TYPE_CHECKING:
    from vace_studio.engine.retry import RetryPolicy
    from vace_studio.engine.scheduler import Scheduler
    from vace_studio.engine.store_api import TaskStore
    from vace_studio.engine.task import Task
    from vace_studio.engine.transport import Transport
    from vace_studio.providers import Provider

log = logging.getLogger("vace_studio")

LOST_CODE = "SubmitOutcomeUnknown"
"""The ``error_code`` of a task whose submit's answer was lost (not a provider code)."""


@dataclass(frozen=True)
class ReconcilePolicy:
    """How patiently a lost submit is reconciled.

    - ``list_lag``: seconds a new task may take to appear in the provider's list; only lists
      made at least this long after the submit count as proof that nothing was created.
    - ``proofs``: how many such successful, empty lists prove absence.
    - ``quick``: delays between the first lists, before the caller is told the task is uncertain.
    - ``background``: delays of the later, slower lists (the task is uncertain meanwhile).
    - ``margin``: seconds added on each side of the submit's moment, on the provider's clock
      (``Date`` has whole seconds; the network adds a little).
    """

    list_lag: float = 15.0
    proofs: int = 2
    quick: tuple[float, ...] = (1.5, 3.0, 6.0, 10.0)
    background: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
    margin: float = 3.0


@dataclass(frozen=True)
class LostSubmit:
    """A submit whose answer was lost: when it was sent and when it failed (local clock)."""

    started: float
    ended: float
    reason: str

    def to_json(self) -> dict[str, Any]:
        """Kept in the task's ``extra``, so a restart can reconcile it again."""
        return {
            "lost_submit": {"started": self.started, "ended": self.ended, "reason": self.reason}
        }

    @classmethod
    def from_json(cls, extra: Mapping[str, Any]) -> LostSubmit | None:
        found = extra.get("lost_submit")
        if not isinstance(found, dict):
            return None
        try:
            return cls(float(found["started"]), float(found["ended"]), str(found["reason"]))
        except (KeyError, TypeError, ValueError):
            return None


Accept = Callable[["Task", str, Event], None]
Requeue = Callable[["Task"], None]


class Reconciler:
    """Matches lost submits to the tasks the provider created, or proves there are none."""

    def __init__(
        self,
        *,
        provider: Provider,
        transport: Transport,
        store: TaskStore,
        scheduler: Scheduler,
        retry: RetryPolicy,
        policy: ReconcilePolicy,
        accept: Accept,
        requeue: Requeue,
    ) -> None:
        self.provider = provider
        self.transport = transport
        self.store = store
        self.scheduler = scheduler
        self.retry = retry
        self.policy = policy
        self._accept = accept
        self._requeue = requeue

    # -- the person's view -----------------------------------------------------------------
    def advice(
        self, lost: LostSubmit, candidates: list[str] | None = None, *, stopped: bool = False
    ) -> str:
        """What a person can do about an uncertain task, in plain words (``stopped``: the
        engine has given up looking by itself)."""
        when = time.strftime("%H:%M:%S", time.localtime(lost.started))
        console = self.provider.console_url
        if candidates:
            return (
                f"Several tasks unknown here were created around {when}: "
                f"{', '.join(candidates)}. Adopt the one that is this request's (its prompt is "
                f"shown in {console}), or submit again."
            )
        if isinstance(self.provider, TaskLister) and stopped:
            return (
                f"The task list could not settle whether the submit at {when} created a task, "
                f"and vace-studio has stopped checking. Look in {console}: if a task was created "
                "then, adopt its id; if not, submit again."
            )
        if isinstance(self.provider, TaskLister):
            return (
                f"vace-studio could not yet tell from the task list whether the submit at {when} "
                f"created a task, and keeps checking. You can also look in {console}: if a task "
                "was created then, adopt its id; if not, submit again."
            )
        return (
            f"{self.provider.info.label} cannot list tasks, so vace-studio cannot tell whether the "
            f"submit at {when} created a task. Look in {console}: if a task was created then, "
            "adopt its id here; if not, submit again (if one was created, both are charged)."
        )

    def surface(
        self,
        task: Task,
        lost: LostSubmit,
        candidates: list[str] | None = None,
        *,
        stopped: bool = False,
    ) -> None:
        """Tell a person: the task is uncertain, with what happened, when, and the choices."""
        event = Event.SURFACE if task.status is Status.RECONCILING else None
        task.commit(
            event,
            error_code=LOST_CODE,
            error_message=lost.reason,
            advice=self.advice(lost, candidates, stopped=stopped),
            extra={**task.record.extra, "candidates": candidates or []},
        )

    # -- the engine's search ---------------------------------------------------------------
    async def run(self, task: Task, lost: LostSubmit) -> None:
        """Reconcile ``task`` (in ``reconciling``) with quick lists; when they cannot settle it,
        surface it as uncertain and keep looking, slower, in the background."""
        if not isinstance(self.provider, TaskLister):
            self.surface(task, lost)
            return
        proofs = await self._search(self.provider, task, lost, self.policy.quick, 0)
        if proofs is None:
            return
        self.surface(task, lost)
        self.scheduler.spawn(self._keep_looking(self.provider, task, lost, proofs))

    async def _keep_looking(
        self, lister: TaskLister, task: Task, lost: LostSubmit, proofs: int
    ) -> None:
        unsettled = await self._search(lister, task, lost, self.policy.background, proofs)
        if unsettled is not None and task.status is Status.UNCERTAIN:
            self.surface(task, lost, stopped=True)

    async def _search(
        self,
        lister: TaskLister,
        task: Task,
        lost: LostSubmit,
        delays: tuple[float, ...],
        proofs: int,
    ) -> int | None:
        """List after each delay; ``None`` once settled (found, absent, or a person acted), else
        the number of absence proofs so far."""
        for delay in delays:
            await asyncio.sleep(delay)
            if task.status not in (Status.RECONCILING, Status.UNCERTAIN):
                return None  # a person adopted an id or submitted again meanwhile
            if time.time() - lost.started > lister.list_max_range_seconds - 600.0:
                return proofs  # tasks are listed for 24 hours: no list can settle it now
            listed_at = time.time()
            try:
                candidates = await self._unknown_tasks_around(lister, lost)
            except (httpx.TransportError, ProviderError, ValueError) as error:
                # Never "not created": a failed list proves nothing.
                log.warning("task %s: listing tasks failed: %s", task.local_id, error)
                task.last_error = f"the task list could not be read, will retry: {error}"
                task.notify()
                continue
            if len(candidates) == 1:
                self._accept(task, candidates[0], Event.FOUND)
                return None
            if candidates:
                self.surface(task, lost, candidates)
                return None
            if listed_at - lost.ended >= self.policy.list_lag:
                proofs += 1
            if proofs >= self.policy.proofs:
                # Another kernel sharing the store may have settled it first: then it requeued it.
                if task.commit(
                    Event.ABSENT, owner=None, error_code=None, error_message=None, advice=None
                ):
                    self._requeue(task)
                return None
        return proofs

    async def _unknown_tasks_around(self, lister: TaskLister, lost: LostSubmit) -> list[str]:
        """Ids of this model's tasks, unknown to the store, created during the lost submit."""
        margin = self.policy.margin
        found: list[str] = []
        for page in range(1, 100):
            # The window is computed on the provider's clock as last learned; the list answer's
            # own ``Date`` refreshes it before the creation times are compared.
            offset = self.transport.clock_offset or 0.0
            # Wide enough for a clock we have not learned yet, never wider than the API allows.
            slack = min(3600.0, lister.list_max_range_seconds / 4)
            spec = lister.list_between(
                lost.started + offset - slack, lost.ended + offset + slack, page_no=page
            )
            async for attempt in self.retry.idempotent():
                with attempt:
                    async with self.scheduler.query_window():
                        raw = await self.transport.send(spec)
                    states = lister.parse_list(*raw)
            offset = self.transport.clock_offset or 0.0
            lo, hi = lost.started + offset - margin, lost.ended + offset + margin
            for state in states:
                if state.created_at is not None and not lo <= state.created_at <= hi:
                    continue
                if self.store.find_task_id(self.provider.base_url, state.task_id) is None:
                    found.append(state.task_id)
            if len(states) < 100:
                break
        return sorted(set(found))
