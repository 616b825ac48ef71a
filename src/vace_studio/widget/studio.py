"""``Studio``: the anywidget that submits wan2.1-vace-plus tasks and plays their results inline.

What crosses the comm, and why (details in ``docs/how-it-works.md``):

* synced traits hold small JSON that rarely changes: the request schema and provider facts;
* per-task changes go as throttled ``tasks`` pushes carrying only the fields that changed, so
  200 live tasks do not resend a 200-card list on every change;
* bytes (uploads, result videos) travel only on request, as binary buffers of custom messages;
* the API key arrives in one custom message and goes into the client; no trait ever holds it.

``cards`` and ``results`` are Python-side traits (not synced): notebook code can read and observe
them, and saved notebooks do not grow with every task. Every task the client runs appears in the
studio, whoever created it (``client.enqueue``, a sweep, a re-run): ``Client.observe_tasks``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

import vace_studio.experiments as experiments
from vace_studio.engine import Client, Task
from vace_studio.experiments import Sweep
from vace_studio.experiments.plan import Confirm
from vace_studio.requests import VaceRequest, request_schema
from vace_studio.widget import account
from vace_studio.widget import cards as cardlib
from vace_studio.widget.file_uploads import FileUploads
from vace_studio.widget.gallery import SweepFeed
from vace_studio.widget.messages import Messages
from vace_studio.widget.previews import PREVIEW_FIELDS
from vace_studio.widget.throttle import Throttle
from vace_studio.widget.videos import CHUNK_BYTES

log = logging.getLogger("vace_studio")

BUNDLE = Path(__file__).resolve().parent.parent / "static" / "widget.js"
"""The front end, built from ``js/`` by ``make`` (or ``cd js && npm run build``)."""

_MISSING_BUNDLE = f"""
export default {{ render({{ el }}) {{
  el.textContent = "vace-studio: the front-end bundle is missing ({BUNDLE}). Build it with " +
    "`make` (or `cd js && npm ci && npm run build`), then restart the kernel.";
}} }};
"""


class Studio(anywidget.AnyWidget):
    """A form per wan2.1-vace-plus function, task cards, and the results playing inline.

    Three views: *Create* (the forms, with previews of masks, canvases and control conditions,
    and the task cards), *Gallery* (a sweep's results in a grid, played in sync, with an A/B
    wipe) and *History* (every task in the store, with filters, re-run and export).

    ``Studio()`` makes its own :class:`~vace_studio.Client` from ``client_options`` (with no key
    anywhere: the built-in simulator); pass ``client=`` to share one. Every task that client
    runs appears in the studio, however it was created. ``resume=True`` picks up the client's
    unfinished tasks from its store (e.g. after a kernel restart).
    """

    _esm = BUNDLE if BUNDLE.is_file() else _MISSING_BUNDLE

    schema = traitlets.Dict().tag(sync=True)
    """dict, default: ``request_schema()``. The JSON Schema of the five requests; the browser
    builds every form from it (no field list exists in the front end)."""

    provider = traitlets.Unicode("").tag(sync=True)
    """str. ``"dashscope"``, ``"modellix"``, ``"mulerouter"`` or ``"simulator"``."""

    region = traitlets.Unicode("").tag(sync=True)
    """str. ``"intl"`` (Singapore) or ``"cn"`` (Beijing); DashScope only."""

    endpoint = traitlets.Unicode("").tag(sync=True)
    """str. The provider's base URL the kernel talks to (the browser never calls it)."""

    simulated = traitlets.Bool(False).tag(sync=True)
    """bool. True while tasks go to the built-in simulator (nothing is paid); shown as a banner."""

    notice = traitlets.Unicode("").tag(sync=True)
    """str, default ``""``. Why the simulator is in use, in words (the banner's text)."""

    has_key = traitlets.Bool(False).tag(sync=True)
    """bool. Whether an API key is set. The key itself stays in kernel memory, never in a trait."""

    price_per_second = traitlets.Float(None, allow_none=True).tag(sync=True)
    """float or None. US dollars per second of output video, when the provider's price is known."""

    key_targets = traitlets.List(traitlets.Dict()).tag(sync=True)
    """list of dict. The providers a key typed into the header can be used with
    (``value``, ``label``, ``provider``, ``region``, ``env``)."""

    preview_fields = traitlets.Dict().tag(sync=True)
    """dict, default: ``widget.previews.PREVIEW_FIELDS``. Function → the request fields its
    form preview depends on; the browser asks for a new preview only when one of them changes."""

    sweep_id = traitlets.Unicode("").tag(sync=True)
    """str, default ``""``. The group id of the sweep the Gallery shows first: set by
    :meth:`sweep`; set it to any sweep in the store (``vace_studio.experiments.sweep_rows()``)
    to show that one."""

    cards = traitlets.List(traitlets.Dict())
    """list of dict, default ``[]``; Python-side only. One summary per task, newest first: ids,
    ``status``, local queue ``position``, timings (Unix seconds), ``video_url``, ``local_path``,
    error code and message, cost and the request. Updated at most every 0.25 s."""

    results = traitlets.List(traitlets.Dict())
    """list of dict, default ``[]``; Python-side only. The succeeded tasks, newest first:
    ``local_id``, ``task_id``, ``function``, ``prompt``, ``video_url``, ``url_expires_at``,
    ``local_path`` (``None`` while downloading), timings, ``seconds`` (submit to finish) and
    ``cost``."""

    video_chunk_bytes: int = CHUNK_BYTES
    """Bytes of video per message sent to the browser (tests use small chunks)."""

    def __init__(
        self, client: Client | None = None, *, resume: bool = True, **client_options: Any
    ) -> None:
        if client is None:
            # The banner says the simulator is in use; the same words logged as a red stderr
            # block above the widget would read like an error.
            client = Client(**client_options, announce=False)
        self.client: Client = client
        self._clients: list[Client] = [self.client]
        self._secrets: list[str] = []  # keys typed in the header: scrubbed from error texts
        self._user_key = False
        self._tasks: dict[str, Task] = {}  # oldest first
        self._unsubscribe: dict[str, Any] = {}
        self._cards: dict[str, cardlib.Card] = {}  # current Python-side cards
        self._sent: dict[str, cardlib.Card] = {}  # what the browser last got, per task
        self._order: dict[str, int] = {}
        self._next_order = 0
        self._dirty: set[str] = set()
        self._typical: dict[str, float] = {}
        self._expected: dict[tuple[str, str, Any], float | None] = {}
        self._throttle = Throttle(self._flush)
        self._uploads = FileUploads(self.client.paths.home / "inputs")
        self._messages = Messages(self)
        self._resuming: asyncio.Future[None] | None = None
        self._loop = _running_loop()  # the notebook's loop, where the engine's tasks run
        self._feed = SweepFeed(self)
        self._sources: dict[str, Path] = {}  # source video URL → its copy in the video cache
        self._downloads: dict[str, Path] = {}  # download id → an exported zip
        self._stop_observing: list[Callable[[], None]] = []
        super().__init__(
            schema=request_schema(),
            key_targets=account.KEY_TARGETS,
            preview_fields=PREVIEW_FIELDS,
            **account.facts(self.client, user_key=False),
        )
        self.on_msg(self._on_msg)
        self._adopt_client(self.client)
        if resume:
            self._start_resume()

    # -- the Python API --------------------------------------------------------------------
    @property
    def tasks(self) -> list[Task]:
        """Every task shown in the studio, newest first (the engine's live objects)."""
        return list(reversed(self._tasks.values()))

    def submit(
        self, request: VaceRequest | Mapping[str, Any], *, tags: Mapping[str, Any] | None = None
    ) -> Task:
        """Validate and queue ``request`` (a model or a dict); its card appears in the studio.

        Returns at once with a waiting task (``await task.wait()`` or ``task.result()`` for the
        video). Needs a running event loop, as in a notebook. Raises
        :class:`~vace_studio.InvalidRequest` before anything is recorded or sent.
        """
        task = self.client.enqueue(request, tags=tags)
        self.track(task)
        return task

    def sweep(
        self,
        base: VaceRequest | Mapping[str, Any],
        *,
        grid: Mapping[str, Sequence[Any]] | None = None,
        confirm: Confirm = None,
        confirm_above: float = experiments.DEFAULT_CONFIRM_ABOVE,
        price_per_second: float | None = None,
        name: str | None = None,
        **fields: Sequence[Any],
    ) -> Sweep:
        """Run ``base`` for every combination of the given field values, and show it.

            s = studio.sweep(base, prompt=["a cat", "a dog"], seed=[1, 2])

        The same arguments as :func:`vace_studio.sweep` (every cell validated first; above
        ``confirm_above`` dollars it runs only with ``confirm``); the studio then shows its
        progress and ETA, opens its gallery, and its tasks appear as cards. Returns the
        :class:`~vace_studio.Sweep` (``await s.wait()``, ``s.to_dataframe()``).
        """
        started = experiments.sweep(
            self.client,
            base,
            grid=grid,
            confirm=confirm,
            confirm_above=confirm_above,
            price_per_second=price_per_second,
            name=name,
            **fields,
        )
        self._feed.follow(started)
        self.sweep_id = started.group_id
        self.send({"kind": "show", "view": "gallery", "group_id": started.group_id})
        return started

    def history(self, **filters: Any) -> Any:
        """The store's tasks as a pandas DataFrame (:func:`vace_studio.history` on this
        studio's store): ``studio.history(status="failed")``."""
        return experiments.history(store=self.client.store, **filters)

    def track(self, task: Task) -> None:
        """Show a task submitted elsewhere in the studio as well. Tasks of the studio's client
        appear by themselves; this is for tasks of another client."""
        if task.local_id in self._tasks:
            return
        self._tasks[task.local_id] = task
        self._order[task.local_id] = self._take_order()
        self._unsubscribe[task.local_id] = task.observe(self._on_task)
        self._on_task(task)

    def close(self) -> None:
        """Stop updating and close the widget (the tasks themselves keep running)."""
        for stop in [*self._unsubscribe.values(), *self._stop_observing]:
            stop()
        self._unsubscribe.clear()
        self._stop_observing.clear()
        self._feed.close()
        self._throttle.close()
        self._uploads.close()
        super().close()

    # -- key and provider ------------------------------------------------------------------
    def _use_key(self, key: Any, target: dict[str, str] | None) -> None:
        client = account.apply_key(self.client, key, target)
        self._secrets.append(str(key).strip())
        self._user_key = True
        if client is not self.client:
            self.client = client
            self._clients.append(client)
            self._adopt_client(client)
        with self.hold_sync():
            for name, value in account.facts(self.client, user_key=True).items():
                setattr(self, name, value)

    def _adopt_client(self, client: Client) -> None:
        """Show the client's tasks: those it has, and every one it starts tracking later."""
        for task in client.tasks:
            self.track(task)
        self._stop_observing.append(client.observe_tasks(self.track))

    def _offer_download(self, path: Path) -> str:
        """An id the browser may fetch ``path`` by (the ``file`` message), never the path."""
        download = secrets.token_hex(8)
        self._downloads[download] = path
        return download

    # -- task changes → cards → deltas -----------------------------------------------------
    def _on_task(self, task: Task) -> None:
        self._dirty.add(task.local_id)
        self._throttle.mark()

    def _take_order(self) -> int:
        self._next_order += 1
        return self._next_order

    def _expected_seconds(self, task: Task) -> float | None:
        """Typical submit-to-finish time of similar tasks: the store's median, else the
        provider's typical time; the browser turns it into an ETA."""
        rec = task.record
        key = (rec.endpoint, rec.function, rec.request.get("size"))
        if key not in self._expected:
            history = self.client.store.durations(*key)
            typical = self._typical.get(rec.endpoint)
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
            (t for t in self._tasks.values() if t.status == "waiting" and t.position),
            key=lambda t: t.position or 0,
        )
        orders = [self._order[t.local_id] for t in waiting]
        if all(a < b for a, b in itertools.pairwise(orders)):
            return
        for task in waiting:
            self._order[task.local_id] = self._take_order()
            self._dirty.add(task.local_id)

    def _flush(self) -> None:
        for client in self._clients:
            self._typical.setdefault(client.endpoint, client.poll_policy.default_expected)
        self._fix_queue_order()
        dirty, self._dirty = self._dirty, set()
        deltas: list[cardlib.Card] = []
        for local_id in dirty:
            task = self._tasks.get(local_id)
            if task is None:
                continue
            if task.status == "succeeded":
                self._expected.clear()  # one more success to learn from
            # The typical duration is re-read only when the status changes: the median moves with
            # every success, and resending it to 200 waiting cards each time would dwarf the rest.
            before = self._cards.get(local_id)
            expected = (
                before["expected_seconds"]
                if before is not None and before["status"] == task.status
                else self._expected_seconds(task)
            )
            card = cardlib.summary(task, expected_seconds=expected)
            self._cards[local_id] = card
            shown = cardlib.wire(card, self._order[local_id])
            change = cardlib.delta(self._sent.get(local_id), shown)
            self._sent[local_id] = shown
            if change is not None:
                deltas.append(change)
        newest_first = [self._cards[i] for i in reversed(self._tasks) if i in self._cards]
        with self.hold_trait_notifications():
            self.cards = newest_first
            self.results = [cardlib.result(c) for c in newest_first if c["status"] == "succeeded"]
        if deltas:
            self.send({"kind": "tasks", "now": round(time.time(), 3), "cards": deltas})

    def _snapshot(self) -> dict[str, Any]:
        """Every card as the browser knows it, newest first (for a view that just opened)."""
        self._throttle.flush_now()
        shown = [self._sent[i] for i in reversed(self._tasks) if i in self._sent]
        return {"now": round(time.time(), 3), "cards": shown}

    # -- plumbing --------------------------------------------------------------------------
    def _on_msg(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        home = self._loop
        if home is not None and home.is_running() and _running_loop() is not home:
            # JupyterLab 4.6 delivers widget messages on a kernel subshell: another thread with
            # its own event loop. The engine's scheduler and tasks live on the notebook's loop
            # and are not thread-safe, so the message is handled there.
            home.call_soon_threadsafe(self._messages.handle, content, list(buffers))
            return
        self._messages.handle(content, buffers)

    def _start_resume(self) -> None:
        if self._loop is None:
            return  # plain script: call client.resume() yourself and track() what it returns
        self._resuming = asyncio.ensure_future(self._resume())

    async def _resume(self) -> None:
        try:
            resumed = await self.client.resume()
        except Exception:
            log.warning("could not resume unfinished tasks", exc_info=True)
            return
        for task in resumed:
            self.track(task)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
