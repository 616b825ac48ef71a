"""The simulator's video renderer: one real MP4 per succeeded task, visibly shaped by the request.

Public API::

    render_task(request, inputs, *, out_path_or_file) -> RenderInfo
    RenderInfo      # what was written (size, fps, frame count, caption box, timing)
    RenderError     # .code ("InvalidParameter") and .message, for inputs that cannot be used
    FUNCTIONS       # the five function names

- ``request``: a plain dict with the API's field names (``function``, ``prompt``, ``seed``,
  ``size``, ``ref_images_url``, ``obj_or_bg``, ``video_url``, ``control_condition``, ``strength``,
  ``mask_image_url``, ``mask_video_url``, ``mask_frame_id``, ``mask_type``, ``expand_ratio``,
  ``expand_mode``, ``first_frame_url``, ``last_frame_url``, ``first_clip_url``, ``last_clip_url``,
  ``top_scale``, ``bottom_scale``, ``left_scale``, ``right_scale``). A DashScope body with
  ``input`` / ``parameters`` objects is accepted too.
- ``inputs``: maps every media URL string in the request to a local file path (the server
  downloads / resolves uploads first). A URL missing from ``inputs`` fails the task.
- ``out_path_or_file``: a path, or a seekable binary file object.

Output, always: H.264, yuv420p, 30 fps, 150 frames (5 s), with the prompt as a caption. Size:
``size`` (default 1280*720) for image_reference; the video input's size under the 720p rule for
the video functions; see each function's module for what it draws:
:mod:`.image_reference`, :mod:`.video_repainting`, :mod:`.video_edit`, :mod:`.video_extension`,
:mod:`.video_outpainting`. The render is deterministic: same request, inputs and seed → the same
bytes (x264 runs with a fixed thread count).

Raises :class:`RenderError` for unusable inputs (undecodable file, a mask whose resolution differs
from the video's, a missing required field, …).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from vace_studio.imaging.caption import render_caption
from vace_studio.imaging.yuv import Overlay, new_frame

from . import image_reference, video_edit, video_extension, video_outpainting, video_repainting
from .context import FRAME_COUNT, FramePlan, RenderContext
from .errors import RenderError, invalid
from .media_io import FPS, Mp4Writer, PathOrFile

__all__ = ["FUNCTIONS", "RenderError", "RenderInfo", "render_task"]

_PLANNERS: dict[str, Callable[[RenderContext], FramePlan]] = {
    "image_reference": image_reference.plan,
    "video_repainting": video_repainting.plan,
    "video_edit": video_edit.plan,
    "video_extension": video_extension.plan,
    "video_outpainting": video_outpainting.plan,
}
FUNCTIONS: tuple[str, ...] = tuple(_PLANNERS)


@dataclass(frozen=True)
class RenderInfo:
    """What :func:`render_task` wrote.

    ``caption_box`` is (x0, y0, x1, y1), exclusive ends: the only area drawn over the function's
    own picture (tests and previews exclude it). ``seconds`` is the wall time of the render.
    """

    function: str
    width: int
    height: int
    fps: int
    frame_count: int
    caption_box: tuple[int, int, int, int]
    seconds: float
    codec: str = "h264"
    pix_fmt: str = "yuv420p"

    @property
    def duration(self) -> float:
        """Video length in seconds (what DashScope bills as ``usage.video_duration``)."""
        return self.frame_count / self.fps


def render_task(
    request: Mapping[str, Any],
    inputs: Mapping[str, str | os.PathLike[str]],
    *,
    out_path_or_file: PathOrFile,
) -> RenderInfo:
    """Render the task's MP4 to ``out_path_or_file`` (see the module docstring)."""
    started = time.perf_counter()
    with ExitStack() as stack:
        ctx = RenderContext(request, inputs, stack)
        planner = _PLANNERS.get(ctx.function)
        if planner is None:
            raise invalid(f"function: must be one of {', '.join(FUNCTIONS)} (got {ctx.function!r})")
        plan = planner(ctx)
        caption = render_caption(ctx.prompt, plan.width, plan.height, plan.detail)
        overlay = Overlay.from_rgba(caption.rgba)
        # Two buffers are enough: Mp4Writer.write copies the frame before queueing it.
        frame = new_frame(plan.width, plan.height)
        with Mp4Writer(out_path_or_file, plan.width, plan.height) as writer:
            for i in range(FRAME_COUNT):
                plan.draw(i, frame)
                overlay.composite(frame, caption.x, caption.y)
                writer.write(frame)
    return RenderInfo(
        function=ctx.function,
        width=plan.width,
        height=plan.height,
        fps=FPS,
        frame_count=FRAME_COUNT,
        caption_box=caption.box,
        seconds=time.perf_counter() - started,
    )
