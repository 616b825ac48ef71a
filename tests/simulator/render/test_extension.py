"""video_extension: the ends show the given frames/clips, the middle fades between them."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest

from vace_studio.imaging.canvas import cover_resize
from vace_studio.simulator.render import RenderError
from vace_studio.simulator.render.context import RenderContext
from vace_studio.simulator.render.samples import (
    contract_problems,
    decode_video,
    gradient,
    moving_square,
    outside_box,
    render_and_decode,
    write_image,
    write_video,
)
from vace_studio.simulator.render.video_extension import output_size

W, H = 320, 240


def rgb_close(a: np.ndarray, b: np.ndarray, keep: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b).max(axis=2)[keep].mean())


def test_first_and_last_frame_are_held_and_faded(tmp_path: Path) -> None:
    first = gradient(400, 300)  # 4:3 → cover-scaled to 320×240 without a crop
    last = np.full((300, 400, 3), (200, 60, 60), dtype=np.uint8)
    inputs = {
        "f": write_image(tmp_path / "f.png", first),
        "l": write_image(tmp_path / "l.png", last),
    }
    request: dict[str, object] = {
        "function": "video_extension",
        "prompt": "from day to dusk",
        "size": f"{W}*{H}",
        "first_frame_url": "f",
        "last_frame_url": "l",
    }
    info, video = render_and_decode(request, inputs, tmp_path / "out.mp4")
    assert not contract_problems(info, video, W, H)
    keep = outside_box((H, W), info.caption_box)
    want_first = cover_resize(first, W, H)
    assert rgb_close(video.rgb(0), want_first, keep) < 6
    assert rgb_close(video.rgb(14), want_first, keep) < 6  # held 0.5 s
    assert rgb_close(video.rgb(149), np.array([200, 60, 60]), keep) < 6
    mid = video.rgb(75).astype(np.int16)
    expect_mid = (want_first.astype(np.int16) + np.array([200, 60, 60])) / 2
    assert float(np.abs(mid - expect_mid).max(axis=2)[keep].mean()) < 25


def test_clips_play_as_is_at_the_ends(tmp_path: Path) -> None:
    head = moving_square(W, H, 30, x0=10, y0=60, size=50, dx=3)  # 1 s
    tail = moving_square(W, H, 30, x0=200, y0=60, size=50, dy=2)
    inputs = {
        "a": write_video(tmp_path / "a.mp4", head),
        "b": write_video(tmp_path / "b.mp4", tail),
    }
    request: dict[str, object] = {
        "function": "video_extension",
        "prompt": "",
        "first_clip_url": "a",
        "last_clip_url": "b",
    }
    info, video = render_and_decode(request, inputs, tmp_path / "out.mp4")
    assert not contract_problems(info, video, W, H)  # size from the clips
    keep = outside_box((H, W), info.caption_box)
    a, b = decode_video(inputs["a"]), decode_video(inputs["b"])
    for i in (0, 17, 29):
        assert rgb_close(video.rgb(i), a.rgb(i), keep) < 8
    for j in (0, 12, 29):
        assert rgb_close(video.rgb(120 + j), b.rgb(j), keep) < 8


def test_motion_source_condition_changes_the_middle_only(tmp_path: Path) -> None:
    motion = moving_square(W, H, 30, x0=100, y0=60, size=100, dx=2)
    inputs = {
        "f": write_image(tmp_path / "f.png", gradient(W, H)),
        "m": write_video(tmp_path / "m.mp4", motion),
    }
    base: dict[str, object] = {
        "function": "video_extension",
        "prompt": "",
        "first_frame_url": "f",
        "size": f"{W}*{H}",
    }
    _, plain = render_and_decode(base, inputs, tmp_path / "p.mp4")
    _, moved = render_and_decode(
        {**base, "video_url": "m", "control_condition": "depth"}, inputs, tmp_path / "m.mp4"
    )
    assert np.abs(plain.y(5).astype(int) - moved.y(5)).mean() < 2  # held frame: untouched
    assert np.abs(plain.y(80).astype(int) - moved.y(80)).mean() > 5
    with pytest.raises(RenderError, match="control_condition: is required"):
        render_and_decode({**base, "video_url": "m"}, inputs, tmp_path / "x.mp4")


@pytest.mark.parametrize(
    ("image_size", "expected"),
    [((900, 1600), (720, 1280)), ((1000, 1000), (960, 960)), ((1600, 900), (1280, 720))],
)
def test_size_from_an_image_is_the_nearest_documented_one(
    tmp_path: Path, image_size: tuple[int, int], expected: tuple[int, int]
) -> None:
    w, h = image_size
    path = write_image(tmp_path / "f.png", np.zeros((h, w, 3), dtype=np.uint8))
    with ExitStack() as stack:
        ctx = RenderContext(
            {"function": "video_extension", "first_frame_url": "f"}, {"f": path}, stack
        )
        assert output_size(ctx) == expected
