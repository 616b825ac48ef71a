"""Follow the translation of a masked patch across frames (for ``mask_type="tracking"``).

Method: frame-to-frame phase correlation around the patch's current position.

- Window: the mask's bounding box, moved by the shift so far, grown by half its size plus 16 px.
- Both frames' windows are weighted by the feathered mask (so the static background around the
  subject pulls less), Hann-tapered, and correlated (normalised cross-power spectrum, parabolic
  sub-pixel peak).
- Coarse-to-fine: a window larger than 128 px is block-averaged down to ≤ 128 px first; then a
  ≤ 64 px full-resolution window at the patch centre, displaced by the coarse estimate, refines
  it (the refinement is kept when it stays within one coarse block).
- Shifts accumulate in floating point from the reference (mask) frame, forwards and backwards.

Limits (it is a simulator): translation only, no rotation or scale; a patch moving further than
the window margin between two frames is lost; a patch that leaves the frame stops moving.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from .arrays import U8, Mask
from .masks import bbox

_MAX_WINDOW = 128
_FINE = 64
_MARGIN = 16


def phase_correlation(a: NDArray[np.float32], b: NDArray[np.float32]) -> tuple[float, float]:
    """Estimated (dy, dx) such that ``b`` ≈ ``a`` shifted by (dy, dx); sub-pixel."""
    fa = np.fft.rfft2(a)
    fb = np.fft.rfft2(b)
    cross = fb * np.conj(fa)
    cross /= np.maximum(np.abs(cross), 1e-9)
    corr = np.fft.irfft2(cross, s=a.shape)
    h, w = corr.shape
    py, px = np.unravel_index(int(np.argmax(corr)), corr.shape)

    def refine(c_m: float, c_0: float, c_p: float) -> float:
        den = c_m - 2 * c_0 + c_p
        return 0.0 if abs(den) < 1e-12 else 0.5 * (c_m - c_p) / den

    dy = py + refine(corr[(py - 1) % h, px], corr[py, px], corr[(py + 1) % h, px])
    dx = px + refine(corr[py, (px - 1) % w], corr[py, px], corr[py, (px + 1) % w])
    # Peaks past the middle are negative shifts (the correlation is circular).
    if dy > h / 2:
        dy -= h
    if dx > w / 2:
        dx -= w
    return float(dy), float(dx)


def _window(box: tuple[int, int, int, int], h: int, w: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    gx = (x1 - x0) // 2 + _MARGIN
    gy = (y1 - y0) // 2 + _MARGIN
    return max(0, x0 - gx), max(0, y0 - gy), min(w, x1 + gx), min(h, y1 + gy)


def _shifted_crop(mask: Mask, box: tuple[int, int, int, int], iy: int, ix: int) -> Mask:
    """``mask`` moved by (iy, ix), cropped to ``box`` — without building the moved full frame."""
    h, w = mask.shape
    x0, y0, x1, y1 = box
    out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    sy0, sy1 = max(y0 - iy, 0), min(y1 - iy, h)
    sx0, sx1 = max(x0 - ix, 0), min(x1 - ix, w)
    if sy1 > sy0 and sx1 > sx0:
        out[sy0 + iy - y0 : sy1 + iy - y0, sx0 + ix - x0 : sx1 + ix - x0] = mask[sy0:sy1, sx0:sx1]
    return out


def _downsample(a: U8, step: int) -> NDArray[np.float32]:
    """Average over step×step blocks (a strided pick would alias fine texture into noise)."""
    img = Image.fromarray(np.ascontiguousarray(a))
    return np.asarray(img.reduce(step) if step > 1 else img, dtype=np.float32)


def _weights(mask: Mask, step: int) -> NDArray[np.float32]:
    """The mask feathered out by about the margin: ``clip(2·box_blur(mask), 0.15, 1)``.

    The 0.15 floor keeps some background texture in play, so a patch on a flat colour still
    locks on.
    """
    m = _downsample(mask.astype(np.uint8) * np.uint8(255), step).astype(np.uint8)
    r = max(1, _MARGIN // step)
    blurred = np.asarray(Image.fromarray(m).filter(ImageFilter.BoxBlur(r)), dtype=np.float32)
    out: NDArray[np.float32] = np.clip(blurred * (2.0 / 255.0), 0.15, 1.0)
    return out


def _correlate(a8: U8, b8: U8, weights: Mask, step: int) -> tuple[float, float]:
    a = _downsample(a8, step)
    b = _downsample(b8, step)
    wt = _weights(weights, step)
    taper = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1])).astype(np.float32)
    wt *= taper
    sy, sx = phase_correlation((a - float(a.mean())) * wt, (b - float(b.mean())) * wt)
    return sy * step, sx * step


def _step_shift(
    prev: U8, cur: U8, mask: Mask, box0: tuple[int, int, int, int], dy: float, dx: float
) -> tuple[float, float]:
    """Shift of the patch from ``prev`` to ``cur``, given its accumulated shift (dy, dx)."""
    h, w = prev.shape
    iy, ix = round(dy), round(dx)
    box = (max(0, box0[0] + ix), max(0, box0[1] + iy), min(w, box0[2] + ix), min(h, box0[3] + iy))
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return 0.0, 0.0
    x0, y0, x1, y1 = win = _window(box, h, w)
    step = max(1, -(-max(x1 - x0, y1 - y0) // _MAX_WINDOW))
    weights = _shifted_crop(mask, win, iy, ix)
    cy, cx = _correlate(prev[y0:y1, x0:x1], cur[y0:y1, x0:x1], weights, step)
    if step == 1:
        return cy, cx
    # Fine pass: prev's window at the patch centre against cur's, displaced by the coarse shift.
    mx, my = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    r = _FINE // 2
    ry, rx = round(cy), round(cx)
    fx0, fy0 = max(0, mx - r, -rx), max(0, my - r, -ry)
    fx1, fy1 = min(w, mx + r, w - rx), min(h, my + r, h - ry)
    if fx1 - fx0 < 16 or fy1 - fy0 < 16:
        return cy, cx
    fine_w = _shifted_crop(mask, (fx0, fy0, fx1, fy1), iy, ix)
    fy, fx = _correlate(
        prev[fy0:fy1, fx0:fx1], cur[fy0 + ry : fy1 + ry, fx0 + rx : fx1 + rx], fine_w, 1
    )
    if abs(fy) <= step and abs(fx) <= step:
        return ry + fy, rx + fx
    return cy, cx


def track(frames: Sequence[U8], ref: int, mask: Mask) -> list[tuple[float, float]]:
    """Per-frame (dy, dx) of the masked content relative to frame ``ref`` (whose shift is 0).

    ``frames`` are luma planes of one size; ``mask`` is the patch in frame ``ref``.
    """
    n = len(frames)
    out: list[tuple[float, float]] = [(0.0, 0.0)] * n
    box0 = bbox(mask)
    if box0 is None:
        return out
    for direction in (1, -1):
        dy = dx = 0.0
        i = ref
        while 0 <= i + direction < n:
            sy, sx = _step_shift(frames[i], frames[i + direction], mask, box0, dy, dx)
            dy, dx = dy + sy, dx + sx
            i += direction
            out[i] = (dy, dx)
    return out
