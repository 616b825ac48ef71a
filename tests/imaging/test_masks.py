"""imaging.masks: binarisation and the three expansion modes, as documented."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vace_studio.imaging import masks


def rect(h: int, w: int, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    m = np.zeros((h, w), dtype=bool)
    m[y0:y1, x0:x1] = True
    return m


def test_binarize_threshold_and_colour() -> None:
    grey = np.array([[0, 127, 128, 255]], dtype=np.uint8)
    assert masks.binarize(grey).tolist() == [[False, False, True, True]]
    rgb = np.zeros((1, 2, 3), dtype=np.uint8)
    rgb[0, 1] = 255
    assert masks.binarize(rgb).tolist() == [[False, True]]


def test_original_ignores_the_ratio() -> None:
    m = rect(50, 50, 10, 20, 10, 30)
    assert np.array_equal(masks.expand(m, 0.9, "original"), m)


def test_bbox_grows_by_ratio_times_box_size_per_side() -> None:
    m = np.zeros((100, 100), dtype=bool)
    m[20, 30] = m[39, 69] = True  # box 40 wide (x 30..69), 20 tall (y 20..39)
    out = masks.expand(m, 0.25, "bbox")
    assert np.array_equal(out, rect(100, 100, 15, 45, 20, 80))  # ±10 in x, ±5 in y
    clipped = masks.expand(m, 1.0, "bbox")
    assert np.array_equal(clipped, rect(100, 100, 0, 60, 0, 100))


def test_hull_of_a_square_is_the_square_with_rounded_growth() -> None:
    m = rect(200, 200, 80, 120, 80, 120)  # 40×40, area 1600 → r = 0.1·40 = 4
    assert np.array_equal(masks.expand(m, 0.0, "hull"), m)
    out = masks.expand(m, 0.1, "hull")
    assert out[100, 76]
    assert out[100, 123]
    assert not out[100, 75]
    assert not out[100, 124]
    # The corner is rounded: pixel centres are at +½, the square's corner at (80, 80).
    assert not out[76, 76]  # centre (76.5, 76.5): 4.95 px from the corner
    assert out[77, 77]  # 3.54 px


def test_hull_fills_concavities() -> None:
    m = rect(60, 60, 10, 50, 10, 20) | rect(60, 60, 40, 50, 10, 50)  # an L
    out = masks.expand(m, 0.0, "hull")
    assert out[35, 30]  # inside the triangle the L spans
    assert not out[15, 45]


def test_empty_mask_stays_empty_and_bad_mode_raises() -> None:
    empty = np.zeros((10, 10), dtype=bool)
    for mode in masks.EXPAND_MODES:
        assert not masks.expand(empty, 0.5, mode).any()
    with pytest.raises(ValueError, match="expand_mode"):
        masks.expand(rect(10, 10, 1, 2, 1, 2), 0.1, "circle")  # type: ignore[arg-type]


mask_strategy = st.builds(
    lambda pts: pts,
    st.lists(st.tuples(st.integers(0, 39), st.integers(0, 49)), min_size=1, max_size=30),
)


@settings(max_examples=60, deadline=None)
@given(mask_strategy, st.floats(0, 1), st.sampled_from(masks.EXPAND_MODES))
def test_expansion_contains_the_mask_and_grows_with_ratio(
    points: list[tuple[int, int]], ratio: float, mode: masks.ExpandMode
) -> None:
    m = np.zeros((40, 50), dtype=bool)
    for y, x in points:
        m[y, x] = True
    out = masks.expand(m, ratio, mode)
    assert (out | m).sum() == out.sum()  # superset
    bigger = masks.expand(m, min(1.0, ratio + 0.2), mode)
    assert (bigger | out).sum() == bigger.sum()  # monotone in the ratio
    if mode == "hull":
        # Every selected pixel centre is within r (+ a pixel) of the undilated hull.
        r = ratio * math.sqrt(m.sum())
        base = masks.expand(m, 0.0, "hull")
        ys, xs = np.nonzero(out & ~base)
        by, bx = np.nonzero(base)
        if len(ys):
            d = np.sqrt((ys[:, None] - by[None]) ** 2 + (xs[:, None] - bx[None]) ** 2).min(axis=1)
            assert d.max() <= r + 1.5


def test_shift_and_chroma_mask() -> None:
    m = rect(8, 8, 2, 4, 2, 4)
    assert np.array_equal(masks.shift(m, 2, -2), rect(8, 8, 4, 6, 0, 2))
    assert not masks.shift(m, 10, 0).any()
    c = masks.chroma_mask(rect(8, 8, 2, 5, 2, 5))  # 3×3: only block (1,1) is full
    assert c.sum() == 1
    assert c[1, 1]
    assert masks.bbox(m) == (2, 2, 4, 4)
