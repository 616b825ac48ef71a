"""Array type aliases and the even-size rounding shared by the imaging modules.

4:2:0 chroma needs even widths, heights and offsets, so every geometric helper ends with
:func:`even`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

U8 = NDArray[np.uint8]
"""An 8-bit image or plane: (H, W) for one channel, (H, W, 3) RGB, (H, W, 4) RGBA."""
Mask = NDArray[np.bool_]
"""A boolean (H, W) mask; True = selected (for edit masks: the region to edit)."""
F32 = NDArray[np.float32]


def to_u8(a: NDArray[Any]) -> U8:
    """Round to the nearest integer and clip to 0..255 as uint8."""
    out: U8 = np.clip(np.asarray(a, dtype=np.float32) + 0.5, 0, 255).astype(np.uint8)
    return out


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves up (Python's ``round`` rounds halves to even)."""
    return math.floor(x + 0.5)


def even(x: float, minimum: int = 2) -> int:
    """The even integer nearest to ``x`` (halves up), at least ``minimum``."""
    return max(minimum, 2 * round_half_up(x / 2))


def even_floor(x: float) -> int:
    """The largest even integer ≤ ``x`` (used for offsets, which may be 0)."""
    return 2 * math.floor(x / 2)
