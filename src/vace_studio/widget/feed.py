"""The studio's card feed: task changes → Python-side cards → small deltas for the browser.

Every tracked task is observed; a change marks its card dirty and the throttle flushes at most
every 0.25 s: each dirty task's view is rebuilt (:func:`~vace_studio.experiments.views.task_view`),
the Python-side ``cards``/``results`` published (the ``notebook_card`` and ``result`` projections),
and of the browser's ``card`` projection only the fields that changed are sent, as one ``tasks``
push (:func:`delta`).

The browser's card has no kernel path (it only needs to know a video exists) and carries
``order`` instead of the local queue position, so that a task leaving the local queue does not
cost one delta per task behind it: the browser ranks the waiting cards by ``order`` itself.

In a shared store (classroom mode) a card's place is in the *account's* queue, shared with the
class, which ``order`` cannot tell; there the card carries ``position`` and ``eta`` (see
:func:`shown_card`). Both come from the store's follower, which recomputes them only when the
class's queue changed, and ``eta`` is a whole number of seconds that does not tick: a quiet
queue sends nothing, and a move sends, in one push, only the cards whose place or ETA changed.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from vace_studio.engine import Task, TaskRecord
from vace_studio.engine.status import LOCAL_QUEUE, WITH_VIDEO
from vace_studio.experiments.views import TaskView, project, task_view
from vace_studio.widget.clients import Clients
from vace_studio.widget.throttle import Throttle
from vace_studio.widget.videos import source_ref
from vace_studio.widget.wording import stored_warnings

Card = dict[str, Any]

Publish = Callable[[list[Card], list[Card]], None]
"""Receives the Python-side cards and results, newest first."""


def delta(old: Card | None, new: Card) -> Card | None:
    """``new`` whole when ``old`` is None, else the changed fields plus ``local_id``; None when
    nothing changed."""
    if old is None:
        return dict(new)
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if not changed:
        return None
    return {"local_id": new["local_id"], **changed}


def card_view(
    task: Task,
    *,
    order: int,
    expected_seconds: float | None,
    console_url: str | None,
    held: str | None,
) -> TaskView:
    """The view of a task the studio shows, with what only the widget knows: the form's words
    for its warnings, its rank among waiting cards, its ETA, and why it waits (``held``: why
    its client's submissions are paused, if they are)."""
    rec = task.record
    return task_view(
        rec,
        task=task,
        expected_seconds=None if expected_seconds is None else round(expected_seconds, 3),
        console_url=console_url,
        paused=held if rec.status in LOCAL_QUEUE else None,
        warnings=stored_warnings(rec.warnings, rec.function),
        # A/B: the source video the result was made from, when the kernel can send it.
        has_source=source_ref(rec.request) is not None,
        order=order,
    )


def shown_card(view: TaskView, *, class_queue: bool) -> Card:
    """The browser's ``card`` projection of ``view``. Outside a class (``class_queue`` false)
    ``position`` and ``eta`` stay None: the browser ranks one kernel's waiting cards by
    ``order``, so the local queue moving up pushes nothing."""
    shown = project(view, "card")
    if not class_queue:
        shown.update(position=None, eta=None)
    return shown


class CardFeed:
    """The cards of the tasks one studio shows.

    ``send`` pushes a message to the browser, ``publish`` sets the studio's ``cards`` and
    ``results`` traits, ``clients`` are the studio's clients: their typical run times,
    consoles and held queues fill the cards of their tasks.
    """

    def __init__(
        self,
        *,
        send: Callable[[dict[str, Any]], None],
        publish: Publish,
        clients: Clients,
    ) -> None:
        self._send = send
        self._publish = publish
        self._clients = clients
        self.tasks: dict[str, Task] = {}  # oldest first
        self.cards: dict[str, Card] = {}  # current Python-side cards
        self.sent: dict[str, Card] = {}  # what the browser last got, per task
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self._order: dict[str, int] = {}
        self._next_order = 0
        self._dirty: set[str] = set()
        self._expected: dict[tuple[str, str, Any], float | None] = {}
        self._views: dict[str, TaskView] = {}
        self.throttle = Throttle(self.flush)

    def track(self, task: Task) -> None:
        if task.local_id in self.tasks:
            return
        self.tasks[task.local_id] = task
        self._order[task.local_id] = self._take_order()
        self._unsubscribe[task.local_id] = task.observe(self.changed)
        self.changed(task)

    def task(self, local_id: object) -> Task | None:
        """A task this studio shows."""
        return self.tasks.get(local_id) if isinstance(local_id, str) else None

    def record(self, local_id: object) -> TaskRecord | None:
        """A task of this studio, or any task in the current client's store (the Gallery and
        History show those of earlier kernels too)."""
        task = self.task(local_id)
        if task is not None:
            return task.record
        return self._clients.current.store.get(local_id) if isinstance(local_id, str) else None

    def changed(self, task: Task) -> None:
        self._dirty.add(task.local_id)
        self.throttle.mark()

    def refresh_all(self) -> None:
        """Rebuild every card (something they all show changed, e.g. the queue was held)."""
        self._dirty.update(self.tasks)
        self.throttle.mark()

    def close(self) -> None:
        for stop in self._unsubscribe.values():
            stop()
        self._unsubscribe.clear()
        self.throttle.close()

    # -- building cards --------------------------------------------------------------------
    def _take_order(self) -> int:
        self._next_order += 1
        return self._next_order

    def _expected_seconds(self, task: Task) -> float | None:
        """Typical submit-to-finish time of similar tasks: the store's median, else the
        provider's typical time; the browser turns it into an ETA."""
        rec = task.record
        key = (rec.endpoint, rec.function, rec.request.get("size"))
        if key not in self._expected:
            history = self._clients.current.store.durations(*key)
            owner = self._clients.owner(task)
            typical = owner.poll_policy.default_expected if owner is not None else None
            self._expected[key] = (
                statistics.median(total for total, _ in history) if history else typical
            )
        return self._expected[key]

    def _fix_queue_order(self) -> None:
        """Keep ``order`` ranking the waiting cards as the scheduler's queue does.

        New tasks join the end of both, so normally nothing is sent when the queue moves; only
        a task put back at the front (a throttled submit) renumbers the waiting cards once.
        """
        waiting = sorted(
            (t for t in self.tasks.values() if t.status in LOCAL_QUEUE and t.position),
            key=lambda t: t.position or 0,
        )
        orders = [self._order[t.local_id] for t in waiting]
        if all(a < b for a, b in itertools.pairwise(orders)):
            return
        for task in waiting:
            self._order[task.local_id] = self._take_order()
            self._dirty.add(task.local_id)

    def _view(self, task: Task, expected: float | None) -> TaskView:
        owner = self._clients.owner(task)
        view = card_view(
            task,
            order=self._order[task.local_id],
            expected_seconds=expected,
            console_url=owner.provider.console_url if owner is not None else None,
            held=owner.submissions_held if owner is not None else None,
        )
        self._views[task.local_id] = view
        return view

    def flush(self) -> None:
        self._fix_queue_order()
        dirty, self._dirty = self._dirty, set()
        deltas: list[Card] = []
        for local_id in dirty:
            task = self.tasks.get(local_id)
            if task is None:
                continue
            if task.status in WITH_VIDEO:
                self._expected.clear()  # one more success to learn from
            # The typical duration is re-read only when the status changes: the median moves with
            # every success, and resending it to 200 waiting cards each time would dwarf the rest.
            before = self.cards.get(local_id)
            expected = (
                before["expected_seconds"]
                if before is not None and before["status"] == task.status
                else self._expected_seconds(task)
            )
            view = self._view(task, expected)
            self.cards[local_id] = project(view, "notebook_card")
            owner = self._clients.owner(task)
            shown = shown_card(view, class_queue=owner is not None and owner.shared is not None)
            change = delta(self.sent.get(local_id), shown)
            self.sent[local_id] = shown
            if change is not None:
                deltas.append(change)
        newest_first = [self.cards[i] for i in reversed(self.tasks) if i in self.cards]
        results = [
            project(self._views[c["local_id"]], "result")
            for c in newest_first
            if c["status"] in WITH_VIDEO
        ]
        self._publish(newest_first, results)
        if deltas:
            self._send({"kind": "tasks", "now": round(time.time(), 3), "cards": deltas})

    def snapshot(self) -> dict[str, Any]:
        """Every card as the browser knows it, newest first (for a view that just opened)."""
        self.throttle.flush_now()
        shown = [self.sent[i] for i in reversed(self.tasks) if i in self.sent]
        return {"now": round(time.time(), 3), "cards": shown}
