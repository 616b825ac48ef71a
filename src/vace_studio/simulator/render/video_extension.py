"""video_extension: first/last frames and clips at the ends, a cross-fade between them, 5 s in all.

Timeline at 30 fps (150 frames):

1. ``first_frame_url`` held for 15 frames (0.5 s), then ``first_clip_url`` as-is;
2. the middle: a smoothstep cross-fade from the last frame before it to the first frame after it;
3. ``last_clip_url`` as-is, then ``last_frame_url`` held for 15 frames.

Like the service (reference section 0), a clip over 3 s is cut to its first 3 s, and the clips
used must then add up to at most 3 s — a longer pair fails the task. Clips of different fps are
fine: each is resampled to 30 fps by time. A missing side of the fade is a seeded gradient in
the task's colours, so the middle still moves. With ``video_url`` (a motion source) its
``control_condition`` (posebodyface / depth, required then) is drawn over the middle at
strength 0.5 (see :mod:`.conditions`).

Size: ``size`` when given; else the first video input's (first clip, last clip, motion video)
under the 720p rule; else, from the first image, the documented size closest in aspect ratio;
else 1280×720. Images are cover-scaled; clips of another size are stretched.
"""

from __future__ import annotations

import numpy as np

from vace_studio.imaging.arrays import U8
from vace_studio.imaging.canvas import cover_resize, fit_720p
from vace_studio.imaging.control import ControlKind
from vace_studio.imaging.yuv import blend, planes, rgb_to_frame

from .conditions import ConditionPainter
from .context import DEFAULT_SIZE, FRAME_COUNT, FramePlan, RenderContext, time_of
from .errors import invalid
from .image_reference import gradient_background
from .media_io import FPS, VideoClip

HOLD = 15
MAX_CLIP_SECONDS = 3.0
MOTION_STRENGTH = 0.5
DOCUMENTED_SIZES = ((1280, 720), (720, 1280), (960, 960), (832, 1088), (1088, 832))


def output_size(ctx: RenderContext) -> tuple[int, int]:
    """The output size rule of the module docstring."""
    size = ctx.size()
    if size is not None:
        return size
    for field in ("first_clip_url", "last_clip_url", "video_url"):
        url = ctx.url(field)
        if url is not None:
            probe = ctx.video(url, field)
            return fit_720p(probe.source_width, probe.source_height)
    for field in ("first_frame_url", "last_frame_url"):
        url = ctx.url(field)
        if url is not None:
            img = ctx.image(url, field)
            aspect = img.width / img.height
            return min(DOCUMENTED_SIZES, key=lambda s: abs(np.log(s[0] / s[1] / aspect)))
    return DEFAULT_SIZE


def _clip_frames(clip: VideoClip, n: int) -> list[U8]:
    """The first ``n`` 30 fps steps of ``clip``."""
    frames = clip.load_all()
    return [frames[clip.index_at(time_of(j), loop=False)] for j in range(n)]


def _used_seconds(clips: list[VideoClip | None]) -> list[float]:
    """Seconds used of each clip (its first 3 s at most); fails when they add up to over 3 s."""
    used = []
    for clip in clips:
        if clip is not None:
            clip.load_all()  # decodes its first 5 s, so duration is known
        used.append(0.0 if clip is None else min(clip.duration, MAX_CLIP_SECONDS))
    if sum(used) > MAX_CLIP_SECONDS + 1e-6:
        raise invalid(
            f"first_clip_url, last_clip_url: the clips together must be at most "
            f"{MAX_CLIP_SECONDS:g} s (got {used[0]:.2f} s + {used[1]:.2f} s)"
        )
    return used


def _hold(frame: U8 | None) -> list[U8]:
    """A first or last frame, held for a moment at its end of the video."""
    return [] if frame is None else [frame] * HOLD


def _clip_or_none(clip: VideoClip | None, length: int) -> list[U8]:
    return _clip_frames(clip, length) if clip is not None and length else []


def _motion(
    ctx: RenderContext, size: tuple[int, int]
) -> tuple[ControlKind | None, VideoClip | None, ConditionPainter | None]:
    """The motion source (``video_url``) and how its control condition is painted, if any."""
    kind: ControlKind | None = ctx.choice("control_condition", ("posebodyface", "depth"), None)
    motion_url = ctx.url("video_url")
    if motion_url is None:
        return kind, None, None
    if kind is None:
        raise invalid("control_condition: is required with video_url (posebodyface or depth)")
    motion = ctx.video(motion_url, "video_url", size)
    return kind, motion, ConditionPainter(kind, MOTION_STRENGTH, ctx.accent)


def plan(ctx: RenderContext) -> FramePlan:
    """Prepare the video_extension render."""
    width, height = output_size(ctx)
    size = (width, height)

    def image_frame(field: str) -> U8 | None:
        url = ctx.url(field)
        return (
            None
            if url is None
            else rgb_to_frame(cover_resize(ctx.image(url, field).rgb, width, height))
        )

    def clip(field: str) -> VideoClip | None:
        url = ctx.url(field)
        return None if url is None else ctx.video(url, field, size)

    first_img, last_img = image_frame("first_frame_url"), image_frame("last_frame_url")
    first_clip, last_clip = clip("first_clip_url"), clip("last_clip_url")
    lengths = [
        0 if c is None else max(1, round(seconds * FPS))
        for c, seconds in zip(
            (first_clip, last_clip), _used_seconds([first_clip, last_clip]), strict=True
        )
    ]

    start = _hold(first_img) + _clip_or_none(first_clip, lengths[0])
    end = _clip_or_none(last_clip, lengths[1]) + _hold(last_img)

    n_mid = FRAME_COUNT - len(start) - len(end)
    a = start[-1] if start else rgb_to_frame(gradient_background(ctx, width, height))
    b = end[0] if end else rgb_to_frame(gradient_background(ctx, width, height))
    kind, motion, painter = _motion(ctx, size)

    def draw(i: int, out: U8) -> None:
        if i < len(start):
            out[...] = start[i]
            return
        j = i - len(start)
        if j >= n_mid:
            out[...] = end[j - n_mid]
            return
        s = (j + 1) / (n_mid + 1)
        w = s * s * (3 - 2 * s)
        out[...] = a
        blend(out, b, round(w * 255))
        if painter is not None and motion is not None:
            painter.apply(planes(motion.frame(motion.index_at(time_of(i))))[0], out)

    parts = [
        name
        for name, present in (
            ("first frame", first_img is not None),
            ("first clip", first_clip is not None),
            ("last clip", last_clip is not None),
            ("last frame", last_img is not None),
            (f"motion {kind}", motion is not None),
        )
        if present
    ]
    detail = f"video_extension · {' + '.join(parts) or 'no inputs'} · seed {ctx.seed}"
    return FramePlan(width, height, detail, draw)
