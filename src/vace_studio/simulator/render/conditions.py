"""Draw a control condition over a 4:2:0 frame, weighted by a strength (repainting, extension).

The condition is extracted from the source luma with :mod:`vace_studio.imaging.control` at half
resolution (4× cheaper; the chroma planes have that resolution anyway) — depth, which is blurry by
nature, and the pose's placement at quarter resolution — and enlarged by pixel repetition. It is
mixed into the frame with weight ``s`` (``strength``, 0–1). Exact rule, per pixel:

- **scribble** and **posebody / posebodyface** are line drawings on black: where a line is drawn,
  ``out = (1 − s)·frame + s·line colour`` (scribble lines are white, pose limbs OpenPose colours);
  elsewhere the frame is unchanged.
- **depth** is dense: ``out = (1 − s)·frame + s·ramp(depth)`` everywhere, where ``ramp`` runs
  black → the task's accent colour → white, so the depth map carries the prompt's colour.

So strength 0 leaves the frame as it was and strength 1 shows the condition at full weight.
"""

from __future__ import annotations

import numpy as np

from vace_studio.imaging import control
from vace_studio.imaging.arrays import U8, Mask
from vace_studio.imaging.control import ControlKind
from vace_studio.imaging.masks import bbox
from vace_studio.imaging.yuv import (
    blend,
    lut_rgb_to_yuv,
    planes,
    rgb_to_yuv444,
    upsample,
    upsample2,
)

WHITE_Y = 235


def depth_ramp(accent: tuple[int, int, int]) -> tuple[U8, U8, U8]:
    """Y, U, V lookup tables of the black → accent → white ramp used to show depth."""
    t = np.linspace(0.0, 1.0, 256, dtype=np.float32)[:, None]
    a = np.asarray(accent, dtype=np.float32)[None, :]
    low = a * np.clip(t * 2, 0, 1)
    high = a + (255 - a) * np.clip(t * 2 - 1, 0, 1)
    rgb = np.where(t < 0.5, low, high)
    return lut_rgb_to_yuv(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))


class ConditionPainter:
    """Applies one kind of condition with a fixed strength; build once per render."""

    def __init__(self, kind: ControlKind, strength: float, accent: tuple[int, int, int]) -> None:
        self.kind = kind
        self.alpha = round(strength * 255)
        self.ramp = depth_ramp(accent)

    def apply(self, source_luma: U8, out: U8) -> None:
        """Mix the condition extracted from ``source_luma`` (H×W) into the frame ``out``."""
        if self.alpha == 0:
            return
        half = source_luma[::2, ::2]
        if self.kind == "scribble":
            self._lines(control.scribble(half), None, out)
        elif self.kind == "depth":
            self._depth(control.depth(source_luma[::4, ::4]), out)
        else:
            h2, w2 = half.shape
            # Placing the figure needs no detail: estimate at 1/4, draw at 1/2 resolution.
            pose = control.estimate_pose(source_luma[::4, ::4])
            pose = None if pose is None else pose.scaled(2.0)
            drawing = control.draw_pose(pose, w2, h2, face=self.kind == "posebodyface")
            # Channel-wise OR: ``any(axis=2)`` reduces over a 3-long axis, ~10× slower.
            drawn = (drawing[..., 0] | drawing[..., 1] | drawing[..., 2]) != 0
            self._lines(drawn, drawing, out)

    def _depth(self, d: U8, out: U8) -> None:
        """Paint the quarter-resolution depth ``d`` through the ramp onto all three planes."""
        for plane, lut, factor in zip(planes(out), self.ramp, (4, 2, 2), strict=True):
            h, w = plane.shape
            small = lut[d]
            if self.alpha == 255 and small.shape[0] * factor == h and small.shape[1] * factor == w:
                upsample(small, factor, out=plane)  # straight into the frame: no extra copy
            else:
                big = upsample(small, factor)[:h, :w]
                blend(plane, big, self.alpha)

    def _lines(self, drawn: Mask, rgb: U8 | None, out: U8) -> None:
        box = bbox(drawn)
        if box is None:
            return
        x0, y0, x1, y1 = box
        m = drawn[y0:y1, x0:x1]
        if rgb is None:
            cy: U8 | int = WHITE_Y
            cu: U8 | int = 128
            cv: U8 | int = 128
        else:
            yy, uu, vv = rgb_to_yuv444(rgb[y0:y1, x0:x1])
            cy, cu, cv = upsample2(yy), uu, vv
        oy, ou, ov = planes(out)
        a_c = m.astype(np.uint8) * np.uint8(self.alpha)
        blend(oy[2 * y0 : 2 * y1, 2 * x0 : 2 * x1], cy, upsample2(a_c))
        blend(ou[y0:y1, x0:x1], cu, a_c)
        blend(ov[y0:y1, x0:x1], cv, a_c)
