"""Every task the store remembers, as rows: for a table, a DataFrame, a re-run.

:func:`history_rows` gives plain JSON-ready dicts (what a UI shows); :func:`history` the same
as a pandas DataFrame (pandas is the optional ``vace-studio[pandas]`` extra, imported only
here and only when called). Both read the store of a home folder, so they work in a fresh
kernel with no client.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vace_studio.engine import Store, TaskRecord, resolve_paths
from vace_studio.engine.store_api import TaskStore
from vace_studio.experiments.grid import jsonable
from vace_studio.experiments.views import FIELDS, PROJECTIONS, project, task_view

if TYPE_CHECKING:
    from vace_studio.engine import Client, Task

DataFrame = Any
"""A ``pandas.DataFrame`` (typed loosely: pandas is an optional extra, without stubs here)."""

COLUMNS: dict[str, str] = {name: FIELDS[name] for name in PROJECTIONS["row"]}
"""The columns of :func:`history` and the keys of :func:`history_rows`, in order, with
their meaning (the ``row`` projection of :func:`vace_studio.experiments.views.task_view`)."""

_TIME_COLUMNS = ("created_at", "submitted_at", "started_at", "finished_at", "url_expires_at")


class MissingPandas(ImportError):  # noqa: N818 -- reads as the condition it reports
    """pandas is needed for a DataFrame and is not installed."""


def import_pandas() -> Any:
    """pandas, or an error that says how to install it."""
    # The optional extra, imported only when a DataFrame is asked for (and by name, as pandas
    # ships no type stubs of its own).
    try:
        pandas = importlib.import_module("pandas")
    except ImportError as error:
        raise MissingPandas(
            "history() and to_dataframe() return pandas DataFrames, and pandas is not installed: "
            "pip install 'vace-studio[pandas]' (history_rows() needs no pandas)"
        ) from error
    return pandas


def task_row(record: TaskRecord) -> dict[str, Any]:
    """One task as a JSON-ready dict with the keys of :data:`COLUMNS`."""
    return project(task_view(record), "row")


@contextmanager
def open_store(home: str | os.PathLike[str] | None = None) -> Iterator[Store]:
    """The store of ``home`` (default ``VACE_STUDIO_HOME`` or the platform folder), closed after."""
    store = Store(resolve_paths(home).store)
    try:
        yield store
    finally:
        store.close()


def _seconds(value: float | datetime | None) -> float | None:
    if value is None or isinstance(value, int | float):
        return value
    return value.timestamp()


def select_records(
    store: TaskStore,
    *,
    status: str | Iterable[str] | None = None,
    provider: str | None = None,
    function: str | None = None,
    group_id: str | None = None,
    endpoint: str | None = None,
    person: str | None = None,
    labels: Mapping[str, Any] | None = None,
    since: float | datetime | None = None,
    until: float | datetime | None = None,
    limit: int | None = None,
) -> list[TaskRecord]:
    """Records matching every filter, oldest first; ``limit`` keeps the newest ones.

    ``status`` is one status or several; ``labels`` matches tasks whose labels include all the
    given ones; ``person`` picks one person's tasks in a shared class store; ``since`` /
    ``until`` bound the creation time (Unix seconds or a datetime).
    """
    statuses = [status] if isinstance(status, str) else status
    records = store.select(
        statuses=statuses,
        provider=provider,
        function=function,
        group_id=group_id,
        endpoint=endpoint,
        person=person,
    )
    low, high = _seconds(since), _seconds(until)
    wanted = jsonable(dict(labels)) if labels else {}
    out = [
        r
        for r in records
        if (low is None or r.created_at >= low)
        and (high is None or r.created_at <= high)
        and all(r.tags.get(k) == v for k, v in wanted.items())
    ]
    if limit is not None:
        out = out[-limit:] if limit > 0 else []
    return out


def history_rows(
    home: str | os.PathLike[str] | None = None,
    *,
    store: TaskStore | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Every task of the store as JSON-ready dicts (keys: :data:`COLUMNS`), oldest first.

    ``home`` is the vace-studio home folder (default ``VACE_STUDIO_HOME`` or the platform's);
    pass ``store=client.store`` to read a client's open store instead. ``filters`` are those of
    :func:`select_records`: ``status``, ``provider``, ``function``, ``group_id``, ``endpoint``,
    ``labels``, ``since``, ``until``, ``limit``.
    """
    if store is not None:
        return [task_row(r) for r in select_records(store, **filters)]
    with open_store(home) as opened:
        return [task_row(r) for r in select_records(opened, **filters)]


def sweep_rows(
    home: str | os.PathLike[str] | None = None, *, store: TaskStore | None = None
) -> list[dict[str, Any]]:
    """Every sweep of the store, oldest first, as JSON-ready dicts (for a gallery's list).

    Keys: ``group_id``, ``name``, ``created_at`` (Unix seconds), ``fields`` (the varied fields),
    ``values`` (each field's values), ``cells``, ``estimate`` (``CostEstimate.to_json()``),
    ``statuses`` (task count by status; cells missing from it were never queued).
    """
    if store is None:
        with open_store(home) as opened:
            return sweep_rows(store=opened)
    rows = []
    for group in store.groups("sweep"):
        spec = group["spec"]
        statuses: dict[str, int] = {}
        for record in store.select(group_id=group["id"]):
            statuses[record.status] = statuses.get(record.status, 0) + 1
        rows.append(
            {
                "group_id": group["id"],
                "name": spec.get("name"),
                "created_at": group["created_at"],
                "fields": spec.get("fields", []),
                "values": spec.get("grid", {}),
                "cells": spec.get("cells"),
                "estimate": spec.get("estimate"),
                "statuses": statuses,
            }
        )
    return rows


def history(
    home: str | os.PathLike[str] | None = None,
    *,
    store: TaskStore | None = None,
    **filters: Any,
) -> DataFrame:
    """Every task as a pandas DataFrame, one row per task, oldest first.

    Columns, in order, are those of :data:`COLUMNS` (``vace_studio.experiments.COLUMNS`` says
    what each means); the ``*_at`` columns are UTC timestamps, ``labels``, ``request`` and
    ``usage`` hold dicts. Arguments are those of :func:`history_rows`, e.g.
    ``history(status=Status.FAILED)``, ``history(group_id=sweep.group_id)``,
    ``history(labels={"seed": 2}, limit=20)``. Needs pandas (``vace-studio[pandas]``).
    """
    pd = import_pandas()
    rows = history_rows(home, store=store, **filters)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in _TIME_COLUMNS:
        frame[column] = pd.to_datetime(frame[column].astype("float64"), unit="s", utc=True)
    return frame


def rerun(
    client: Client,
    local_id: str,
    *,
    group_id: str | None = None,
    **changes: Any,
) -> Task:
    """Queue a task's request again through ``client``, optionally with some fields changed.

    ``rerun(client, row.local_id, seed=7)``. The new task's labels are the old one's plus the
    changes and ``rerun_of`` (the old id). Must be called with an event loop running, like
    :meth:`Client.enqueue`; raises ``KeyError`` for an unknown id and
    :class:`~vace_studio.requests.InvalidRequest` if the request no longer validates (e.g. a
    local input file was moved).
    """
    record = client.store.get(local_id)
    if record is None:
        raise KeyError(f"no task {local_id!r} in the store at {client.store.path}")
    request = {**record.request, **jsonable(changes)}
    tags = {**record.tags, **jsonable(changes), "rerun_of": local_id}
    return client.enqueue(request, tags=tags, group_id=group_id)
