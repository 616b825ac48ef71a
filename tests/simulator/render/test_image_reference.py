"""image_reference: the bg fills the frame, objects sit where promised, the camera moves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vace_studio.simulator.render import RenderError
from vace_studio.simulator.render.samples import (
    contract_problems,
    gradient,
    outside_box,
    render_and_decode,
    write_image,
)

W, H = 320, 240


def solid(w: int, h: int, rgb: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, dtype=np.uint8), (h, w, 3)).copy()


def test_bg_fills_the_frame_and_objects_are_placed(tmp_path: Path) -> None:
    inputs = {
        "bg": write_image(tmp_path / "bg.png", solid(600, 500, (40, 160, 90))),  # other aspect
        "a": write_image(tmp_path / "a.png", solid(400, 400, (230, 40, 40))),
        "b": write_image(tmp_path / "b.jpg", solid(300, 450, (40, 40, 230))),
    }
    request: dict[str, object] = {
        "function": "image_reference",
        "prompt": "two cards on green",
        "size": f"{W}*{H}",
        "ref_images_url": ["a", "bg", "b"],
        "obj_or_bg": ["obj", "bg", "obj"],
    }
    info, video = render_and_decode(request, inputs, tmp_path / "out.mp4")
    assert not contract_problems(info, video, W, H)
    keep = outside_box((H, W), info.caption_box)
    for i in (0, 75, 149):
        rgb = video.rgb(i).astype(np.int16)
        # Objects are H/3 tall around y = H/2: rows well above and below show only the bg.
        rows = np.zeros((H, W), dtype=bool)
        rows[: H // 4] = True
        rows[3 * H // 4 :] = True
        bg = rgb[rows & keep]
        assert np.abs(bg - np.array([40, 160, 90])).max(axis=1).mean() < 6, (
            "bg must cover the frame"
        )
        mid = rgb[H // 2]
        red = np.flatnonzero((mid[:, 0] > 180) & (mid[:, 2] < 90))
        blue = np.flatnonzero((mid[:, 2] > 180) & (mid[:, 0] < 90))
        # Object j of k is centred at W·(j+1)/(k+1), give or take the parallax move.
        assert abs(red.mean() - W / 3) < W * 0.1
        assert abs(blue.mean() - 2 * W / 3) < W * 0.1


def test_camera_moves_over_the_background(tmp_path: Path) -> None:
    stripes = gradient(640, 480)
    yy, xx = np.mgrid[0:480, 0:640]
    stripes[((xx + yy) // 16) % 2 == 0] = 230  # diagonal stripes: any pan direction shows
    inputs = {"bg": write_image(tmp_path / "bg.png", stripes)}
    request: dict[str, object] = {
        "function": "image_reference",
        "prompt": "",
        "size": f"{W}*{H}",
        "ref_images_url": ["bg"],
        "obj_or_bg": ["bg"],
    }
    info, video = render_and_decode(request, inputs, tmp_path / "out.mp4")
    keep = outside_box((H, W), info.caption_box)
    first, last = video.y(0).astype(np.int16), video.y(149).astype(np.int16)
    step = np.abs(video.y(74).astype(np.int16) - video.y(75))[keep].mean()
    assert np.abs(first - last)[keep].mean() > 5 * step  # panned, a little per frame


def test_without_bg_the_background_comes_from_prompt_and_seed(tmp_path: Path) -> None:
    inputs = {"a": write_image(tmp_path / "a.png", solid(400, 400, (230, 230, 230)))}
    base = {"function": "image_reference", "size": f"{W}*{H}", "ref_images_url": ["a"]}
    _, one = render_and_decode({**base, "prompt": "sunset", "seed": 1}, inputs, tmp_path / "1.mp4")
    _, two = render_and_decode({**base, "prompt": "sunset", "seed": 2}, inputs, tmp_path / "2.mp4")
    corner = (slice(0, 30), slice(0, 30))
    assert np.abs(one.rgb(0)[corner].astype(int) - two.rgb(0)[corner]).mean() > 8


@pytest.mark.parametrize(
    ("refs", "kinds", "match"),
    [
        (["a", "b"], None, "obj_or_bg: is required"),
        (["a", "b"], ["obj"], "one entry per reference"),
        (["a", "b"], ["bg", "bg"], "at most one"),
        (["a"], ["thing"], '"obj" or "bg"'),
        ([], None, "ref_images_url"),
    ],
)
def test_reference_errors(
    tmp_path: Path, refs: list[str], kinds: list[str] | None, match: str
) -> None:
    inputs = {u: write_image(tmp_path / f"{u}.png", solid(64, 64, (9, 9, 9))) for u in ("a", "b")}
    request: dict[str, object] = {
        "function": "image_reference",
        "prompt": "x",
        "ref_images_url": refs,
        "obj_or_bg": kinds,
    }
    with pytest.raises(RenderError, match=match):
        render_and_decode(request, inputs, tmp_path / "out.mp4")
