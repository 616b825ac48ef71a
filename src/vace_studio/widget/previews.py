"""Form previews and media-check hints: what the ``preview`` message answers.

The browser asks ``preview {request}`` when one of :data:`PREVIEW_FIELDS` changes for the
form's function (debounced, at most one request in flight per form). The kernel draws the
preview with :func:`vace_studio.media.previews_for` — the same code the simulator renders
with — and answers the PNGs as binary buffers plus their facts and a one-line caption.

:func:`fix_call` is the Python line that runs a problem's repair helper (the form shows it with a
Copy button; :mod:`~vace_studio.widget.wording` puts it beside each problem).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vace_studio.media import Preview, previews_for
from vace_studio.requests import Problem, validate_request

PREVIEW_FIELDS: dict[str, list[str]] = {
    "video_edit": [
        "video_url",
        "mask_image_url",
        "mask_frame_id",
        "mask_type",
        "expand_ratio",
        "expand_mode",
    ],
    "video_outpainting": ["video_url", "top_scale", "bottom_scale", "left_scale", "right_scale"],
    "video_repainting": ["video_url", "control_condition"],
    "video_extension": ["video_url", "control_condition"],
}
"""Function → the request fields :func:`~vace_studio.media.previews_for` reads for it. The
front end asks for a new preview only when one of these changes (kept beside the preview code
so the browser never restates a field list)."""

_PLACEHOLDER_PROMPT = "preview"

_FIX_ARGS = {"scale_mask_to_video": 2}
"""Helpers that take the mask and the video (the rest take the one file)."""


def previews(request: Mapping[str, Any], *, max_width: int = 480) -> tuple[list[Any], list[bytes]]:
    """The previews of ``request`` as (JSON entries, PNG buffers), in the same order.

    A preview depends only on the media and geometry fields, so a missing prompt is filled in
    for validation: people want to see their mask before they have written a prompt. Raises
    :class:`~vace_studio.InvalidRequest` when the rest does not validate.
    """
    data = dict(request)
    if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
        data["prompt"] = _PLACEHOLDER_PROMPT
    model = validate_request(data)
    made = previews_for(model, max_width=max_width)
    return [entry(p) for p in made], [p.png for p in made]


def entry(preview: Preview) -> dict[str, Any]:
    """One preview's facts (no bytes), with a caption people can read."""
    facts = preview.to_json()
    return {**facts, "caption": caption(facts)}


def _size(pair: Any) -> str:
    return f"{pair[0]}×{pair[1]}" if isinstance(pair, list | tuple) and len(pair) == 2 else "?"


def _percent(value: Any) -> str:
    return f"{100 * value:.1f} %" if isinstance(value, int | float) else "?"


def caption(facts: Mapping[str, Any]) -> str:
    """What the picture shows, in one line (the facts stay available for tests and tooltips)."""
    kind = facts.get("preview")
    if kind == "mask":
        shown = f"Frame {facts.get('frame_shown')} of the {_size(facts.get('video_size'))} video"
        mask = f"mask {_percent(facts.get('mask_area'))} of the frame"
        if facts.get("mask_type") == "tracking":
            grown = (
                f"{_percent(facts.get('expanded_area'))} after {facts.get('expand_mode')} "
                f"expansion by {facts.get('expand_ratio')}"
            )
            text = f"{shown}: {mask}, {grown} (red: the mask, amber: what expansion adds)"
        else:
            text = f"{shown}: {mask}, fixed (not expanded)"
        if facts.get("frame_id_valid") is False:
            text += f"; mask frame must be at most {facts.get('max_frame_id')}"
        if facts.get("mask_matches_video") is False:
            text += f"; the mask is {_size(facts.get('mask_size'))}, stretched to the frame"
        return text
    if kind == "outpainting":
        return (
            f"Source {_size(facts.get('video_size'))} on a "
            f"{_size(facts.get('canvas_size'))} canvas, output "
            f"{_size(facts.get('output_size'))} (outlined: the source; the rest is invented)"
        )
    if kind == "control":
        frames = ", ".join(str(f) for f in facts.get("frames_shown") or [])
        return (
            f"Frames {frames} (top) and their {facts.get('control_condition')} condition "
            "(bottom), as the simulator extracts it"
        )
    if kind == "thumbnail":
        return f"{facts.get('kind', 'file')} {_size([facts.get('width'), facts.get('height')])}"
    return ""


def fix_call(fix: str, problem: Problem, request: Mapping[str, Any]) -> str:
    """The Python line that repairs ``problem``, e.g. ``vace_studio.media.trim('in.mp4', 5)``."""
    ref = problem.value if isinstance(problem.value, str) else None
    args = [repr(ref)] if ref else ["file"]
    if _FIX_ARGS.get(fix) == 2:
        video = request.get("video_url")
        args.append(repr(video) if isinstance(video, str) else "video")
    return f"vace_studio.media.{fix}({', '.join(args)})"
