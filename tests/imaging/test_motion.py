"""imaging.motion: phase correlation and tracking of a masked, moving patch."""

from __future__ import annotations

import numpy as np
import pytest

from vace_studio.imaging import motion
from vace_studio.simulator.render.samples import gradient, moving_square


def test_phase_correlation_finds_a_known_shift() -> None:
    rng = np.random.default_rng(0)
    a = rng.random((64, 64)).astype(np.float32)
    b = np.roll(a, (5, -7), axis=(0, 1))
    dy, dx = motion.phase_correlation(a, b)
    assert (round(dy), round(dx)) == (5, -7)


@pytest.mark.parametrize(("size", "dx", "dy"), [(40, 3, 1), (200, -4, 2)])
def test_track_follows_the_square(size: int, dx: int, dy: int) -> None:
    frames = moving_square(640, 480, 20, x0=300, y0=150, size=size, dx=dx, dy=dy)
    lumas = [f.mean(axis=2).astype(np.uint8) for f in frames]
    mask = np.zeros((480, 640), dtype=bool)
    ref = 8
    mask[150 + ref * dy : 150 + ref * dy + size, 300 + ref * dx : 300 + ref * dx + size] = True
    shifts = motion.track(lumas, ref, mask)
    for i, (sy, sx) in enumerate(shifts):
        assert abs(sy - (i - ref) * dy) < 1.0
        assert abs(sx - (i - ref) * dx) < 1.0


def test_track_of_static_content_stays_put() -> None:
    lumas = [gradient(100, 80).mean(axis=2).astype(np.uint8)] * 5
    mask = np.zeros((80, 100), dtype=bool)
    mask[20:40, 30:60] = True
    assert all(abs(sy) < 0.5 and abs(sx) < 0.5 for sy, sx in motion.track(lumas, 0, mask))
