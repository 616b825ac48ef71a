"""video_edit: exactly the expanded mask region changes; tracking follows the content."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vace_studio.imaging import masks
from vace_studio.simulator.render import RenderError, RenderInfo
from vace_studio.simulator.render.samples import (
    DecodedVideo,
    contract_problems,
    decode_video,
    moving_square,
    outside_box,
    render_and_decode,
    write_image,
    write_video,
)

W, H = 320, 240


def dilate(mask: np.ndarray, r: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out |= masks.shift(mask, dy, dx)
    return out


def render(
    tmp_path: Path, request: dict[str, object], inputs: dict[str, str]
) -> tuple[RenderInfo, DecodedVideo]:
    return render_and_decode(
        request, inputs, tmp_path / f"out{len(list(tmp_path.glob('out*')))}.mp4"
    )


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel RGB distance."""
    distance: np.ndarray = np.abs(a.astype(np.int16) - b.astype(np.int16)).sum(axis=2)
    return distance


@pytest.mark.parametrize(("mode", "ratio"), [("hull", 0.1), ("bbox", 0.2), ("original", 0.3)])
def test_only_the_expanded_region_changes(tmp_path: Path, mode: str, ratio: float) -> None:
    frames = moving_square(W, H, 10, x0=100, y0=70, size=80)
    src = write_video(tmp_path / "in.mp4", frames)
    mask = np.zeros((H, W), dtype=np.uint8)
    yy, xx = np.mgrid[0:H, 0:W]
    mask[(xx - 140) ** 2 + (yy - 110) ** 2 < 30**2] = 255  # a disc inside the square
    info, video = render(
        tmp_path,
        {
            "function": "video_edit",
            "prompt": "gold",
            "video_url": "v",
            "mask_image_url": "m",
            "expand_mode": mode,
            "expand_ratio": ratio,
        },
        {"v": src, "m": write_image(tmp_path / "m.png", mask)},
    )
    assert not contract_problems(info, video, W, H)
    region = masks.expand(mask > 127, ratio, mode)  # type: ignore[arg-type]
    source = decode_video(src)
    keep = outside_box((H, W), info.caption_box)
    for i in (0, 75, 149):
        diff = changed(video.rgb(i), source.rgb(i % 10))
        outside = ~dilate(region, 3) & keep
        inside = ~dilate(~region, 3)
        assert float(diff[outside].mean()) < 4
        assert np.percentile(diff[outside], 99.9) < 40
        assert float(diff[inside].mean()) > 60
    if mode == "bbox":  # the box's corners are outside the disc but inside the region
        assert region[84, 114]
        assert not (mask[84, 114] > 127)


def test_tracking_follows_moving_content_and_fixed_does_not(tmp_path: Path) -> None:
    frames = moving_square(W, H, 60, x0=20, y0=80, size=60, dx=3)
    src = write_video(tmp_path / "in.mp4", frames)
    mask = np.zeros((H, W), dtype=np.uint8)
    mask[80:140, 20:80] = 255  # the square at frame 1
    inputs = {"v": src, "m": write_image(tmp_path / "m.png", mask)}
    base = {"function": "video_edit", "prompt": "blue", "video_url": "v", "mask_image_url": "m"}
    _, tracked = render(tmp_path, {**base, "expand_ratio": 0.0}, inputs)
    _, fixed = render(tmp_path, {**base, "mask_type": "fixed"}, inputs)
    source = decode_video(src)
    i = 59  # the square has moved 59 × 3 = 177 px
    moved = (slice(90, 130), slice(20 + 177 + 10, 20 + 177 + 50))
    start = (slice(90, 130), slice(30, 70))
    d_track = changed(tracked.rgb(i), source.rgb(i))
    d_fixed = changed(fixed.rgb(i), source.rgb(i))
    assert d_track[moved].mean() > 60
    assert d_track[start].mean() < 6
    assert d_fixed[start].mean() > 60
    assert d_fixed[moved].mean() < 6


def test_mask_frame_id_picks_the_frame_the_mask_describes(tmp_path: Path) -> None:
    frames = moving_square(W, H, 30, x0=20, y0=80, size=60, dx=4)
    src = write_video(tmp_path / "in.mp4", frames)
    mask = np.zeros((H, W), dtype=np.uint8)
    mask[80:140, 60:120] = 255  # where the square is at frame 11 (1-based)
    _, video = render(
        tmp_path,
        {
            "function": "video_edit",
            "prompt": "x",
            "video_url": "v",
            "mask_image_url": "m",
            "mask_frame_id": 11,
            "expand_ratio": 0,
        },
        {"v": src, "m": write_image(tmp_path / "m.png", mask)},
    )
    source = decode_video(src)
    d = changed(video.rgb(0), source.rgb(0))
    assert d[90:130, 30:70].mean() > 60  # frame 1: the square's own position, tracked backwards
    assert d[90:130, 90:110].mean() < 6


def test_mask_video_is_used_per_frame(tmp_path: Path) -> None:
    frames = moving_square(W, H, 10, x0=20, y0=80, size=60)
    src = write_video(tmp_path / "in.mp4", frames)
    mask_frames = []
    for i in range(10):
        m = np.zeros((H, W, 3), dtype=np.uint8)
        m[20:60, 20 + 20 * i : 60 + 20 * i] = 255
        mask_frames.append(m)
    mvid = write_video(tmp_path / "mask.mp4", mask_frames)
    _, video = render(
        tmp_path,
        {"function": "video_edit", "prompt": "x", "video_url": "v", "mask_video_url": "mv"},
        {"v": src, "mv": mvid},
    )
    source = decode_video(src)
    d0, d5 = (changed(video.rgb(i), source.rgb(i)) for i in (0, 5))
    assert d0[28:52, 28:52].mean() > 40
    assert d0[28:52, 128:152].mean() < 6
    assert d5[28:52, 128:152].mean() > 40
    assert d5[28:52, 28:52].mean() < 6


def test_mask_must_match_the_video_resolution(tmp_path: Path) -> None:
    src = write_video(tmp_path / "in.mp4", moving_square(W, H, 3, x0=0, y0=0, size=10))
    bad = write_image(tmp_path / "m.png", np.full((100, 100), 255, dtype=np.uint8))
    with pytest.raises(
        RenderError, match=r"mask_image_url: the mask is 100×100 but the video is 320×240"
    ):
        render(
            tmp_path,
            {"function": "video_edit", "prompt": "x", "video_url": "v", "mask_image_url": "m"},
            {"v": src, "m": bad},
        )
    empty = write_image(tmp_path / "e.png", np.zeros((H, W), dtype=np.uint8))
    with pytest.raises(RenderError, match="no white"):
        render(
            tmp_path,
            {"function": "video_edit", "prompt": "x", "video_url": "v", "mask_image_url": "m"},
            {"v": src, "m": empty},
        )
    with pytest.raises(RenderError, match="mask_frame_id"):
        render(
            tmp_path,
            {
                "function": "video_edit",
                "prompt": "x",
                "video_url": "v",
                "mask_image_url": "m",
                "mask_frame_id": 9,
            },
            {"v": src, "m": write_image(tmp_path / "ok.png", np.full((H, W), 255, dtype=np.uint8))},
        )
