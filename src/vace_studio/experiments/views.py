"""One task, one view: every way a task is shown is a named subset of :func:`task_view`.

The widget's cards, the Gallery's cells, the History table, ``vace_studio.history()`` and the CLI
all show the same task; before this module each built its own dict, and the same thing had two
names (``id`` / ``local_id``, ``video_exists`` / ``has_video``, ``seconds`` / ``total_seconds``).
Now :data:`FIELDS` lists every key a view may hold, once, with its meaning, and
:data:`PROJECTIONS` says which keys each audience gets::

    view = task_view(record, task=task, order=3)
    project(view, "card")        # what the browser's task card receives

Projections named in :data:`BROWSER` cross the comm: they never hold a kernel path (a test
checks), only ``has_video``. Python writes a golden JSON of each browser projection to
``js/test/fixtures/wire/`` and the TypeScript tests check their types against it.

Fields the engine cannot know (how a warning reads in the form, the ETA, the widget's rank of a
waiting card) are passed in by the caller as ``extra``; the view only keeps the key names in one
place. It lives in ``experiments`` because that is the UI-free layer the widget, the CLI and
notebooks all read; it imports nothing heavy, so the CLI stays light.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vace_studio.providers import regional

if TYPE_CHECKING:
    from vace_studio.engine import Task, TaskRecord

TaskView = dict[str, Any]

FIELDS: dict[str, str] = {
    "local_id": "the task's local id (the store's key; what rerun() and export_run() take)",
    "task_id": "the provider's task id (None until the provider accepted the task)",
    "group_id": "the sweep (or other group) the task belongs to, else None",
    "labels": "dict: the task's labels (a sweep cell's varied fields, rerun_of, ...)",
    "function": "one of the five functions, e.g. 'video_edit'",
    "prompt": "the request's prompt",
    "request": "dict: the request as sent, by API field name",
    "provider": "a registered provider's name (providers.provider_names()) or simulator",
    "region": "the region where the provider has several (DashScope: intl or cn), else None",
    "endpoint": "the provider URL the task went to",
    "status": "where the task is (vace_studio.engine.status.Status)",
    "provider_status": "the provider's own word for the status, verbatim",
    "position": "place in line while waiting (live tasks only), else None: in the local queue, or"
    " in a shared store the account's fair queue, class-wide",
    "eta": "shared store: seconds until a waiting task is likely submitted (live tasks only)",
    "downloading": "the result video is being fetched (live tasks only)",
    "last_error": "the engine's latest passing trouble (a failed poll that will be retried)",
    "error_code": "the provider's error code, verbatim (failed tasks)",
    "error_message": "the provider's error message, verbatim",
    "advice": "what a person can do now, in words (a refusal's fix, an uncertain submit's choices)",
    "candidates": "list: provider task ids that may be the one a lost submit created",
    "replaces": "the local id of the uncertain task this one was submitted again in place of",
    "replaced_by": "the local id of the task submitted again in this one's place",
    "created_at": "when it was recorded (Unix seconds; DataFrame: UTC timestamp)",
    "submitted_at": "when the provider accepted it",
    "started_at": "when it was first seen running",
    "finished_at": "when it ended",
    "queue_seconds": "submitted → started, seconds",
    "run_seconds": "started → finished, seconds",
    "total_seconds": "submitted → finished, seconds",
    "usage": "dict: what the provider billed (video_duration, ...)",
    "video_seconds": "output seconds billed (usage video_duration)",
    "cost": "US dollars, from the usage and the provider's price (None if unknown)",
    "video_url": "the provider's result URL (expires, see url_expires_at)",
    "url_expires_at": "when video_url stops working",
    "local_path": "the downloaded MP4 in the kernel's cache, if any (never sent to the browser)",
    "has_video": "whether the downloaded MP4 is on disk (the browser may fetch it by local id)",
    # Given by the caller (``extra``): facts of the widget, not of the task.
    "has_source": "widget: the kernel can send the source video the request names (A/B)",
    "warnings": "widget: what the service trims or ignores in the request, in the form's words",
    "expected_seconds": "widget: typical submit-to-finish seconds of similar tasks (the ETA)",
    "console_url": "widget: the provider's console, where a person can look for the task",
    "paused": "widget: why this waiting task is not being sent (submissions are held)",
    "order": "widget: ranks the waiting cards (one kernel's queue position is their rank by order)",
    "index": "gallery: the cell's place in its sweep's grid",
}
"""Every key a task view may hold, with its meaning (the columns of ``vace_studio.history()``
are :data:`PROJECTIONS` ``["row"]``)."""

PROJECTIONS: dict[str, tuple[str, ...]] = {
    # The browser's task card (``tasks`` pushes, ``hello`` answers).
    "card": (
        "local_id", "function", "status", "order", "position", "eta", "task_id", "provider",
        "created_at",
        "submitted_at", "started_at", "finished_at", "url_expires_at", "expected_seconds",
        "error_code", "error_message", "last_error", "downloading", "has_video", "has_source",
        "video_url", "cost", "advice", "console_url", "candidates", "warnings", "replaces",
        "replaced_by", "paused", "request",
    ),
    # ``Studio.cards``: the card for notebook code, with the kernel's path and queue position.
    "notebook_card": (
        "local_id", "function", "status", "position", "eta", "task_id", "provider", "labels",
        "created_at", "submitted_at", "started_at", "finished_at", "url_expires_at",
        "expected_seconds", "error_code", "error_message", "last_error", "downloading",
        "video_url", "local_path", "has_video", "cost", "advice", "console_url", "candidates",
        "warnings", "replaces", "replaced_by", "paused", "request",
    ),
    # ``Studio.results``: a succeeded task's video and timings.
    "result": (
        "local_id", "task_id", "function", "status", "prompt", "video_url", "url_expires_at",
        "local_path", "created_at", "submitted_at", "started_at", "finished_at",
        "total_seconds", "cost",
    ),
    # A cell of a sweep's Gallery (the ``gallery`` answer).
    "cell": (
        "index", "labels", "local_id", "task_id", "status", "has_video", "has_source",
        "video_url", "url_expires_at", "request", "error_code", "error_message", "cost",
    ),
    # A row of the browser's History table (the ``history`` answer).
    "history_row": (
        "local_id", "task_id", "group_id", "labels", "function", "prompt", "request",
        "provider", "region", "status", "error_code", "error_message", "created_at",
        "submitted_at", "finished_at", "total_seconds", "usage", "cost", "has_video",
    ),
    # ``vace_studio.history()`` columns and ``history_rows()`` keys, in order.
    "row": (
        "local_id", "task_id", "group_id", "labels", "function", "prompt", "request",
        "provider", "region", "endpoint", "status", "error_code", "error_message",
        "created_at", "submitted_at", "started_at", "finished_at", "queue_seconds",
        "run_seconds", "total_seconds", "usage", "video_seconds", "cost", "video_url",
        "url_expires_at", "local_path", "has_video",
    ),
    # ``vace-studio status``: one task in full.
    "detail": (
        "local_id", "task_id", "group_id", "labels", "function", "request", "provider",
        "region", "endpoint", "status", "provider_status", "error_code", "error_message",
        "advice", "candidates", "replaces", "replaced_by", "created_at", "submitted_at",
        "started_at", "finished_at", "queue_seconds", "run_seconds", "total_seconds", "usage",
        "video_seconds", "cost", "video_url", "url_expires_at", "local_path", "has_video",
    ),
    # ``vace-studio history`` and the JSON lines the CLI prints.
    "cli": (
        "local_id", "task_id", "provider", "function", "status", "created_at", "error_code",
        "error_message", "advice", "replaces", "video_url", "local_path", "cost",
    ),
}  # fmt: skip
"""Audience → the keys of :data:`FIELDS` it gets, in order."""

BROWSER = frozenset({"card", "cell", "history_row"})
"""Projections that cross the comm to the browser: no kernel paths in them."""

TIMES = ("created_at", "submitted_at", "started_at", "finished_at", "url_expires_at")
"""The view's moments, Unix seconds rounded to the millisecond."""


def _json_safe(value: Any) -> Any:
    """Labels come from users and may hold anything; a view must survive ``json.dumps``."""
    return json.loads(json.dumps(value, default=str))


def _rounded(value: float | None) -> float | None:
    # Millisecond precision is plenty for display and keeps every card delta a few bytes shorter.
    return None if value is None else round(value, 3)


def _span(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else round(end - start, 3)


def task_view(record: TaskRecord, *, task: Task | None = None, **extra: Any) -> TaskView:
    """Everything shown of a task, by the names of :data:`FIELDS`.

    ``record`` is the store's row; ``task`` the engine's live task when there is one (its queue
    position, download and passing trouble live in memory only); ``extra`` sets fields only the
    caller knows (``order``, ``warnings``, ``has_source``, ...), which default to ``None``.
    """
    unknown = set(extra) - set(FIELDS)
    if unknown:
        raise KeyError(f"task_view: unknown fields {sorted(unknown)} (see views.FIELDS)")
    usage = record.usage
    seconds = usage.get("video_duration") if usage else None
    candidates = record.extra.get("candidates")
    path = record.local_path
    view: TaskView = dict.fromkeys(FIELDS)
    view.update(
        local_id=record.id,
        task_id=record.task_id,
        group_id=record.group_id,
        labels=_json_safe(record.tags),
        function=record.function,
        prompt=record.request.get("prompt"),
        request=_json_safe(record.request),
        provider=record.provider,
        region=regional(record.protocol, record.region),
        endpoint=record.endpoint,
        status=str(record.status),
        provider_status=record.provider_status,
        position=task.position if task is not None else None,
        # Whole seconds: the estimate is rough, and float noise would be a change to push.
        eta=None if task is None or task.eta is None else round(task.eta),
        downloading=task.downloading if task is not None else False,
        last_error=task.last_error if task is not None else None,
        error_code=record.error_code,
        error_message=record.error_message,
        advice=record.advice,
        candidates=[str(c) for c in candidates] if isinstance(candidates, list) else [],
        replaces=record.replaces,
        replaced_by=record.replaced_by,
        queue_seconds=_span(record.submitted_at, record.started_at),
        run_seconds=_span(record.started_at, record.finished_at),
        total_seconds=_span(record.submitted_at, record.finished_at),
        usage=_json_safe(usage) if usage is not None else None,
        video_seconds=float(seconds) if isinstance(seconds, int | float) else None,
        cost=record.cost,
        video_url=record.video_url,
        local_path=path,
        has_video=bool(path) and Path(path or "").is_file(),
        warnings=[],
    )
    for name in TIMES:
        view[name] = _rounded(getattr(record, name))
    view.update(extra)
    return view


def missing_view(**extra: Any) -> TaskView:
    """The view of a task that does not exist: a sweep cell that was never queued."""
    view: TaskView = dict.fromkeys(FIELDS)
    view.update(status="missing", has_video=False, has_source=False, labels={}, request={})
    view.update(extra)
    return view


def project(view: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The keys of projection ``name`` (see :data:`PROJECTIONS`), in its order."""
    return {key: view[key] for key in PROJECTIONS[name]}
