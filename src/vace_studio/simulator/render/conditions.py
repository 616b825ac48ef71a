"""Draw a control condition over a 4:2:0 frame, weighted by a strength (repainting, extension).

The condition is extracted from a source luma plane at half resolution (4× cheaper; the chroma
planes have that resolution anyway) with :mod:`vace_studio.imaging.control`, then mixed into the
frame with weight ``s`` (``strength``, 0–1). Exact rule, per pixel:

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
from vace_studio.imaging.yuv import blend, lut_rgb_to_yuv, planes, rgb_to_yuv444, upsample2

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
            self._depth(control.depth(half), out)
        else:
            h2, w2 = half.shape
            pose = control.estimate_pose(half)
            drawing = control.draw_pose(pose, w2, h2, face=self.kind == "posebodyface")
            self._lines(np.asarray(drawing.any(axis=2), dtype=bool), drawing, out)

    def _depth(self, d: U8, out: U8) -> None:
        oy, ou, ov = planes(out)
        ly, lu, lv = self.ramp
        cy = upsample2(ly[d])
        if self.alpha == 255:
            oy[...] = cy
            ou[...] = lu[d]
            ov[...] = lv[d]
            return
        blend(oy, cy, self.alpha)
        blend(ou, lu[d], self.alpha)
        blend(ov, lv[d], self.alpha)

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
