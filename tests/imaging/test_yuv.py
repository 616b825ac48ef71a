"""imaging.yuv: packed 4:2:0 layout, BT.601 conversion, exact blends and clipped overlays."""

from __future__ import annotations

import av
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vace_studio.imaging.yuv import (
    Overlay,
    blend,
    frame_to_rgb,
    new_frame,
    planes,
    rgb_to_frame,
    rgb_to_yuv_colour,
)


def test_layout_matches_pyav_yuv420p() -> None:
    yy, xx = np.mgrid[0:24, 0:32]
    rgb = np.stack([xx * 8, yy * 10, 255 - xx * 4], axis=-1).astype(np.uint8)  # smooth
    ours = rgb_to_frame(rgb)
    theirs = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()
    assert ours.shape == theirs.shape == (36, 32)
    # Same matrix as swscale's default (BT.601, limited range): luma equal up to rounding;
    # chroma differs a little because swscale filters (and sites) subsampled chroma differently.
    assert np.abs(ours[:24].astype(int) - theirs[:24]).max() <= 1
    assert np.abs(ours[24:].astype(int) - theirs[24:]).max() <= 4


def test_planes_are_views() -> None:
    frame = new_frame(8, 6, (50, 60, 70))
    y, u, v = planes(frame)
    assert (y.shape, u.shape, v.shape) == ((6, 8), (3, 4), (3, 4))
    assert (int(y[0, 0]), int(u[0, 0]), int(v[0, 0])) == (50, 60, 70)
    y[0, 0] = 1
    assert frame[0, 0] == 1


@given(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)))
def test_rgb_round_trip(rgb: tuple[int, int, int]) -> None:
    img = np.broadcast_to(np.array(rgb, dtype=np.uint8), (4, 4, 3)).copy()
    back = frame_to_rgb(rgb_to_frame(img))
    assert np.abs(back.astype(int) - img).max() <= 3
    assert rgb_to_yuv_colour((0, 0, 0)) == (16, 128, 128)
    assert rgb_to_yuv_colour((255, 255, 255)) == (235, 128, 128)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_blend_is_exact_at_both_ends_and_monotone(dst: int, src: int, alpha: int) -> None:
    a = np.array([dst], dtype=np.uint8)
    blend(a, src, alpha)
    lo, hi = min(dst, src), max(dst, src)
    assert lo <= int(a[0]) <= hi
    for edge, want in ((0, dst), (255, src)):
        b = np.array([dst], dtype=np.uint8)
        blend(b, src, edge)
        assert int(b[0]) == want


def test_overlay_is_clipped_at_the_frame_edges() -> None:
    frame = new_frame(10, 8)
    layer = Overlay.from_rgb(np.full((4, 4, 3), 255, dtype=np.uint8))
    layer.composite(frame, -2, 6)  # half outside on two sides
    y = planes(frame)[0]
    assert (y[6:8, 0:2] == 235).all()
    assert (y[:6] == 16).all()
    assert (y[:, 2:] == 16).all()
    layer.composite(frame, 100, 100)  # fully outside: no error


def test_overlay_alpha_keeps_transparent_pixels() -> None:
    frame = new_frame(4, 4, (100, 128, 128))
    alpha = np.zeros((4, 4), dtype=np.uint8)
    alpha[:2, :2] = 255
    Overlay.from_rgb(np.zeros((4, 4, 3), dtype=np.uint8), alpha).composite(frame, 0, 0)
    y = planes(frame)[0]
    assert (y[:2, :2] == 16).all()
    assert (y[2:, :] == 100).all()
