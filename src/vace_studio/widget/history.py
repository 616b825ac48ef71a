"""The History view's data: the store's tasks a page at a time, a class's use of the account,
and exports of runs.

A store may hold thousands of tasks; the browser asks for one page (newest first, at most
:data:`MAX_PAGE` rows) with its filters, and gets the filter choices (``facets``) with it. Exports
are written under ``<home>/exports/`` by :func:`vace_studio.experiments.export_run` on a worker
thread (it copies videos); a zip can then be fetched by the browser in chunks, named by the
``download`` id of its answer, never by path.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from pathlib import Path
from typing import Any

from vace_studio.engine import Client
from vace_studio.engine.shared_queue import SharedQueue
from vace_studio.engine.store_api import TaskStore
from vace_studio.experiments.views import project, task_view
from vace_studio.widget.commands import Message
from vace_studio.widget.errors import MessageError

PAGE_SIZE = 50
"""Rows per page unless the browser asks for another number."""

MAX_PAGE = 200
"""The most rows one answer carries (a long history is paged, never sent whole)."""

FILTERS = ("status", "function", "provider", "group_id")
"""Row keys the browser may filter on (exact match)."""

FACETS = ("status", "function", "provider")
"""Row keys whose distinct values the answer lists, for the filter menus."""


def page(store: TaskStore, message: Message) -> dict[str, Any]:
    """``{rows, total, offset, limit, facets, filters}``: one page of the filtered history,
    newest first; each row is the ``history_row`` projection (no kernel paths). In a shared
    class store ``person`` filters by whose tasks they are (``facets.person`` lists people)."""
    filters = {k: v for k in FILTERS if isinstance(v := message.get(k), str) and v}
    offset = message.whole("offset", 0, 10**9)
    limit = message.whole("limit", PAGE_SIZE, MAX_PAGE)
    records = store.select()
    views = [task_view(record) for record in records]
    facets = {key: sorted({str(v[key]) for v in views if v[key]}) for key in FACETS}
    people = sorted({r.person for r in records if r.person})
    if people:
        facets["person"] = people
    person = message.get("person")
    if isinstance(person, str) and person:
        filters["person"] = person
        views = [v for r, v in zip(records, views, strict=True) if r.person == person]
    chosen = [
        v for v in reversed(views) if all(v[k] == f for k, f in filters.items() if k in FILTERS)
    ]
    return {
        "rows": [project(v, "history_row") for v in chosen[offset : offset + limit]],
        "total": len(chosen),
        "offset": offset,
        "limit": limit,
        "facets": facets,
        "filters": filters,
    }


def class_usage(client: Client) -> dict[str, Any]:
    """``{people}``: the teacher's view, what ``vace-studio usage`` prints — per person in a
    class's shared store: ``person``, ``tasks``, ``waiting``, ``in_flight``, ``with_video``,
    ``cost`` (US dollars) and ``spend_cap`` (None: no cap). ``people`` is None in one person's
    store, where there is no class to show. Caps are set from the CLI or Python only."""
    if client.shared is None:
        return {"people": None}
    queue = SharedQueue(client.shared, client.endpoint)
    return {"people": [dataclasses.asdict(row) for row in queue.usage()]}


def export_target(home: Path, label: str) -> Path:
    """A fresh folder name under ``<home>/exports/`` for a run called ``label``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-").lower()[:40] or "run"
    return home / "exports" / f"{slug}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


def export_run_of(message: Message) -> tuple[str | list[str], str]:
    """What to export (a group id, or task ids) and a label for the folder name."""
    group_id = message.get("group_id")
    ids = message.get("local_ids")
    if isinstance(group_id, str) and group_id:
        return group_id, group_id
    if isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids):
        return list(ids), "tasks" if len(ids) > 1 else ids[0]
    raise MessageError("export: give a group_id, or local_ids as a non-empty list of task ids")
