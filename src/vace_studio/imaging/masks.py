"""Edit masks: binarisation, expansion (``expand_mode`` × ``expand_ratio``) and translation.

Binarisation: a mask pixel is *edit* (True) when its luma is ≥ 128 — the service asks for pure
white (edit) and pure black (keep); the threshold makes anti-aliased or JPEG-compressed masks
behave as their author meant.

Expansion (applied only when ``mask_type`` is ``tracking``), for a mask with ``A`` True pixels
whose bounding box spans columns ``x0..x1`` and rows ``y0..y1`` (inclusive), ``bw = x1 − x0 + 1``,
``bh = y1 − y0 + 1``, ``[·]`` = round half up, everything clipped to the image:

- ``original``: the mask unchanged (``expand_ratio`` is ignored).
- ``bbox``: the filled rectangle ``x0 − [r·bw] … x1 + [r·bw]`` × ``y0 − [r·bh] … y1 + [r·bh]``.
- ``hull``: the convex hull of the mask (of its pixels' corner points, so it contains every mask
  pixel), dilated by a disc of radius ``r · √A`` pixels; a pixel belongs to the result when its
  centre lies in the dilated hull. The disc is a 64-gon (radius error below 0.13 %).

An empty mask expands to an empty mask.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .arrays import U8, Mask, round_half_up

ExpandMode = Literal["hull", "bbox", "original"]
EXPAND_MODES: tuple[ExpandMode, ...] = ("hull", "bbox", "original")
_DISC_SIDES = 64


def binarize(image: U8, threshold: int = 128) -> Mask:
    """True (edit) where an (H, W) grey or (H, W, 3|4) RGB(A) image's luma is ≥ ``threshold``."""
    if image.ndim == 2:
        grey: Mask = image >= threshold
        return grey
    rgb = image[..., :3].astype(np.float32)
    y = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    out: Mask = y >= threshold - 0.5
    return out


def bbox(mask: Mask) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the True pixels, exclusive upper bounds; None when the mask is empty."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def expand(mask: Mask, ratio: float, mode: ExpandMode) -> Mask:
    """Expand ``mask`` by ``ratio`` (0–1) with ``mode`` (see the module docstring)."""
    if mode == "original":
        return mask.copy()
    box = bbox(mask)
    if box is None:
        return mask.copy()
    h, w = mask.shape
    x0, y0, x1, y1 = box
    if mode == "bbox":
        mx = round_half_up(ratio * (x1 - x0))
        my = round_half_up(ratio * (y1 - y0))
        out = np.zeros_like(mask)
        out[max(0, y0 - my) : min(h, y1 + my), max(0, x0 - mx) : min(w, x1 + mx)] = True
        return out
    if mode == "hull":
        radius = ratio * math.sqrt(float(np.count_nonzero(mask)))
        hull = convex_hull(_corner_points(mask))
        if radius > 0:
            hull = convex_hull(_dilate_points(hull, radius))
        return fill_convex(hull, h, w) | mask
    raise ValueError(f"expand_mode must be one of {EXPAND_MODES} (got {mode!r})")


def _corner_points(mask: Mask) -> NDArray[np.float64]:
    """The outer corners of each row's leftmost and rightmost True pixel, as (x, y) points.

    The hull of these equals the hull of all mask pixels' corners, with at most 4 points per row.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    sub = mask[rows]
    left = np.argmax(sub, axis=1)
    right = sub.shape[1] - np.argmax(sub[:, ::-1], axis=1)
    r = rows.astype(np.float64)
    xs = np.concatenate([left, left, right, right]).astype(np.float64)
    ys = np.concatenate([r, r + 1, r, r + 1])
    return np.stack([xs, ys], axis=1)


def convex_hull(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Counter-clockwise convex hull (Andrew's monotone chain) of (N, 2) points, as (K, 2)."""
    pts = np.unique(points, axis=0)  # sorted by x, then y
    if len(pts) <= 2:
        return pts
    lst: list[tuple[float, float]] = [(float(p[0]), float(p[1])) for p in pts]

    def half(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2:
                (ax, ay), (bx, by) = out[-2], out[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0:
                    break
                out.pop()
            out.append(p)
        return out

    lower, upper = half(lst), half(lst[::-1])
    return np.asarray(lower[:-1] + upper[:-1], dtype=np.float64)


def _dilate_points(hull: NDArray[np.float64], radius: float) -> NDArray[np.float64]:
    """Each hull vertex replaced by a 64-gon of ``radius`` (its hull = the Minkowski sum)."""
    ang = np.linspace(0.0, 2 * math.pi, _DISC_SIDES, endpoint=False)
    # Circumscribed polygon (radius / cos(π/n)) so the result contains the true disc sum.
    rr = radius / math.cos(math.pi / _DISC_SIDES)
    ring = np.stack([np.cos(ang), np.sin(ang)], axis=1) * rr
    return (hull[:, None, :] + ring[None, :, :]).reshape(-1, 2)


def fill_convex(poly: NDArray[np.float64], height: int, width: int) -> Mask:
    """Rasterise a convex polygon: True for pixels whose centre (x + ½, y + ½) lies inside it."""
    out = np.zeros((height, width), dtype=bool)
    if len(poly) < 3:
        return out
    yc = np.arange(height, dtype=np.float64) + 0.5
    a = poly
    b = np.roll(poly, -1, axis=0)
    ay, by = a[:, 1][None, :], b[:, 1][None, :]
    ax, bx = a[:, 0][None, :], b[:, 0][None, :]
    lo, hi = np.minimum(ay, by), np.maximum(ay, by)
    # An edge shorter than a billionth of a pixel in y is horizontal at pixel scale: with a
    # subnormal height its slope overflows, so it never counts as crossing a row.
    crosses = (yc[:, None] >= lo) & (yc[:, None] <= hi) & (hi - lo > 1e-9)
    # Edges that do not cross a row are divided too (vectorised) and masked out below.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = (yc[:, None] - ay) / (by - ay)
        xs = ax + t * (bx - ax)
    x_min = np.where(crosses, xs, np.inf).min(axis=1)
    x_max = np.where(crosses, xs, -np.inf).max(axis=1)
    # Pixel column c is inside when x_min ≤ c + ½ ≤ x_max.
    first = np.clip(np.ceil(x_min - 0.5), 0, width).astype(np.int64, copy=False)
    last = np.clip(np.floor(x_max - 0.5) + 1, 0, width).astype(np.int64, copy=False)
    cols = np.arange(width)[None, :]
    valid = np.isfinite(x_min)[:, None]
    out[...] = (
        valid
        & (cols >= np.where(valid[:, 0], first, 0)[:, None])
        & (cols < np.where(valid[:, 0], last, 0)[:, None])
    )
    return out


def shift(mask: Mask, dy: int, dx: int) -> Mask:
    """Translate a mask by (dy, dx) pixels; what moves in from outside is False."""
    h, w = mask.shape
    out = np.zeros_like(mask)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src = mask[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[max(0, dy) : h - max(0, -dy), max(0, dx) : w - max(0, -dx)] = src
    return out


def chroma_mask(mask: Mask) -> Mask:
    """A 4:2:0 chroma-resolution mask: a 2×2 block is selected only when all 4 pixels are.

    So a chroma change never spills onto a pixel outside the mask; boundary pixels whose block
    straddles the edge keep their colour and only get the luma change.
    """
    h, w = mask.shape
    blocks = mask[: h - h % 2, : w - w % 2].reshape(h // 2, 2, w // 2, 2)
    return np.asarray(blocks.all(axis=(1, 3)))
