"""video_outpainting: the source sits where the scales say, the border around it is different."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vace_studio.imaging.canvas import outpaint_geometry
from vace_studio.simulator.render.samples import (
    contract_problems,
    outside_box,
    render_and_decode,
    write_video,
)


def bright_frames(w: int, h: int, n: int) -> list[np.ndarray]:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    f = np.stack([200 + 30 * xx / w, 210 + 20 * yy / h, 190 + 0 * xx], axis=-1).astype(np.uint8)
    return [f] * n


@pytest.mark.parametrize(
    ("scales", "size", "offset"),
    [
        ({"left_scale": 1.5, "top_scale": 1.25}, (480, 300), (160, 60)),
        ({"right_scale": 2.0, "bottom_scale": 1.5}, (640, 360), (0, 0)),
    ],
)
def test_source_and_border_follow_the_scales(
    tmp_path: Path, scales: dict[str, float], size: tuple[int, int], offset: tuple[int, int]
) -> None:
    src = write_video(tmp_path / "in.mp4", bright_frames(320, 240, 20))
    info, video = render_and_decode(
        {"function": "video_outpainting", "prompt": "wider", "video_url": "v", **scales},
        {"v": src},
        tmp_path / "out.mp4",
    )
    assert not contract_problems(info, video, *size)
    geo = outpaint_geometry(320, 240, **{k.removesuffix("_scale"): v for k, v in scales.items()})
    assert (geo.out_src_x, geo.out_src_y, geo.out_src_w, geo.out_src_h) == (*offset, 320, 240)

    y = video.y(40).astype(np.int16)
    keep = outside_box(y.shape, info.caption_box)
    x0, y0 = offset
    inner = np.zeros_like(keep)
    inner[y0 + 4 : y0 + 236, x0 + 4 : x0 + 316] = True
    border = np.ones_like(keep)
    border[max(0, y0 - 4) : y0 + 244, max(0, x0 - 4) : x0 + 324] = False
    src_y = float(y[inner & keep].mean())
    border_y = float(y[border & keep].mean())
    # Source luma ≈ 200; the border is the same picture dimmed 40 % towards black.
    assert src_y > 185
    assert border_y < src_y - 50
    assert (border & keep).sum() > 0.25 * border.size


def test_input_larger_than_720p_is_scaled_to_fit(tmp_path: Path) -> None:
    src = write_video(tmp_path / "in.mp4", bright_frames(400, 200, 3))
    info, video = render_and_decode(
        {
            "function": "video_outpainting",
            "prompt": "",
            "video_url": "v",
            "left_scale": 2.0,
            "right_scale": 2.0,
        },
        {"v": src},
        tmp_path / "out.mp4",
    )
    # Canvas 1200×200 fits; a 3× wider canvas of a 400-wide source stays ≤ 1280 wide.
    assert not contract_problems(info, video, 1200, 200)
