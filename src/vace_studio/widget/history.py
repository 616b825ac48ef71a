"""The History view's data: the store's tasks a page at a time, and exports of runs.

A store may hold thousands of tasks; the browser asks for one page (newest first, at most
:data:`MAX_PAGE` rows) with its filters, and gets the filter choices (``facets``) with it. Exports
are written under ``<home>/exports/`` by :func:`vace_studio.experiments.export_run` on a worker
thread (it copies videos); a zip can then be fetched by the browser in chunks, named by the
``download`` id of its answer, never by path.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vace_studio.engine import Store
from vace_studio.experiments import history_rows

PAGE_SIZE = 50
"""Rows per page unless the browser asks for another number."""

MAX_PAGE = 200
"""The most rows one answer carries (a long history is paged, never sent whole)."""

FILTERS = ("status", "function", "provider", "group_id")
"""Row keys the browser may filter on (exact match)."""

FACETS = ("status", "function", "provider")
"""Row keys whose distinct values the answer lists, for the filter menus."""

_ROW_KEYS = (
    "id", "task_id", "group_id", "labels", "function", "prompt", "request", "provider",
    "region", "status", "error_code", "error_message", "created_at", "submitted_at",
    "finished_at", "total_seconds", "usage", "cost", "local_path", "video_exists",
)  # fmt: skip


class HistoryRequestError(ValueError):
    """A history or export request the kernel cannot serve; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _whole(content: Mapping[str, Any], key: str, default: int, high: int) -> int:
    value = content.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
        raise HistoryRequestError(
            "bad_message", f"{key}: expected a whole number from 0 to {high} (got {value!r})"
        )
    return value


def page(store: Store, content: Mapping[str, Any]) -> dict[str, Any]:
    """``{rows, total, offset, limit, facets}``: one page of the filtered history, newest first."""
    filters = {k: v for k in FILTERS if isinstance(v := content.get(k), str) and v}
    offset = _whole(content, "offset", 0, 10**9)
    limit = _whole(content, "limit", PAGE_SIZE, MAX_PAGE)
    rows = history_rows(store=store)
    facets = {key: sorted({str(r[key]) for r in rows if r[key]}) for key in FACETS}
    chosen = [r for r in reversed(rows) if all(r[k] == v for k, v in filters.items())]
    return {
        "rows": [{k: r[k] for k in _ROW_KEYS} for r in chosen[offset : offset + limit]],
        "total": len(chosen),
        "offset": offset,
        "limit": limit,
        "facets": facets,
        "filters": filters,
    }


def export_target(home: Path, label: str) -> Path:
    """A fresh folder name under ``<home>/exports/`` for a run called ``label``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-").lower()[:40] or "run"
    return home / "exports" / f"{slug}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


def export_run_of(content: Mapping[str, Any]) -> tuple[str | list[str], str]:
    """What to export (a group id, or task ids) and a label for the folder name."""
    group_id = content.get("group_id")
    ids = content.get("local_ids")
    if isinstance(group_id, str) and group_id:
        return group_id, group_id
    if isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids):
        return list(ids), "tasks" if len(ids) > 1 else ids[0]
    raise HistoryRequestError(
        "bad_message", "export: give a group_id, or local_ids as a non-empty list of task ids"
    )
