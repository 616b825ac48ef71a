"""imaging.canvas: outpainting geometry, 720p fitting, cover scaling, border fill."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vace_studio.imaging.canvas import (
    cover_resize,
    fill_border,
    fit_720p,
    outpaint_geometry,
)


def test_documented_examples() -> None:
    g = outpaint_geometry(320, 240, top=1.25, left=1.5)
    assert (g.canvas_w, g.canvas_h, g.src_x, g.src_y) == (480, 300, 160, 60)
    assert (g.out_w, g.out_h, g.scale) == (480, 300, 1.0)
    g = outpaint_geometry(1280, 720, 2.0, 2.0, 2.0, 2.0)  # 3840×2160 → 1280×720
    assert (g.canvas_w, g.canvas_h) == (3840, 2160)
    assert (g.out_w, g.out_h) == (1280, 720)
    assert (g.out_src_x, g.out_src_y, g.out_src_w, g.out_src_h) == (426, 240, 426, 240)
    g = outpaint_geometry(1280, 720, left=1.5, right=1.5)  # 2560×720: long side caps it
    assert (g.out_w, g.out_h) == (1280, 360)


scale = st.floats(1.0, 2.0)


@given(st.integers(16, 2000), st.integers(16, 2000), scale, scale, scale, scale)
def test_geometry_properties(w: int, h: int, t: float, b: float, l: float, r: float) -> None:  # noqa: E741
    g = outpaint_geometry(w, h, t, b, l, r)
    assert g.out_w % 2 == g.out_h % 2 == g.out_src_x % 2 == g.out_src_y % 2 == 0
    assert max(g.out_w, g.out_h) <= 1280 or g.scale == 1.0
    assert min(g.out_w, g.out_h) <= 720 or g.scale == 1.0
    assert g.out_src_x >= 0
    assert g.out_src_x + g.out_src_w <= g.out_w
    assert g.out_src_y >= 0
    assert g.out_src_y + g.out_src_h <= g.out_h
    # The unscaled canvas follows the documented formula exactly.
    assert abs(g.canvas_w - w * (l + r - 1)) <= 0.5
    assert abs(g.src_x - w * (l - 1)) <= 0.5


def test_scales_out_of_range_raise() -> None:
    with pytest.raises(ValueError, match="left_scale"):
        outpaint_geometry(100, 100, left=2.5)


def test_fit_720p() -> None:
    assert fit_720p(1920, 1080) == (1280, 720)
    assert fit_720p(1080, 1920) == (720, 1280)
    assert fit_720p(640, 360) == (640, 360)
    assert fit_720p(641, 361) == (642, 362)  # even, never odd


def test_cover_resize_crops_instead_of_bars() -> None:
    img = np.zeros((100, 300, 3), dtype=np.uint8)
    img[:, 100:200] = 255  # a white centre third
    out = cover_resize(img, 60, 60)
    assert out.shape == (60, 60, 3)
    assert out[30, 30].min() == 255  # only the centre is kept


def test_fill_border_keeps_source_and_dims_the_rest() -> None:
    src = np.full((40, 60), 200, dtype=np.uint8)
    out = fill_border(src, 100, 80, 20, 10, 0)
    assert out.shape == (80, 100)
    assert (out[10:50, 20:80] == 200).all()
    assert out[0:8, :].max() <= 125
    assert out[0:8, :].min() >= 115
    rgb = fill_border(np.full((40, 60, 3), 200, dtype=np.uint8), 100, 80, 20, 10, (0, 0, 0))
    assert rgb.shape == (80, 100, 3)
