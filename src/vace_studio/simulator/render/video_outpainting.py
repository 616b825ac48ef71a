"""video_outpainting: the input video on an enlarged canvas, the new border filled in.

Geometry (canvas size, source offset, 720p fitting) and the border fill — a blurred, dimmed,
mirrored extension of the frame — are defined exactly in :mod:`vace_studio.imaging.canvas`
(:func:`~vace_studio.imaging.canvas.outpaint_geometry`,
:func:`~vace_studio.imaging.canvas.fill_border`). The source is decoded straight to its scaled
size and pasted unchanged; shorter inputs loop. Scales ``top_scale``, ``bottom_scale``,
``left_scale``, ``right_scale`` are each 1.0–2.0, default 1.0.
"""

from __future__ import annotations

from vace_studio.imaging.arrays import U8
from vace_studio.imaging.canvas import fill_border, outpaint_geometry
from vace_studio.imaging.yuv import planes

from .context import FramePlan, RenderContext, time_of


def plan(ctx: RenderContext) -> FramePlan:
    """Prepare the video_outpainting render."""
    scales = {
        side: ctx.number(f"{side}_scale", 1.0, 1.0, 2.0)
        for side in ("top", "bottom", "left", "right")
    }
    clip = ctx.required_video()
    geo = outpaint_geometry(clip.source_width, clip.source_height, **scales)
    clip.set_size(geo.out_src_w, geo.out_src_h)
    cache: dict[str, tuple[int, U8]] = {}

    def draw(i: int, out: U8) -> None:
        k = clip.index_at(time_of(i))
        last = cache.get("last")
        if last is not None and last[0] == k:
            out[...] = last[1]  # the input has fewer frames than 30 fps: repeat the composite
            return
        sy, su, sv = planes(clip.frame(k))
        oy, ou, ov = planes(out)
        x, y = geo.out_src_x, geo.out_src_y
        oy[...] = fill_border(sy, geo.out_w, geo.out_h, x, y, 16)
        ou[...] = fill_border(su, geo.out_w // 2, geo.out_h // 2, x // 2, y // 2, 128)
        ov[...] = fill_border(sv, geo.out_w // 2, geo.out_h // 2, x // 2, y // 2, 128)
        cache["last"] = (k, out.copy())

    s = scales
    detail = (
        f"video_outpainting · top {s['top']:g} bottom {s['bottom']:g} left {s['left']:g} "
        f"right {s['right']:g} · seed {ctx.seed}"
    )
    return FramePlan(geo.out_w, geo.out_h, detail, draw)
