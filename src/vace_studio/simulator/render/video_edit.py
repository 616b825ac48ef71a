"""video_edit: recolour exactly the (expanded, tracked) mask region; every other pixel is the input.

Mask sources (size = the input's under the 720p rule; shorter inputs loop):

- ``mask_image_url`` (preferred when both are given): must have exactly the input video's
  resolution; binarised at luma 128 (white = edit). It marks the content of frame
  ``mask_frame_id`` (1-based, default 1; ``n + 1`` for an ``n``-frame video means the last frame).

  - ``mask_type="tracking"`` (default): the region is the mask expanded by ``expand_ratio``
    (default 0.05) with ``expand_mode`` (default ``hull``) — exact definitions in
    :mod:`vace_studio.imaging.masks` — and moves with the masked content: per-frame translation
    from :func:`vace_studio.imaging.motion.track`, rounded to even pixels (4:2:0).
  - ``mask_type="fixed"``: the mask as drawn, unexpanded, in place on every frame.

- ``mask_video_url``: one mask per frame (same resolution as the input), used as is.

Inside the region: luma ``(Y + Yc) / 2`` (keeps the texture) and the chroma of the accent colour
(prompt + seed), or — with a reference image — the reference, cover-scaled to the region's
bounding box, replaces the content. Chroma changes only in 2×2 blocks fully inside the region, so
no pixel outside changes at all (before encoding). ``control_condition`` is accepted and named
in the caption but not drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from vace_studio.imaging import masks, motion
from vace_studio.imaging.arrays import U8, Mask, round_half_up
from vace_studio.imaging.canvas import cover_resize
from vace_studio.imaging.yuv import Overlay, planes, rgb_to_planes, rgb_to_yuv_colour

from .context import FramePlan, RenderContext, time_of
from .errors import invalid
from .media_io import LoadedImage, VideoClip


def region_overlay(
    region: Mask, fill: LoadedImage | None, colour: tuple[int, int, int]
) -> tuple[Overlay, int, int] | None:
    """(overlay, x, y) that paints ``region`` (cropped to its even-aligned bounding box)."""
    box = masks.bbox(region)
    if box is None:
        return None
    h, w = region.shape
    x0, y0, x1, y1 = box
    x0, y0 = x0 - x0 % 2, y0 - y0 % 2
    x1, y1 = min(w, x1 + x1 % 2), min(h, y1 + y1 % 2)
    m = region[y0:y1, x0:x1]
    alpha_c = masks.chroma_mask(m).astype(np.uint8) * np.uint8(255)
    bh, bw = m.shape
    if fill is not None:
        y, u, v = rgb_to_planes(cover_resize(fill.rgb, bw, bh))
        alpha = m.astype(np.uint8) * np.uint8(255)
    else:
        cy, cu, cv = rgb_to_yuv_colour(colour)
        y = np.full((bh, bw), cy, dtype=np.uint8)
        u = np.full((bh // 2, bw // 2), cu, dtype=np.uint8)
        v = np.full((bh // 2, bw // 2), cv, dtype=np.uint8)
        alpha = m.astype(np.uint8) * np.uint8(128)  # half-way: the texture stays visible
    return Overlay(y, u, v, alpha, alpha_c), x0, y0


def _even(x: float) -> int:
    return 2 * round_half_up(x / 2)


def _image_mask_regions(
    ctx: RenderContext, clip: VideoClip, frames: list[U8], url: str
) -> tuple[Callable[[int], tuple[Mask, int, int]], str]:
    """(k → (region, dx, dy) for source frame k, caption detail) for a mask image."""
    img = ctx.image(url, "mask_image_url")
    if (img.width, img.height) != (clip.source_width, clip.source_height):
        raise invalid(
            f"mask_image_url: the mask is {img.width}×{img.height} but the video is "
            f"{clip.source_width}×{clip.source_height}; the mask must have exactly the video's "
            "resolution"
        )
    mask = masks.binarize(img.rgb)
    if (clip.width, clip.height) != (img.width, img.height):
        small = Image.fromarray(mask.astype(np.uint8) * 255).resize(
            (clip.width, clip.height), Image.Resampling.NEAREST
        )
        mask = np.asarray(small) >= 128
    if not mask.any():
        raise invalid("mask_image_url: the mask has no white (edit) pixels")
    n = len(frames)
    frame_id = ctx.integer("mask_frame_id", 1, 1, 2_147_483_647)
    if frame_id > n + 1:
        raise invalid(
            f"mask_frame_id: must be between 1 and {n + 1} for this {n}-frame video "
            f"(got {frame_id})"
        )
    ref = min(frame_id, n) - 1
    mask_type = ctx.choice("mask_type", ("tracking", "fixed"), "tracking")
    if mask_type == "fixed":
        return (lambda k: (mask, 0, 0)), f"fixed mask @ frame {frame_id}"
    ratio = ctx.number("expand_ratio", 0.05, 0.0, 1.0)
    mode = ctx.choice("expand_mode", masks.EXPAND_MODES, "hull") or "hull"
    region = masks.expand(mask, ratio, mode)
    shifts = motion.track([planes(f)[0] for f in frames], ref, mask)
    even_shifts = [(_even(dx), _even(dy)) for dy, dx in shifts]
    return (lambda k: (region, *even_shifts[k])), f"tracking · {mode} {ratio:g} @ frame {frame_id}"


def plan(ctx: RenderContext) -> FramePlan:
    """Prepare the video_edit render."""
    clip = ctx.required_video()
    frames = clip.load_all()
    width, height = clip.width, clip.height
    refs = ctx.urls("ref_images_url")[:1]
    fill = ctx.image(refs[0], "ref_images_url[0]") if refs else None
    condition = ctx.choice("control_condition", ("posebodyface", "depth"), None)

    image_url, video_url = ctx.url("mask_image_url"), ctx.url("mask_video_url")
    overlays: dict[int, tuple[Overlay, int, int] | None] = {}
    if image_url is not None:
        regions, detail = _image_mask_regions(ctx, clip, frames, image_url)
        region0 = regions(0)[0]
        base = region_overlay(region0, fill, ctx.accent)

        def overlay_for(k: int) -> tuple[Overlay, int, int] | None:
            _, dx, dy = regions(k)
            return None if base is None else (base[0], base[1] + dx, base[2] + dy)

    elif video_url is not None:
        mclip = ctx.video(video_url, "mask_video_url", (width, height))
        if (mclip.source_width, mclip.source_height) != (clip.source_width, clip.source_height):
            raise invalid(
                f"mask_video_url: the mask video is {mclip.source_width}×{mclip.source_height} "
                f"but the video is {clip.source_width}×{clip.source_height}; they must have the "
                "same resolution"
            )
        detail = "mask video"

        def overlay_for(k: int) -> tuple[Overlay, int, int] | None:
            if k not in overlays:
                overlays.clear()  # frames arrive in order: keep one
                overlays[k] = region_overlay(mclip.luma(k) >= 128, fill, ctx.accent)
            return overlays[k]

    else:
        raise invalid("mask_image_url: video_edit needs a mask_image_url or a mask_video_url")

    def draw(i: int, out: U8) -> None:
        k = clip.index_at(time_of(i))
        out[...] = frames[k]
        found = overlay_for(k)
        if found is not None:
            found[0].composite(out, found[1], found[2])

    extra = f" · {condition}" if condition else ""
    return FramePlan(width, height, f"video_edit · {detail}{extra} · seed {ctx.seed}", draw)
