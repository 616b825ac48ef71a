"""video_repainting: the input recoloured, its control condition drawn in with ``strength``.

Per output frame (the input's frame at that time; shorter inputs loop; size = the input's under the
720p rule):

1. **Repaint**: luma is kept; chroma is rotated about grey by an angle from the prompt and seed
   (60°–300°, so the change is always visible), saturated ×1.25, and pulled 25 % towards the
   accent colour (towards the reference image's mean colour instead, when one is given) so that
   grey footage changes too. Implemented as a 256×256 (U, V) lookup table.
2. **Condition**: ``control_condition`` (required) extracted from the *input* frame and mixed in
   with weight ``strength`` (default 1.0) — see :mod:`.conditions` for the exact rule. Strength 0
   gives exactly the repaint; strength 1 draws the condition at full weight.
3. **Reference** (optional, one image): an inset in the top-right corner, ``H/5`` tall, white edge.
"""

from __future__ import annotations

import math

import numpy as np

from vace_studio.imaging.arrays import U8, even
from vace_studio.imaging.canvas import cover_resize
from vace_studio.imaging.control import CONTROL_KINDS
from vace_studio.imaging.yuv import Overlay, planes, rgb_to_yuv_colour

from .conditions import ConditionPainter
from .context import FramePlan, RenderContext, time_of
from .errors import invalid
from .media_io import LoadedImage

SATURATION = 1.25
PULL = 0.25


def chroma_lut(angle: float, target_uv: tuple[int, int]) -> tuple[U8, U8]:
    """Flat 65536-entry tables: ``new_u = lut_u[u << 8 | v]``, ``new_v = lut_v[u << 8 | v]``."""
    u, v = np.meshgrid(
        np.arange(256, dtype=np.float32), np.arange(256, dtype=np.float32), indexing="ij"
    )
    du, dv = u - 128, v - 128
    c, s = math.cos(angle), math.sin(angle)
    ru = (du * c - dv * s) * SATURATION
    rv = (du * s + dv * c) * SATURATION
    ru = ru * (1 - PULL) + (target_uv[0] - 128) * PULL
    rv = rv * (1 - PULL) + (target_uv[1] - 128) * PULL
    lut_u = np.clip(ru + 128.5, 16, 240).astype(np.uint8).reshape(-1)
    lut_v = np.clip(rv + 128.5, 16, 240).astype(np.uint8).reshape(-1)
    return lut_u, lut_v


def inset(image: LoadedImage, width: int, height: int) -> tuple[Overlay, int, int]:
    """(overlay, x, y) of the reference inset in the top-right corner."""
    ih = even(height / 5)
    iw = min(even(ih * image.width / image.height), even(width / 3))
    edge = max(2, even(height / 240))
    card = np.full((ih + 2 * edge, iw + 2 * edge, 3), 255, dtype=np.uint8)
    card[edge:-edge, edge:-edge] = cover_resize(image.rgb, iw, ih)
    margin = even(height / 30)
    return Overlay.from_rgb(card), width - margin - card.shape[1], margin


def plan(ctx: RenderContext) -> FramePlan:
    """Prepare the video_repainting render."""
    clip = ctx.required_video()
    kind = ctx.choice("control_condition", CONTROL_KINDS, None)
    if kind is None:
        raise invalid(
            "control_condition: is required for video_repainting "
            "(posebodyface, posebody, depth or scribble)"
        )
    strength = ctx.number("strength", 1.0, 0.0, 1.0)
    width, height = clip.width, clip.height
    refs = ctx.urls("ref_images_url")[:1]
    ref = ctx.image(refs[0], "ref_images_url[0]") if refs else None

    angle = math.radians(60 + 240 * float(ctx.rng.random()))
    target = ctx.accent
    layer = None
    if ref is not None:
        mean = ref.rgb.reshape(-1, 3).mean(axis=0)
        target = (int(mean[0]), int(mean[1]), int(mean[2]))
        layer = inset(ref, width, height)
    _, tu, tv = rgb_to_yuv_colour(target)
    lut_u, lut_v = chroma_lut(angle, (tu, tv))
    painter = ConditionPainter(kind, strength, ctx.accent)
    cache: dict[str, tuple[int, U8]] = {}

    def draw(i: int, out: U8) -> None:
        k = clip.index_at(time_of(i))
        last = cache.get("last")
        if last is not None and last[0] == k:
            out[...] = last[1]  # the input has fewer frames than 30 fps: repeat the composite
            return
        sy, su, sv = planes(clip.frame(k))
        oy, ou, ov = planes(out)
        oy[...] = sy
        idx = (su.astype(np.uint16) << 8) | sv
        np.take(lut_u, idx, out=ou)
        np.take(lut_v, idx, out=ov)
        painter.apply(sy, out)
        if layer is not None:
            layer[0].composite(out, layer[1], layer[2])
        cache["last"] = (k, out.copy())

    detail = f"video_repainting · {kind} · strength {strength:g} · seed {ctx.seed}"
    return FramePlan(width, height, detail, draw)
