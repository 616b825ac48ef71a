"""imaging.control: the four condition extractors behave as documented."""

from __future__ import annotations

import numpy as np

from vace_studio.imaging import control


def step_image(h: int = 60, w: int = 80) -> np.ndarray:
    img = np.full((h, w), 40, dtype=np.uint8)
    img[:, w // 2 :] = 200
    return img


def test_scribble_marks_the_step_only() -> None:
    edges = control.scribble(step_image())
    assert edges[:, 39:41].all()
    assert not edges[:, :37].any()
    assert not edges[:, 43:].any()
    gentle = np.tile(np.arange(80, dtype=np.uint8), (60, 1))  # 1 level per pixel
    assert not control.scribble(gentle).any()


def test_depth_is_smooth_and_brighter_below() -> None:
    flat = np.full((64, 64), 100, dtype=np.uint8)
    d = control.depth(flat).astype(int)
    assert d[-1].mean() > d[0].mean() + 90  # the 0.4·255 vertical ramp
    assert np.all(np.diff(d[:, 32]) >= 0)
    noisy = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    assert control.depth(noisy).std(axis=1).mean() < noisy.std(axis=1).mean() / 4


def test_pose_follows_the_textured_region() -> None:
    img = np.full((120, 160), 80, dtype=np.uint8)
    rng = np.random.default_rng(1)
    img[30:90, 100:140] = rng.integers(0, 256, (60, 40), dtype=np.uint8)
    pose = control.estimate_pose(img)
    assert pose is not None
    nx, _ = pose.joints["neck"]
    assert 100 <= nx <= 140
    assert control.estimate_pose(np.full((50, 50), 9, dtype=np.uint8)) is None


def test_pose_drawings() -> None:
    img = np.zeros((120, 160), dtype=np.uint8)
    img[40:80, 60:100] = 255
    pose = control.estimate_pose(img)
    body = control.draw_pose(pose, 160, 120, face=False)
    face = control.draw_pose(pose, 160, 120, face=True)
    assert body.shape == (120, 160, 3)
    assert 0.005 < body.any(axis=2).mean() < 0.3

    def white(a: np.ndarray) -> int:
        return int((a.min(axis=2) > 240).sum())

    assert white(face) > white(body)
    assert not control.draw_pose(None, 16, 16, face=True).any()


def test_control_rgb_for_previews() -> None:
    rgb = np.repeat(step_image()[..., None], 3, axis=2)
    for kind in control.CONTROL_KINDS:
        out = control.control_rgb(kind, rgb)
        assert out.shape == rgb.shape
        assert out.dtype == np.uint8
