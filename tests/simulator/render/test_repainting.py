"""video_repainting: strength 0 = the recoloured input, strength 1 = the condition drawn in full."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> str:
    frames = moving_square(W, H, 16, x0=100, y0=80, size=80, dx=2)
    return write_video(tmp_path_factory.mktemp("src") / "in.mp4", frames, fps=16)


def repaint(tmp_path: Path, source: str, **params: object) -> tuple[RenderInfo, DecodedVideo]:
    request = {"function": "video_repainting", "prompt": "watercolour", "video_url": "v", **params}
    name = "-".join(f"{k}{v}" for k, v in params.items())
    return render_and_decode(request, {"v": source}, tmp_path / f"{name}.mp4")


def test_strength_zero_keeps_luma_and_changes_colour(tmp_path: Path, source: str) -> None:
    info, out = repaint(tmp_path, source, control_condition="scribble", strength=0.0)
    assert not contract_problems(info, out, W, H)
    src = decode_video(source)
    keep = outside_box((H, W), info.caption_box)
    # Output frame 30 (t = 1 s) shows input frame 16 fps × 1 s = 16 → loops to 0.
    y_out, y_in = out.y(30).astype(np.int16), src.y(0).astype(np.int16)
    assert np.abs(y_out - y_in)[keep].mean() < 2
    rgb_diff = np.abs(out.rgb(30).astype(np.int16) - src.rgb(0)).sum(axis=2)
    assert rgb_diff[keep].mean() > 20


def test_scribble_at_full_strength_draws_white_edges(tmp_path: Path, source: str) -> None:
    _, out = repaint(tmp_path, source, control_condition="scribble")
    _, none = repaint(tmp_path, source, control_condition="scribble", strength=0.0)
    y1, y0 = out.y(0).astype(np.int16), none.y(0).astype(np.int16)
    # The square's left edge is at x = 100 in frame 0; its interior is smooth texture.
    edge = y1[90:160, 98:103].max(axis=1)
    assert np.median(edge) > 200
    assert np.median(y0[90:160, 98:103].max(axis=1)) < 190
    flat = (slice(10, 60), slice(10, 60))  # background: no edges
    assert np.abs(y1[flat] - y0[flat]).mean() < 2


def test_depth_replaces_texture_with_smooth_shading(tmp_path: Path, source: str) -> None:
    _, full = repaint(tmp_path, source, control_condition="depth", strength=1.0)
    _, half = repaint(tmp_path, source, control_condition="depth", strength=0.5)
    _, none = repaint(tmp_path, source, control_condition="depth", strength=0.0)
    inside = (slice(90, 150), slice(110, 170))
    # Spread along rows: depth adds a vertical ramp, so only horizontal texture is compared.
    spread = [float(v.y(0)[inside].std(axis=1).mean()) for v in (none, half, full)]
    assert spread[0] > spread[1] > spread[2]
    assert spread[2] < 0.35 * spread[0]  # depth is blurred: the square's texture is gone


@pytest.mark.parametrize("kind", ["posebody", "posebodyface"])
def test_pose_draws_a_figure_on_the_subject(tmp_path: Path, source: str, kind: str) -> None:
    info, out = repaint(tmp_path, source, control_condition=kind)
    _, none = repaint(tmp_path, source, control_condition=kind, strength=0.0)
    diff = np.abs(out.rgb(0).astype(np.int16) - none.rgb(0)).sum(axis=2) > 60
    diff &= outside_box((H, W), info.caption_box)
    ys, xs = np.nonzero(diff)
    assert 100 < diff.sum() < 0.25 * diff.size  # a line drawing, not a fill
    assert abs(xs.mean() - 140) < 30  # around the square (centre x = 140, y = 120)
    assert abs(ys.mean() - 120) < 40


def test_reference_image_becomes_an_inset(tmp_path: Path, source: str) -> None:
    ref = write_image(tmp_path / "r.png", np.full((200, 200, 3), (250, 20, 200), dtype=np.uint8))
    request: dict[str, object] = {
        "function": "video_repainting",
        "prompt": "x",
        "video_url": "v",
        "control_condition": "depth",
        "ref_images_url": ["r"],
    }
    _, out = render_and_decode(request, {"v": source, "r": ref}, tmp_path / "o.mp4")
    # Inset: H/5 tall at the top-right, 8 px margin.
    patch = out.rgb(0)[20:40, W - 40 : W - 20].astype(int)
    assert np.abs(patch - [250, 20, 200]).max(axis=2).mean() < 20


def test_control_condition_is_required(tmp_path: Path, source: str) -> None:
    with pytest.raises(RenderError, match="control_condition: is required"):
        repaint(tmp_path, source)
    with pytest.raises(RenderError, match="strength: must be between"):
        repaint(tmp_path, source, control_condition="depth", strength=1.5)
