"""A static HTML summary of a studio's latest tasks, for where the live widget does not render.

A notebook saved and opened elsewhere, exported with ``jupyter nbconvert --to html``, or shown on
GitHub has no widget manager: it shows a display's ``text/html`` instead of its widget view.
:func:`snapshot_html` is that text: the newest tasks with their prompt, function and status, and
a small JPEG poster of each result, inline (a data URI), so the page needs nothing else. It is
capped at :data:`MAX_BYTES` (posters are left out first, then older tasks), and everything in it
is escaped. It never holds a URL (result URLs are signed) or a key: prompts, function names,
statuses, error messages and pictures only.

Posters are made with PyAV and Pillow (``widget/videos.py``), imported when a first poster is
needed, and remembered by file: the video cache names files by content, so a path's picture
never changes.
"""

from __future__ import annotations

import base64
import contextvars
import html
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vace_studio.engine.status import WITH_VIDEO
from vace_studio.widget.hosts import HINTS, Host

MAX_BYTES = 200_000
"""The snapshot's ceiling in bytes: saved notebooks must stay small (style.md, practice 4)."""

MAX_TASKS = 6
"""Tasks shown, newest first; the rest are counted."""

POSTER_WIDTH = 240
"""Pixels across a poster: about 8–15 KB of JPEG for a 16:9 frame."""

_posters: dict[str, str | None] = {}  # local path → data URI (None: unreadable)


def poster_uri(path: str) -> str | None:
    """A small JPEG of the first frame of the video at ``path`` as a data URI, or None."""
    if path in _posters:
        return _posters[path]
    from vace_studio.widget.videos import VideoUnavailableError, still_jpeg  # PyAV, Pillow

    try:
        jpeg, _width, _height = still_jpeg(path, max_width=POSTER_WIDTH)
    except (VideoUnavailableError, OSError):
        uri = None
    else:
        uri = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    _posters[path] = uri
    return uri


_STYLE = (
    "font-family:system-ui,sans-serif;font-size:13px;border:1px solid #8884;border-radius:6px;"
    "padding:8px 12px;max-width:820px"
)


def _prompt(card: Mapping[str, Any]) -> str:
    request = card.get("request")
    prompt = request.get("prompt") if isinstance(request, Mapping) else None
    return prompt if isinstance(prompt, str) else ""


def _item(card: Mapping[str, Any], poster: str | None) -> str:
    esc = html.escape
    status = str(card.get("status", ""))
    parts = [
        f'<li class="vs-snapshot-task" data-status="{esc(status)}" '
        'style="display:flex;gap:10px;align-items:flex-start;margin:6px 0">'
    ]
    if poster:
        parts.append(
            f'<img class="vs-snapshot-poster" src="{esc(poster)}" width="{POSTER_WIDTH // 2}" '
            f'alt="{esc("First frame of the result: " + _prompt(card))}" style="border-radius:4px">'
        )
    parts.append(
        "<div>"
        f'<code class="vs-snapshot-function">{esc(str(card.get("function", "")))}</code> · '
        f'<strong class="vs-snapshot-status">{esc(status)}</strong><br>'
        f'<span class="vs-snapshot-prompt">{esc(_prompt(card)) or "<em>no prompt</em>"}</span>'
    )
    error = card.get("error_message")
    if isinstance(error, str) and error:
        parts.append(f'<br><small class="vs-snapshot-error">{esc(error[:300])}</small>')
    parts.append("</div></li>")
    return "".join(parts)


def snapshot_html(
    cards: Sequence[Mapping[str, Any]],
    *,
    provider: str,
    host: Host,
    max_bytes: int = MAX_BYTES,
) -> str:
    """The summary of ``cards`` (newest first, the ``notebook_card`` projection), at most
    ``max_bytes`` long."""
    esc = html.escape
    shown = list(cards[:MAX_TASKS])
    posters = {
        i: poster_uri(str(card["local_path"]))
        for i, card in enumerate(shown)
        if card.get("status") in WITH_VIDEO and card.get("local_path")
    }
    where = "the built-in simulator" if provider == "simulator" else provider
    head = (
        f'<div class="vs-snapshot" style="{_STYLE}">'
        f"<strong>vace-studio</strong> — a snapshot of the studio's latest tasks "
        f"(tasks went to {esc(where)}). "
        f'<small class="vs-snapshot-hint">{esc(HINTS[host])}</small>'
    )
    while True:
        items = [_item(card, posters.get(i)) for i, card in enumerate(shown)]
        rest = len(cards) - len(shown)
        more = f"<p>…and {rest} older task{'s' * (rest != 1)}.</p>" if rest > 0 else ""
        empty = "" if shown else "<p>No tasks yet.</p>"
        text = f'{head}{empty}<ul style="list-style:none;padding:0">{"".join(items)}</ul>{more}'
        text += "</div>"
        if len(text.encode()) <= max_bytes:
            return text
        if any(posters.values()):
            # Drop the oldest task's poster first: the newest results matter most.
            last = max(i for i, uri in posters.items() if uri)
            posters[last] = None
        elif shown:
            shown.pop()
        else:
            return text[:max_bytes]  # only a pathological head gets here; still bounded


class SnapshotDisplay:
    """The studio's display: its widget view with :func:`snapshot_html` beside it, kept up to
    date while no live view is attached.

    Jupyter renders a widget's output again when the output is replaced (jupyter-widgets'
    ``renderModel`` builds a new view), which would wipe a form being filled, so a display is
    updated only while no view has ever spoken: a notebook run headless (``nbconvert
    --execute``, papermill, nbclient) saves the latest tasks; a live notebook saves what the
    studio held when its cell last ran (re-run the cell, or ``studio`` in a new one, to record
    more).
    """

    def __init__(
        self, html: Callable[[], str], view: Callable[[], tuple[dict[str, Any], dict[str, Any]]]
    ) -> None:
        self._html = html
        self._view = view  # the widget view's own bundle and metadata (anywidget's)
        self.display_id = secrets.token_hex(8)
        self.displayed = False
        self.live = False
        self._last = ""

    def bundle(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The widget view's bundle with the snapshot added, and its metadata."""
        data, metadata = self._view()
        self._last = self._html()
        return {**data, "text/html": self._last}, metadata

    def show(self) -> None:
        """Display the studio (``_ipython_display_``): with a display id, so it can be updated."""
        from IPython.display import display

        data, metadata = self.bundle()
        display(data, metadata=metadata, raw=True, display_id=self.display_id)  # type: ignore[no-untyped-call]
        self.displayed = True

    def refresh(self) -> None:
        """Update the displayed snapshot if it changed and nothing live shows the studio."""
        if not self.displayed or self.live:
            return
        text = self._html()
        if text == self._last:
            return
        from IPython.display import update_display

        data, metadata = self._view()
        self._last = text
        bundle = {**data, "text/html": text}
        # Sent from the studio's own asyncio task, whose context still names the cell that made
        # the studio as the message's parent; nbclient (and papermill) file outputs by the cell
        # running now. In an empty context ipykernel's display publisher falls back on the
        # parent of the latest request, so the update reaches the notebook.
        contextvars.Context().run(
            update_display, bundle, metadata=metadata, raw=True, display_id=self.display_id
        )
