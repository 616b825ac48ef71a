"""video_outpainting: the input video on an enlarged canvas, the new border filled in.

Geometry (canvas size, source offset, 720p fitting) and the border fill — a blurred, dimmed,
mirrored extension of the frame — are defined exactly in :mod:`vace_studio.imaging.canvas`
(:func:`~vace_studio.imaging.canvas.outpaint_geometry`,
:func:`~vace_studio.imaging.canvas.fill_border`). The source is decoded straight to its scaled
size and pasted unchanged; shorter inputs loop. The border is recomputed on every other source
frame (it is blurred, so a frame's lag does not show). Scales ``top_scale``, ``bottom_scale``,
``left_scale``, ``right_scale`` are each 1.0–2.0, default 1.0.
"""

from __future__ import annotations

from vace_studio.imaging.arrays import U8
from vace_studio.imaging.canvas import OutpaintGeometry, border, outpaint_geometry
from vace_studio.imaging.yuv import planes

from .context import FramePlan, RenderContext, time_of

BORDER_EVERY = 2


def _plane_boxes(geo: OutpaintGeometry) -> list[tuple[int, int, int, int]]:
    """(canvas width, height, source x, y) for the Y, U and V planes."""
    full = (geo.out_w, geo.out_h, geo.out_src_x, geo.out_src_y)
    half = (geo.out_w // 2, geo.out_h // 2, geo.out_src_x // 2, geo.out_src_y // 2)
    return [full, half, half]


def plan(ctx: RenderContext) -> FramePlan:
    """Prepare the video_outpainting render."""
    scales = {
        side: ctx.number(f"{side}_scale", 1.0, 1.0, 2.0)
        for side in ("top", "bottom", "left", "right")
    }
    clip = ctx.required_video()
    geo = outpaint_geometry(clip.source_width, clip.source_height, **scales)
    clip.set_size(geo.out_src_w, geo.out_src_h)
    borders: list[U8] = []
    cache: dict[str, tuple[int, U8]] = {}
    neutral = (16, 128, 128)  # black, grey chroma: the border dims and desaturates

    def draw(i: int, out: U8) -> None:
        k = clip.index_at(time_of(i))
        last = cache.get("last")
        if last is not None and last[0] == k:
            out[...] = last[1]  # the input has fewer frames than 30 fps: repeat the composite
            return
        src = planes(clip.frame(k))
        if k % BORDER_EVERY == 0 or not borders:
            # The blurred border changes slowly: refreshing it every other frame halves the cost.
            borders[:] = [
                border(p, w, h, x, y, n)
                for p, (w, h, x, y), n in zip(src, _plane_boxes(geo), neutral, strict=True)
            ]
        for dst, fill, p, (_, _, x, y) in zip(
            planes(out), borders, src, _plane_boxes(geo), strict=True
        ):
            dst[...] = fill
            dst[y : y + p.shape[0], x : x + p.shape[1]] = p
        cache["last"] = (k, out.copy())

    s = scales
    detail = (
        f"video_outpainting · top {s['top']:g} bottom {s['bottom']:g} left {s['left']:g} "
        f"right {s['right']:g} · seed {ctx.seed}"
    )
    return FramePlan(geo.out_w, geo.out_h, detail, draw)
