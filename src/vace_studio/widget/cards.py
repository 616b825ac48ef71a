"""A task as notebook code and the browser see it: small JSON, and the delta between two states.

Three shapes, all plain JSON:

* :func:`summary` — the Python-side card (``Studio.cards``): ids, status, local queue position,
  timings, URLs, the local video path, error, cost and the request; what a person can do
  (``advice``, the provider's ``console_url``, ``candidates`` for an uncertain submit), the
  request's ``warnings`` (in the form's words), ``replaces``/``replaced_by``, and ``paused``
  (why a waiting task is not being sent).
* :func:`result` — the subset of a succeeded task that ``Studio.results`` lists.
* :func:`wire` — what the browser gets: the summary without the kernel's file path (the browser
  only needs to know a video exists, and whether its source video can be compared with it) and
  with ``order`` instead of ``position``, so that a task leaving the local queue does not cost
  one message per task behind it: the browser ranks the waiting cards by ``order`` itself.

:func:`delta` is what travels on each change: the fields that differ, plus ``local_id``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vace_studio.engine import Task
from vace_studio.engine.status import LOCAL_QUEUE
from vace_studio.widget.videos import source_ref
from vace_studio.widget.wording import stored_warnings

Card = dict[str, Any]

_TIMES = ("created_at", "submitted_at", "started_at", "finished_at", "url_expires_at")


def _json_safe(value: Any) -> Any:
    """Tags come from users and may hold anything; a card must survive ``json.dumps``."""
    return json.loads(json.dumps(value, default=str))


def _rounded(value: float | None) -> float | None:
    # Millisecond precision is plenty for display and keeps every delta a few bytes shorter.
    return None if value is None else round(value, 3)


def summary(
    task: Task,
    *,
    expected_seconds: float | None = None,
    console_url: str | None = None,
    held: str | None = None,
) -> Card:
    """The Python-side card of ``task`` (what ``Studio.cards`` holds); ``held`` is why its
    client's submissions are paused, if they are."""
    rec = task.record
    candidates = rec.extra.get("candidates")
    card: Card = {
        "local_id": rec.id,
        "function": rec.function,
        "status": rec.status,
        "position": task.position,
        "task_id": rec.task_id,
        "provider": rec.provider,
        "expected_seconds": _rounded(expected_seconds),
        "error_code": rec.error_code,
        "error_message": rec.error_message,
        "last_error": task.last_error,
        "downloading": task.downloading,
        "video_url": rec.video_url,
        "local_path": rec.local_path,
        "cost": rec.cost,
        "advice": rec.advice,
        "console_url": console_url,
        "candidates": [str(c) for c in candidates] if isinstance(candidates, list) else [],
        "warnings": _json_safe(stored_warnings(rec.warnings, rec.function)),
        "replaces": rec.replaces,
        "replaced_by": rec.replaced_by,
        "paused": held if rec.status in LOCAL_QUEUE else None,
        "request": _json_safe(rec.request),
        "tags": _json_safe(rec.tags),
    }
    for name in _TIMES:
        card[name] = _rounded(getattr(rec, name))
    return card


def result(card: Card) -> Card:
    """What ``Studio.results`` lists for a succeeded task: where its video is, and timings."""
    submitted, finished = card["submitted_at"], card["finished_at"]
    keys = (
        "local_id",
        "task_id",
        "function",
        "status",
        "video_url",
        "url_expires_at",
        "local_path",
        "created_at",
        "submitted_at",
        "started_at",
        "finished_at",
        "cost",
    )
    out = {key: card[key] for key in keys}
    out["prompt"] = card["request"].get("prompt")
    out["seconds"] = (
        round(finished - submitted, 3) if submitted is not None and finished is not None else None
    )
    return out


def has_video(card: Card) -> bool:
    path = card.get("local_path")
    return isinstance(path, str) and Path(path).is_file()


def wire(card: Card, order: int) -> Card:
    """The browser's card: no kernel paths, and ``order`` to rank waiting tasks by."""
    out = {k: v for k, v in card.items() if k not in ("position", "local_path", "tags")}
    out["has_video"] = has_video(card)
    # A/B: the source video the result was made from, when the kernel can send it.
    out["has_source"] = source_ref(card["request"]) is not None
    out["order"] = order
    return out


def delta(old: Card | None, new: Card) -> Card | None:
    """``new`` whole when ``old`` is None, else the changed fields; None when nothing changed."""
    if old is None:
        return dict(new)
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if not changed:
        return None
    return {"local_id": new["local_id"], **changed}
