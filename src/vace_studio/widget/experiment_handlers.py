"""Handlers of the Gallery's and the History's messages.

``sweeps`` (every sweep in the store), ``gallery`` (one sweep's cells and progress),
``history`` (a page of the store's tasks), ``usage`` (a class's use of the account per person),
``rerun`` (a stored task queued again) and ``export`` (a run as a folder or a zip, fetched by
download id with ``file``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from vace_studio import experiments
from vace_studio.widget import history as history_view
from vace_studio.widget.clients import Clients
from vace_studio.widget.commands import Message, Reply, command
from vace_studio.widget.downloads import Downloads
from vace_studio.widget.errors import MessageError
from vace_studio.widget.feed import CardFeed
from vace_studio.widget.gallery import SweepFeed
from vace_studio.widget.media_handlers import record_of


class ExperimentHandlers:
    """The Gallery and the History: ``sweeps`` reads sweeps from the store, ``current_sweep()``
    is the sweep the studio shows first (its ``sweep_id`` trait)."""

    def __init__(
        self,
        *,
        feed: CardFeed,
        clients: Clients,
        sweeps: SweepFeed,
        downloads: Downloads,
        current_sweep: Callable[[], str],
    ) -> None:
        self._feed = feed
        self._clients = clients
        self._sweeps = sweeps
        self._downloads = downloads
        self._current_sweep = current_sweep

    @command("sweeps")
    def sweeps(self, message: Message) -> Reply:
        """Every sweep in the store, newest first, and the one the studio shows first."""
        return {"sweeps": self._sweeps.rows(), "current": self._current_sweep()}

    @command("gallery")
    def gallery(self, message: Message) -> Reply:
        """A sweep's fields, values, cells (the ``cell`` projection) and progress."""
        group_id = message.text("group_id", "a sweep's group id")
        return {"sweep": self._sweeps.gallery(group_id)}

    @command("history")
    def history(self, message: Message) -> Reply:
        """One page of the store's tasks (the ``history_row`` projection), filtered."""
        return history_view.page(self._clients.current.store, message)

    @command("usage")
    def usage(self, message: Message) -> Reply:
        """Per person in a class's shared store: tasks, dollars and cap (``people`` is None in
        one person's store)."""
        return history_view.class_usage(self._clients.current)

    @command("rerun")
    def rerun(self, message: Message) -> Reply:
        """A task of the store queued again through the current client (a new card follows)."""
        record = record_of(self._feed, message)
        task = experiments.rerun(self._clients.current, record.id)
        self._feed.track(task)
        return {"local_id": task.local_id}

    @command("export")
    async def export(self, message: Message) -> Reply:
        """A run (a sweep, or tasks) as a folder or a zip under ``<home>/exports/``."""
        run, label = history_view.export_run_of(message)
        as_zip = message.get("zip") is True
        client = self._clients.current
        # Names the store does not hold are the browser's mistake, answered with the protocol's
        # "nothing by that name" codes (export_run's own error would read as a crash and name
        # the store's path).
        ids = [run] if isinstance(run, str) else run
        if isinstance(run, str) and client.store.group(run) is None:
            ids = [run] if not client.store.select(group_id=run) else []
        unknown = [i for i in ids if client.store.get(i) is None]
        if unknown:
            code = "unknown_sweep" if isinstance(run, str) else "unknown_task"
            raise MessageError(f"export: no sweep or task {unknown[0]!r} in the store", code)
        target = history_view.export_target(client.paths.home, label)
        path = await asyncio.to_thread(
            experiments.export_run, run, target, zip=as_zip, store=client.store
        )
        download = self._downloads.offer(path) if as_zip else None
        return {"path": str(path), "zip": as_zip, "download": download}
