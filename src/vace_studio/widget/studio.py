"""``Studio``: the anywidget that submits wan2.1-vace-plus tasks and plays their results inline.

What crosses the comm, and why (every message in ``docs/protocol.md``, the reasons in
``docs/how-it-works.md``):

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
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

import vace_studio.experiments as experiments
from vace_studio.engine import Client, Task
from vace_studio.engine.status import table_json
from vace_studio.experiments import Sweep
from vace_studio.experiments.plan import Confirm
from vace_studio.requests import VaceRequest, request_schema
from vace_studio.widget import account
from vace_studio.widget.clients import Clients
from vace_studio.widget.comm_transport import CommTransport, ProbeHandler
from vace_studio.widget.commands import Commands
from vace_studio.widget.downloads import Downloads
from vace_studio.widget.experiment_handlers import ExperimentHandlers
from vace_studio.widget.feed import Card, CardFeed
from vace_studio.widget.file_uploads import FileUploads
from vace_studio.widget.gallery import SweepFeed
from vace_studio.widget.hosts import detect_host
from vace_studio.widget.media_handlers import MediaHandlers
from vace_studio.widget.previews import PREVIEW_FIELDS
from vace_studio.widget.snapshot import SnapshotDisplay, snapshot_html
from vace_studio.widget.task_handlers import KeyHandler, TaskHandlers
from vace_studio.widget.tool_handlers import ToolHandlers
from vace_studio.widget.videos import CHUNK_BYTES

log = logging.getLogger("vace_studio")

VIEWS = ("create", "gallery", "history")
"""The studio's tabs, in order: the values of :attr:`Studio.view`."""

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
    wipe) and *History* (every task in the store, with filters, re-run and export). ``view=``
    picks the one it opens on (``"create"``, ``"gallery"``, ``"history"``; see :attr:`view`).

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
    """str. A registered provider's name (``vace_studio.providers.provider_names()``:
    ``"dashscope"``, ...) or ``"simulator"``."""

    region = traitlets.Unicode("").tag(sync=True)
    """str. The region (``"intl"`` Singapore or ``"cn"`` Beijing); one-region providers
    ignore it."""

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
    """list of dict, default: ``account.key_targets()`` (none in a class's kernel, where the
    worker holds the key). Where a key typed into the header can be used, one per registered
    provider and region: ``value``, ``label``, ``provider``,
    ``region`` (``""`` for a one-region provider), ``env``, ``provider_label`` and
    ``region_label``. The header names providers and regions from these only."""

    preview_fields = traitlets.Dict().tag(sync=True)
    """dict, default: ``widget.previews.PREVIEW_FIELDS``. Function → the request fields its
    form preview depends on; the browser asks for a new preview only when one of them changes."""

    sweep_id = traitlets.Unicode("").tag(sync=True)
    """str, default ``""``. The group id of the sweep the Gallery shows first: set by
    :meth:`sweep`; set it to any sweep in the store (``vace_studio.experiments.sweep_rows()``)
    to show that one."""

    view = traitlets.Enum(VIEWS, default_value="create").tag(sync=True)
    """str, default ``"create"``. The tab the studio opens on: ``"create"`` (the forms and task
    cards), ``"gallery"`` (a sweep's results) or ``"history"`` (the store). Setting it later
    switches every displayed view; :meth:`sweep` sets ``"gallery"``. ``Studio(view="gallery")``
    opens on the Gallery."""

    status_table = traitlets.Dict().tag(sync=True)
    """dict, default: ``vace_studio.engine.status.table_json()``. Every task status, every allowed
    move, and the sets derived from them (``unfinished``, ``terminal``, ``cancelable``,
    ``retryable``, ``adoptable``, ``resubmittable``, ``local_queue``, ``at_provider``,
    ``with_video``, ...): the browser derives each status set from it and lists no status
    itself."""

    submissions_held = traitlets.Unicode("").tag(sync=True)
    """str, default ``""``. Why the client's submissions are paused (a billing, entitlement or
    quota refusal, with its fix in words), shown as a banner with a *Resume submissions* button;
    ``""`` while they are not. Waiting tasks keep their place; see :meth:`resume_submissions`."""

    cards = traitlets.List(traitlets.Dict())
    """list of dict, default ``[]``; Python-side only. One card per task, newest first: the
    ``notebook_card`` projection of :func:`~vace_studio.experiments.views.task_view` (ids,
    ``status``, ``position``/``eta`` in line, ``labels``, timings in Unix seconds, ``video_url``,
    ``local_path``, error code and message, cost, the request, and what a person can do:
    ``advice``, ``console_url``, ``candidates``, ``warnings``, ``replaces``/``replaced_by``,
    ``paused``). Updated at most every 0.25 s."""

    results = traitlets.List(traitlets.Dict())
    """list of dict, default ``[]``; Python-side only. The succeeded tasks, newest first: the
    ``result`` projection (``local_id``, ``task_id``, ``function``, ``prompt``, ``video_url``,
    ``url_expires_at``, ``local_path`` (``None`` while downloading), timings,
    ``total_seconds`` (submit to finish) and ``cost``)."""

    video_chunk_bytes: int = CHUNK_BYTES
    """Bytes of video per message sent to the browser (tests use small chunks)."""

    def __init__(
        self,
        client: Client | None = None,
        *,
        resume: bool = True,
        view: str = "create",
        **client_options: Any,
    ) -> None:
        if client is None:
            # The banner says the simulator is in use; the same words logged as a red stderr
            # block above the widget would read like an error.
            client = Client(**client_options, announce=False)
        self._clients = Clients(client)
        self._cards = CardFeed(send=self._push, publish=self._publish, clients=self._clients)
        self._sweeps = SweepFeed(self._clients, send=self._push)
        self._uploads = FileUploads(client.paths.home / "inputs")
        downloads = Downloads()
        # Binary buffers, or base64 text where the host drops them: the probe decides, per view.
        self._transport = CommTransport(send=self.send)
        self._commands = Commands(
            ProbeHandler(self._transport),
            TaskHandlers(self._cards, self._clients),
            KeyHandler(self._use_key),
            MediaHandlers(
                feed=self._cards,
                clients=self._clients,
                uploads=self._uploads,
                downloads=downloads,
                chunk_bytes=lambda: self.video_chunk_bytes,
            ),
            ExperimentHandlers(
                feed=self._cards,
                clients=self._clients,
                sweeps=self._sweeps,
                downloads=downloads,
                current_sweep=lambda: self.sweep_id,
            ),
            ToolHandlers(feed=self._cards, clients=self._clients, uploads=self._uploads),
            send=self._transport.send,
            scrub=self._clients.scrub,
        )
        self._resuming: asyncio.Future[None] | None = None
        self._loop = _running_loop()  # the notebook's loop, where the engine's tasks run
        self._stop_observing: list[Callable[[], None]] = []
        self._snapshot = SnapshotDisplay(self.snapshot_html, self._widget_view)
        super().__init__(
            schema=request_schema(),
            preview_fields=PREVIEW_FIELDS,
            status_table=table_json(),
            view=view,
            **account.facts(client, user_key=False),
        )
        self.on_msg(self._on_msg)
        self._adopt_client(client)
        if resume:
            self._start_resume()

    # -- the Python API --------------------------------------------------------------------
    @property
    def client(self) -> Client:
        """The client new tasks go to: the one given or made at the start, or the one a key
        typed into the header made (the earlier ones keep polling their tasks)."""
        return self._clients.current

    @property
    def tasks(self) -> list[Task]:
        """Every task shown in the studio, newest first (the engine's live objects)."""
        return list(reversed(self._cards.tasks.values()))

    def enqueue(
        self, request: VaceRequest | Mapping[str, Any], *, tags: Mapping[str, Any] | None = None
    ) -> Task:
        """Validate and queue ``request`` (a model or a dict); its card appears in the studio.

        Like :meth:`Client.enqueue <vace_studio.Client.enqueue>`: returns at once with a waiting
        task (``await task.wait()`` or ``task.result()`` for the video). Needs a running event
        loop, as in a notebook. Raises :class:`~vace_studio.InvalidRequest` before anything is
        recorded or sent.
        """
        task = self.client.enqueue(request, tags=tags)
        self.track(task)
        return task

    async def submit(
        self, request: VaceRequest | Mapping[str, Any], *, tags: Mapping[str, Any] | None = None
    ) -> Task:
        """Like :meth:`Client.submit <vace_studio.Client.submit>`: queue ``request`` and return
        once the provider accepted it (or refused it); its card appears in the studio."""
        task = await self.client.submit(request, tags=tags)
        self.track(task)
        return task

    def resume_submissions(self) -> None:
        """Send the waiting tasks again after fixing what held them (topped up, enabled the
        model, switched key): what the banner's *Resume submissions* button does."""
        self.client.resume_submissions()

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
        self._sweeps.follow(started)
        self.sweep_id = started.group_id
        # The trait for views not displayed yet (Run All: this cell runs before the studio
        # renders, and a push reaches only views that exist); the push for views already open
        # on "gallery" whose user has since clicked another tab.
        self.view = "gallery"
        self._push({"kind": "show", "view": "gallery", "group_id": started.group_id})
        return started

    def history(self, **filters: Any) -> Any:
        """The store's tasks as a pandas DataFrame (:func:`vace_studio.history` on this
        studio's store): ``studio.history(status=Status.FAILED)``."""
        return experiments.history(store=self.client.store, **filters)

    def track(self, task: Task) -> None:
        """Show a task submitted elsewhere in the studio as well. Tasks of the studio's client
        appear by themselves; this is for tasks of another client."""
        self._cards.track(task)

    def snapshot_html(self) -> str:
        """A static HTML summary of the newest tasks (prompt, function, status, a poster of each
        result), at most 200 KB: what a saved or exported notebook shows where the live studio
        cannot render. No URL, no key."""
        host = detect_host()
        return snapshot_html(self.cards, provider=self.provider, host=host)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return self._snapshot.bundle()

    def _widget_view(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return super()._repr_mimebundle_() or ({}, {})

    def _ipython_display_(self) -> None:
        self._snapshot.show()

    def close(self) -> None:
        """Stop updating and close the widget (the tasks themselves keep running)."""
        for stop in self._stop_observing:
            stop()
        self._stop_observing.clear()
        self._cards.close()
        self._sweeps.close()
        self._uploads.close()
        super().close()

    # -- wiring ----------------------------------------------------------------------------
    def _push(self, message: dict[str, Any]) -> None:
        """An unsolicited message to every view (no ``id``: not an answer)."""
        self.send(message)

    def _use_key(self, key: Any, target: dict[str, str] | None) -> dict[str, Any]:
        """Use a key typed into the header; the header's traits follow. Returns them."""
        new = self._clients.use_key(key, target)
        if new is not None:
            self._adopt_client(new)
        facts = account.facts(self.client, user_key=True)
        with self.hold_sync():
            for name, value in facts.items():
                setattr(self, name, value)
            self._show_hold()
        return facts

    def _show_hold(self, _reason: str | None = None) -> None:
        self.submissions_held = self.client.submissions_held or ""

    def _adopt_client(self, client: Client) -> None:
        """Show the client's tasks: those it has, and every one it starts tracking later."""
        for task in client.tasks:
            self.track(task)
        self._stop_observing.append(client.observe_tasks(self.track))
        self._stop_observing.append(client.scheduler.observe_hold(self._show_hold))
        self._show_hold()

    def _publish(self, cards: list[Card], results: list[Card]) -> None:
        with self.hold_trait_notifications():
            self.cards = cards
            self.results = results
        self._snapshot.refresh()

    def _on_msg(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        self._snapshot.live = True  # a view is attached: its output is not replaced any more
        home = self._loop
        if home is not None and home.is_running() and _running_loop() is not home:
            # JupyterLab 4.6 delivers widget messages on a kernel subshell: another thread with
            # its own event loop. The engine's scheduler and tasks live on the notebook's loop
            # and are not thread-safe, so the message is handled there.
            home.call_soon_threadsafe(
                self._transport.receive, content, list(buffers), self._commands.handle
            )
            return
        self._transport.receive(content, buffers, self._commands.handle)

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
