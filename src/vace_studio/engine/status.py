"""Every local task status and every allowed move between them, in one table.

Like h11's ``_state.py``: the statuses are one enum, the moves one table keyed by
``(status, event)``, and every set the rest of the code asks about (unfinished, terminal, settled
after a submit, cancelable, retryable, ...) is computed from that table — never retyped. The
browser receives :func:`table_json` as a trait, so the front end derives the same sets.

A task's life::

    waiting ─claim→ submitting ─accept→ queued ─start→ running ─succeed→ succeeded
       ↑              │  │  │                   (fail / cancel / vanish from queued or running)
       └──── hold ────┘  │  └─refuse→ failed
                         └─lose→ reconciling ─found→ queued
                                   │   ↑  └─absent→ waiting   (lists proved nothing was created)
                            surface│   │reconcile
                                   ↓   │
                                 uncertain ─adopt/found→ queued, ─absent→ waiting,
                                           ─resubmit→ replaced (a new task took its place)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where a task is, as the engine tracks it (a superset of the providers' six words)."""

    WAITING = "waiting"
    """In the local queue, not sent yet (see ``Task.position``)."""
    SUBMITTING = "submitting"
    """Its submit is being sent (media checks and uploads first)."""
    RECONCILING = "reconciling"
    """The submit's answer was lost; the engine is finding out whether a task was created."""
    UNCERTAIN = "uncertain"
    """Nobody can yet tell whether the provider created a task: a person may adopt the
    provider's task id or submit again; the engine keeps looking where it can list tasks."""
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    UNKNOWN = "unknown"
    """The provider no longer knows the task (absent or expired)."""
    REPLACED = "replaced"
    """A person submitted this request again; the new task names this one in ``replaces``."""


class Event(StrEnum):
    """What moves a task."""

    CLAIM = "claim"  # the scheduler takes it from the queue to send it
    HOLD = "hold"  # refused without creating a task (throttled, queue paused): back in line
    ACCEPT = "accept"  # the provider answered with a task id
    REFUSE = "refuse"  # the provider (or a check just before sending) refused it for good
    LOSE = "lose"  # the submit's answer never arrived, or said "server error"
    SURFACE = "surface"  # reconciliation could not tell in time: a person is told
    FOUND = "found"  # a task list showed the task the lost submit created
    ABSENT = "absent"  # successful task lists proved no task was created
    RECONCILE = "reconcile"  # look again (background retry, or after a restart)
    ADOPT = "adopt"  # a person pasted the provider's task id
    RESUBMIT = "resubmit"  # a person chose to submit it again as a new task
    START = "start"  # the provider reports it running
    SUCCEED = "succeed"
    FAIL = "fail"
    CANCEL = "cancel"  # a person cancels: locally (waiting) or at the provider (queued)
    STOPPED = "stopped"  # the provider reports it canceled
    VANISH = "vanish"  # the provider no longer knows it
    RERUN = "rerun"  # run the same request again as a new task (the old one stays as it is)


S, E = Status, Event

TRANSITIONS: Mapping[tuple[Status, Event], Status] = {
    (S.WAITING, E.CLAIM): S.SUBMITTING,
    (S.WAITING, E.CANCEL): S.CANCELED,
    (S.SUBMITTING, E.HOLD): S.WAITING,
    (S.SUBMITTING, E.ACCEPT): S.QUEUED,
    (S.SUBMITTING, E.REFUSE): S.FAILED,
    (S.SUBMITTING, E.LOSE): S.RECONCILING,
    (S.RECONCILING, E.FOUND): S.QUEUED,
    (S.RECONCILING, E.ABSENT): S.WAITING,
    (S.RECONCILING, E.SURFACE): S.UNCERTAIN,
    (S.UNCERTAIN, E.FOUND): S.QUEUED,
    (S.UNCERTAIN, E.ABSENT): S.WAITING,
    (S.UNCERTAIN, E.RECONCILE): S.RECONCILING,
    (S.UNCERTAIN, E.ADOPT): S.QUEUED,
    (S.UNCERTAIN, E.RESUBMIT): S.REPLACED,
    (S.QUEUED, E.START): S.RUNNING,
    (S.QUEUED, E.SUCCEED): S.SUCCEEDED,
    (S.QUEUED, E.FAIL): S.FAILED,
    (S.QUEUED, E.CANCEL): S.CANCELED,
    (S.QUEUED, E.STOPPED): S.CANCELED,
    (S.QUEUED, E.VANISH): S.UNKNOWN,
    (S.RUNNING, E.SUCCEED): S.SUCCEEDED,
    (S.RUNNING, E.FAIL): S.FAILED,
    # The provider is the authority: a running task it reports canceled is canceled, although
    # a person can only cancel queued ones (DashScope cancels PENDING tasks only).
    (S.RUNNING, E.STOPPED): S.CANCELED,
    (S.RUNNING, E.VANISH): S.UNKNOWN,
    (S.FAILED, E.RERUN): S.FAILED,
    (S.CANCELED, E.RERUN): S.CANCELED,
    (S.UNKNOWN, E.RERUN): S.UNKNOWN,
}
"""``(status, event) → next status``: every move a task can make. Anything else is a bug."""

del S, E

SUBMIT_EVENTS = frozenset({Event.CLAIM, Event.HOLD, Event.ACCEPT, Event.REFUSE, Event.LOSE})
"""Events of the submit itself, up to the moment it has an outcome a caller can be told."""


def _events(status: Status) -> frozenset[Event]:
    return frozenset(event for (source, event) in TRANSITIONS if source is status)


def _where(has: Iterable[Event]) -> frozenset[Status]:
    wanted = frozenset(has)
    return frozenset(status for status in Status if _events(status) & wanted)


TERMINAL = frozenset(
    status
    for status in Status
    if all(TRANSITIONS[(status, event)] is status for event in _events(status))
)
"""Statuses a task never leaves (only a re-run, a *new* task, follows them)."""
UNFINISHED = frozenset(Status) - TERMINAL
"""Statuses the engine still has work for (or a person has a decision to make)."""
PENDING_SUBMIT = _where(SUBMIT_EVENTS) | frozenset({Status.RECONCILING})
"""Statuses before a submit has an outcome: ``Client.submit`` waits while a task is in one.
Reconciling counts: the engine settles it within seconds, one way or the other."""
SETTLED_AFTER_SUBMIT = frozenset(Status) - PENDING_SUBMIT
"""Statuses in which a submit has its outcome: accepted, refused, or honestly uncertain."""
AT_PROVIDER = frozenset(
    status
    for status in UNFINISHED - PENDING_SUBMIT
    if TRANSITIONS.get((status, Event.SUCCEED)) is not None
)
"""Statuses of a task the provider holds and the engine polls (queued, running)."""
CANCELABLE = _where({Event.CANCEL})
"""Statuses in which a person may cancel (a running task cannot be canceled at DashScope)."""
LOCAL_QUEUE = _where({Event.CLAIM})
"""Statuses of a task in the local queue, with a place in line."""
WITH_VIDEO = frozenset(
    target for (_, event), target in TRANSITIONS.items() if event is Event.SUCCEED
)
"""Statuses of a task that produced a video."""
RETRYABLE = _where({Event.RERUN})
"""Ended without a video: the same request may be run again as a new task."""
ADOPTABLE = _where({Event.ADOPT})
"""A person may paste the provider's task id (the submit's answer was lost)."""
RESUBMITTABLE = _where({Event.RESUBMIT})
"""A person may submit the request again as a new task that replaces this one."""


class TransitionError(RuntimeError):
    """A task was asked to make a move the table does not allow: a bug, never input."""


def after(status: Status | str, event: Event) -> Status:
    """The status ``event`` moves a task in ``status`` to, or :class:`TransitionError`."""
    current = Status(status)
    try:
        return TRANSITIONS[(current, event)]
    except KeyError:
        raise TransitionError(f"a {current} task cannot {event}") from None


def can(status: Status | str, event: Event) -> bool:
    """Whether ``event`` may happen to a task in ``status``."""
    return (Status(status), event) in TRANSITIONS


_POLLED = {
    "queued": None,
    "running": Event.START,
    "succeeded": Event.SUCCEED,
    "failed": Event.FAIL,
    "canceled": Event.STOPPED,
    "unknown": Event.VANISH,
}


def poll_event(current: Status | str, provider_status: str) -> Event | None:
    """The event a poll that reported ``provider_status`` (one of the providers' six common
    words) means for a task in ``current``; ``None`` when it changes nothing (still queued, or
    a report that would move backwards, running → queued)."""
    event = _POLLED[provider_status]
    return event if event is not None and can(current, event) else None


def table_json() -> dict[str, Any]:
    """The table and its derived sets as JSON, for the browser (one source for both sides)."""

    def names(statuses: Iterable[Status]) -> list[str]:
        return [status.value for status in Status if status in set(statuses)]

    return {
        "statuses": names(Status),
        "transitions": [
            {"from": source.value, "event": event.value, "to": target.value}
            for (source, event), target in TRANSITIONS.items()
        ],
        "terminal": names(TERMINAL),
        "unfinished": names(UNFINISHED),
        "pending_submit": names(PENDING_SUBMIT),
        "at_provider": names(AT_PROVIDER),
        "cancelable": names(CANCELABLE),
        "retryable": names(RETRYABLE),
        "adoptable": names(ADOPTABLE),
        "resubmittable": names(RESUBMITTABLE),
        "local_queue": names(LOCAL_QUEUE),
        "with_video": names(WITH_VIDEO),
    }
