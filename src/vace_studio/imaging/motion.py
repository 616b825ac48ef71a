"""Follow the translation of a masked patch across frames (for ``mask_type="tracking"``).

Method: frame-to-frame phase correlation on a window around the patch's current position. The
window is the mask's bounding box grown by half its size plus a 16-pixel search margin; both
frames' windows are weighted by the mask (dilated to the window's search margin, feathered) so the
static background around the subject pulls the estimate less; then a Hann taper, FFT
cross-power spectrum, and a parabolic sub-pixel peak. Windows larger than 128 px are downsampled
by an integer stride first. Shifts accumulate in floating point from the reference (mask) frame
forwards and backwards, so rounding does not drift.

Limits (it is a simulator): translation only, no rotation/scale; a patch moving more than the
search margin between two frames (about 16 px, or more in downsampled windows) is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .arrays import U8, Mask
from .masks import bbox

_MAX_WINDOW = 128
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


def _box_sum(m: NDArray[np.float32], r: int) -> NDArray[np.float32]:
    """Sum over a (2r+1)² box around each pixel (zeros outside), via cumulative sums."""
    for axis in (0, 1):
        pad = [(r + 1, r) if ax == axis else (0, 0) for ax in (0, 1)]
        c = np.cumsum(np.pad(m, pad), axis=axis)
        n = c.shape[axis]
        m = np.take(c, np.arange(2 * r + 1, n), axis=axis) - np.take(c, np.arange(0, n - 2 * r - 1), axis=axis)
    return m


def _weights(mask: Mask, step: int) -> NDArray[np.float32]:
    """The mask dilated by about the search margin with a soft edge, floored at 0.15.

    The floor keeps some background texture in play, so a patch on a flat colour still locks on.
    """
    m = mask[::step, ::step].astype(np.float32)
    r = max(1, _MARGIN // step)
    return np.clip(_box_sum(m, r) / (r + 1), 0.15, 1.0).astype(np.float32)


def _step_shift(prev: U8, cur: U8, mask: Mask, dy: float, dx: float) -> tuple[float, float]:
    """Shift of the patch between two frames, given its accumulated shift (dy, dx) so far."""
    h, w = prev.shape
    iy, ix = int(round(dy)), int(round(dx))
    moved = np.zeros_like(mask)
    ys = slice(max(0, iy), min(h, h + iy))
    xs = slice(max(0, ix), min(w, w + ix))
    moved[ys, xs] = mask[max(0, -iy) : h - max(0, iy), max(0, -ix) : w - max(0, ix)]
    box = bbox(moved)
    if box is None:
        return 0.0, 0.0
    x0, y0, x1, y1 = _window(box, h, w)
    step = max(1, -(-max(x1 - x0, y1 - y0) // _MAX_WINDOW))
    a = prev[y0:y1:step, x0:x1:step].astype(np.float32)
    b = cur[y0:y1:step, x0:x1:step].astype(np.float32)
    wt = _weights(moved[y0:y1, x0:x1], step)
    taper = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1])).astype(np.float32)
    a = (a - float(a.mean())) * wt * taper
    b = (b - float(b.mean())) * wt * taper
    sy, sx = phase_correlation(a, b)
    return sy * step, sx * step


def track(frames: Sequence[U8], ref: int, mask: Mask) -> list[tuple[float, float]]:
    """Per-frame (dy, dx) of the masked content relative to frame ``ref`` (whose shift is 0).

    ``frames`` are luma planes of one size; ``mask`` is the patch in frame ``ref``.
    """
    n = len(frames)
    out: list[tuple[float, float]] = [(0.0, 0.0)] * n
    for direction in (1, -1):
        dy = dx = 0.0
        i = ref
        while 0 <= i + direction < n:
            sy, sx = _step_shift(frames[i], frames[i + direction], mask, dy, dx)
            dy, dx = dy + sy, dx + sx
            i += direction
            out[i] = (dy, dx)
    return out
