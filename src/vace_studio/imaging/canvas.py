"""Frame geometry: 720p fitting, cover scaling, and the outpainting canvas with its border fill.

**720p rule for video inputs** (:func:`fit_720p`): a ``w×h`` video whose short side exceeds 720 is
scaled by ``720 / min(w, h)``; then both sides are rounded to even (4:2:0).

**Outpainting** (:func:`outpaint_geometry`), for a ``w×h`` source and scales ``t, b, l, r`` in
[1, 2] (``[·]`` = round half up):

- canvas ``W = [w·(l + r − 1)]``, ``H = [h·(t + b − 1)]``; the source's top-left corner sits at
  ``(X, Y) = ([w·(l − 1)], [h·(t − 1)])``. So ``left_scale = 1.5`` adds half the source width on
  the left, and all four at 2.0 make a 3w × 3h canvas with the source in the middle.
- the result must fit 720p (long side ≤ 1280, short side ≤ 720):
  ``f = min(1, 1280 / max(W, H), 720 / min(W, H))``; the output is ``even(W·f) × even(H·f)``,
  the source is scaled to ``even(w·f) × even(h·f)`` and placed at
  ``(even_floor(X·f), even_floor(Y·f))``, clamped so it stays inside.

**Border fill** (:func:`fill_border`): the source is mirror-extended ("symmetric" padding) to the
canvas, box-blurred (radius ≈ 1/24 of the canvas's short side, computed at 1/4 resolution and
upscaled — bilinear to 1/2, then pixel-doubled — which also makes it cheap), then pulled 40 %
towards a neutral value
(``dim_to``: black and grey chroma for a 4:2:0 frame) so it reads as "invented" next to the sharp
source, which is pasted unchanged on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from .arrays import U8, even, even_floor, round_half_up, to_u8
from .yuv import upsample

MAX_LONG = 1280
MAX_SHORT = 720
BORDER_DIM = 0.4
_REDUCE = 4


def fit_720p(width: int, height: int) -> tuple[int, int]:
    """Output size of a ``width×height`` video input under the 720p rule (both sides even)."""
    short = min(width, height)
    f = MAX_SHORT / short if short > MAX_SHORT else 1.0
    return even(width * f), even(height * f)


def cover_box(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[float, float, float, float]:
    """The centred crop (x0, y0, x1, y1) of a src image that has the destination's aspect ratio."""
    scale = max(dst_w / src_w, dst_h / src_h)
    cw, ch = dst_w / scale, dst_h / scale
    x0, y0 = max(0.0, (src_w - cw) / 2), max(0.0, (src_h - ch) / 2)
    # Clamped: float rounding must not push the box past the image (Pillow rejects that).
    return x0, y0, min(float(src_w), x0 + cw), min(float(src_h), y0 + ch)


def cover_resize(image: U8, width: int, height: int) -> U8:
    """Scale an (H, W[, C]) image to cover ``width×height`` and crop the centre (no bars)."""
    h, w = image.shape[:2]
    img = Image.fromarray(np.ascontiguousarray(image))
    out = img.resize((width, height), Image.Resampling.BILINEAR, box=cover_box(w, h, width, height))
    return np.asarray(out, dtype=np.uint8).copy()


def contain_size(src_w: int, src_h: int, max_w: int, max_h: int) -> tuple[int, int]:
    """Even size of a src scaled to fit inside ``max_w×max_h`` keeping its aspect ratio."""
    f = min(max_w / src_w, max_h / src_h)
    return min(even(src_w * f), max_w - max_w % 2), min(even(src_h * f), max_h - max_h % 2)


@dataclass(frozen=True)
class OutpaintGeometry:
    """Where things go in an outpainted frame (all output values even). See module docstring."""

    canvas_w: int
    canvas_h: int
    src_x: int
    src_y: int
    scale: float
    out_w: int
    out_h: int
    out_src_x: int
    out_src_y: int
    out_src_w: int
    out_src_h: int


def outpaint_geometry(
    width: int,
    height: int,
    top: float = 1.0,
    bottom: float = 1.0,
    left: float = 1.0,
    right: float = 1.0,
) -> OutpaintGeometry:
    """Canvas size, source offset and 720p fitting for a ``width×height`` source and four scales."""
    for name, s in (
        ("top_scale", top),
        ("bottom_scale", bottom),
        ("left_scale", left),
        ("right_scale", right),
    ):
        if not 1.0 <= s <= 2.0:
            raise ValueError(f"{name}: must be between 1.0 and 2.0 (got {s})")
    cw = round_half_up(width * (left + right - 1))
    ch = round_half_up(height * (top + bottom - 1))
    sx = round_half_up(width * (left - 1))
    sy = round_half_up(height * (top - 1))
    f = min(1.0, MAX_LONG / max(cw, ch), MAX_SHORT / min(cw, ch))
    ow, oh = even(cw * f), even(ch * f)
    sw, sh = min(even(width * f), ow), min(even(height * f), oh)
    ox = min(even_floor(sx * f), ow - sw)
    oy = min(even_floor(sy * f), oh - sh)
    return OutpaintGeometry(cw, ch, sx, sy, f, ow, oh, ox, oy, sw, sh)


def border(
    src: U8, out_w: int, out_h: int, x: int, y: int, dim_to: int | tuple[int, ...] = 0
) -> U8:
    """The ``out_h×out_w`` border fill for ``src`` placed at (x, y) — without pasting ``src``.

    ``src`` is one plane (H, W) or an (H, W, C) image; ``dim_to`` is the neutral value (per
    channel). Renderers cache this and paste the sharp source over it themselves.
    """
    r = _REDUCE
    # Work on a 1/4-resolution copy: blur and mirror are equally convincing there, 16× cheaper.
    small = src[::r, ::r]
    sh_, sw_ = small.shape[:2]
    cw_, ch_ = -(-out_w // r), -(-out_h // r)
    top, left = y // r, x // r
    bottom, right = max(0, ch_ - top - sh_), max(0, cw_ - left - sw_)
    pad = [(top, bottom), (left, right)] + ([(0, 0)] if src.ndim == 3 else [])
    ext = np.pad(small, pad, mode="symmetric")[:ch_, :cw_]
    radius = max(1, round_half_up(min(out_w, out_h) / 24 / r))
    blurred = np.asarray(
        Image.fromarray(np.ascontiguousarray(ext)).filter(ImageFilter.BoxBlur(radius)),
        dtype=np.float32,
    )
    # Dim before upscaling: both are linear, and the small array is 16× cheaper to touch.
    dimmed = to_u8(blurred * (1 - BORDER_DIM) + np.asarray(dim_to, dtype=np.float32) * BORDER_DIM)
    box = (0.0, 0.0, out_w / r, out_h / r)
    if src.ndim == 3:
        big = Image.fromarray(dimmed).resize((out_w, out_h), Image.Resampling.BILINEAR, box=box)
        return np.array(big, dtype=np.uint8)
    # A plane: bilinear to half size, then pixel-doubled — a blurred picture loses nothing, and
    # it is several times cheaper than a full-size bilinear resize on every frame.
    half = Image.fromarray(dimmed).resize(
        (-(-out_w // 2), -(-out_h // 2)), Image.Resampling.BILINEAR, box=box
    )
    return upsample(np.asarray(half, dtype=np.uint8))[:out_h, :out_w]


def fill_border(
    src: U8, out_w: int, out_h: int, x: int, y: int, dim_to: int | tuple[int, ...] = 0
) -> U8:
    """A ``out_h×out_w`` canvas: ``src`` at (x, y), the rest filled as the module docstring says."""
    h, w = src.shape[:2]
    out = border(src, out_w, out_h, x, y, dim_to)
    out[y : y + h, x : x + w] = src
    return out
