"""The studio's card feed: task changes → Python-side cards → small deltas for the browser.

Every tracked task is observed; a change marks its card dirty and the throttle flushes at most
every 0.25 s: the cards are rebuilt (:func:`~vace_studio.widget.cards.summary`), the Python-side
``cards``/``results`` published, and only the fields that changed sent as one ``tasks`` push.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from vace_studio.engine import Client, Task
from vace_studio.engine.status import LOCAL_QUEUE, WITH_VIDEO
from vace_studio.widget import cards as cardlib
from vace_studio.widget.throttle import Throttle

Publish = Callable[[list[cardlib.Card], list[cardlib.Card]], None]
"""Receives the Python-side cards and results, newest first."""


class CardFeed:
    """The cards of the tasks one studio shows.

    ``send`` pushes a message to the browser, ``publish`` sets the studio's ``cards`` and
    ``results`` traits, ``clients`` lists the studio's clients (the current one last): their
    typical run times and consoles fill the cards of their tasks.
    """

    def __init__(
        self,
        *,
        send: Callable[[dict[str, Any]], None],
        publish: Publish,
        clients: Callable[[], list[Client]],
    ) -> None:
        self._send = send
        self._publish = publish
        self._clients = clients
        self.tasks: dict[str, Task] = {}  # oldest first
        self.cards: dict[str, cardlib.Card] = {}  # current Python-side cards
        self.sent: dict[str, cardlib.Card] = {}  # what the browser last got, per task
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self._order: dict[str, int] = {}
        self._next_order = 0
        self._dirty: set[str] = set()
        self._expected: dict[tuple[str, str, Any], float | None] = {}
        self.throttle = Throttle(self.flush)

    def track(self, task: Task) -> None:
        if task.local_id in self.tasks:
            return
        self.tasks[task.local_id] = task
        self._order[task.local_id] = self._take_order()
        self._unsubscribe[task.local_id] = task.observe(self.changed)
        self.changed(task)

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

    def _client_of(self, task: Task) -> Client | None:
        clients = self._clients()
        return next((c for c in reversed(clients) if c.endpoint == task.record.endpoint), None)

    def _expected_seconds(self, task: Task) -> float | None:
        """Typical submit-to-finish time of similar tasks: the store's median, else the
        provider's typical time; the browser turns it into an ETA."""
        rec = task.record
        key = (rec.endpoint, rec.function, rec.request.get("size"))
        if key not in self._expected:
            clients = self._clients()
            history = clients[-1].store.durations(*key)
            owner = self._client_of(task)
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

    def flush(self) -> None:
        self._fix_queue_order()
        dirty, self._dirty = self._dirty, set()
        deltas: list[cardlib.Card] = []
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
            owner = self._client_of(task)
            card = cardlib.summary(
                task,
                expected_seconds=expected,
                console_url=owner.provider.console_url if owner is not None else None,
                held=owner.submissions_held if owner is not None else None,
            )
            self.cards[local_id] = card
            shown = cardlib.wire(card, self._order[local_id])
            change = cardlib.delta(self.sent.get(local_id), shown)
            self.sent[local_id] = shown
            if change is not None:
                deltas.append(change)
        newest_first = [self.cards[i] for i in reversed(self.tasks) if i in self.cards]
        self._publish(
            newest_first, [cardlib.result(c) for c in newest_first if c["status"] in WITH_VIDEO]
        )
        if deltas:
            self._send({"kind": "tasks", "now": round(time.time(), 3), "cards": deltas})

    def snapshot(self) -> dict[str, Any]:
        """Every card as the browser knows it, newest first (for a view that just opened)."""
        self.throttle.flush_now()
        shown = [self.sent[i] for i in reversed(self.tasks) if i in self.sent]
        return {"now": round(time.time(), 3), "cards": shown}
