"""render_task as the simulator's server calls it: determinism, request shapes, errors, 720p."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from vace_studio.simulator.render import FUNCTIONS, RenderError, render_task
from vace_studio.simulator.render.samples import (
    contract_problems,
    decode_video,
    moving_square,
    render_and_decode,
    write_image,
    write_video,
)


@pytest.fixture(scope="module")
def inputs_by_url(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The renderer's input files, keyed by the URL a request names them with."""
    d = tmp_path_factory.mktemp("media")
    frames = moving_square(160, 120, 12, x0=20, y0=30, size=40, dx=2)
    mask = np.zeros((120, 160), dtype=np.uint8)
    mask[30:70, 20:60] = 255
    return {
        "https://x/v.mp4": write_video(d / "v.mp4", frames),
        "https://x/img.png": write_image(d / "img.png", frames[0]),
        "https://x/mask.png": write_image(d / "mask.png", mask),
    }


REQUESTS: dict[str, dict[str, object]] = {
    "image_reference": {"ref_images_url": ["https://x/img.png"], "size": "160*120"},
    "video_repainting": {"video_url": "https://x/v.mp4", "control_condition": "posebodyface"},
    "video_edit": {"video_url": "https://x/v.mp4", "mask_image_url": "https://x/mask.png"},
    "video_extension": {"first_frame_url": "https://x/img.png", "last_clip_url": "https://x/v.mp4"},
    "video_outpainting": {"video_url": "https://x/v.mp4", "left_scale": 1.5},
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_is_deterministic_for_a_seed(
    tmp_path: Path, inputs_by_url: dict[str, str], function: str
) -> None:
    request = {"function": function, "prompt": "a test", "seed": 7, **REQUESTS[function]}
    one, two = io.BytesIO(), io.BytesIO()
    render_task(request, inputs_by_url, out_path_or_file=one)
    render_task(request, inputs_by_url, out_path_or_file=two)
    assert one.getvalue() == two.getvalue()
    video = decode_video(one.getvalue())
    assert len(video.frames) == 150
    assert video.codec == "h264"


def test_seed_changes_the_picture(tmp_path: Path, inputs_by_url: dict[str, str]) -> None:
    base = {"function": "video_edit", "prompt": "p", **REQUESTS["video_edit"]}
    _, a = render_and_decode({**base, "seed": 1}, inputs_by_url, tmp_path / "a.mp4")
    _, b = render_and_decode({**base, "seed": None}, inputs_by_url, tmp_path / "b.mp4")
    _, c = render_and_decode({**base, "seed": 0}, inputs_by_url, tmp_path / "c.mp4")
    assert np.abs(a.rgb(0).astype(int) - b.rgb(0)).max() > 30
    assert np.array_equal(b.frames[0], c.frames[0])  # no seed = seed 0


def test_dashscope_shaped_body_is_accepted(tmp_path: Path, inputs_by_url: dict[str, str]) -> None:
    body = {
        "model": "wan2.1-vace-plus",
        "input": {
            "function": "video_outpainting",
            "prompt": "wide",
            "video_url": "https://x/v.mp4",
        },
        "parameters": {"left_scale": 2.0, "seed": 3},
    }
    info = render_task(body, inputs_by_url, out_path_or_file=tmp_path / "o.mp4")
    assert (info.width, info.height) == (320, 120)


@pytest.mark.parametrize(
    ("request_", "match"),
    [
        ({"function": "text_to_video"}, "function: must be one of"),
        (
            {
                "function": "video_edit",
                "video_url": "https://x/missing.mp4",
                "mask_image_url": "https://x/mask.png",
            },
            "video_url: the file at 'https://x/missing.mp4' could not be downloaded",
        ),
        (
            {"function": "video_outpainting", "video_url": "https://x/img.png"},
            "video_url: the file is not a video",
        ),
        (
            {"function": "video_outpainting", "video_url": "https://x/v.mp4", "top_scale": 2.5},
            "top_scale",
        ),
        (
            {"function": "image_reference", "ref_images_url": ["https://x/img.png"], "size": "big"},
            "size",
        ),
        (
            {"function": "image_reference", "ref_images_url": ["https://x/img.png"], "seed": -1},
            "seed",
        ),
    ],
)
def test_unusable_requests_raise_render_error(
    tmp_path: Path, inputs_by_url: dict[str, str], request_: dict[str, object], match: str
) -> None:
    with pytest.raises(RenderError, match=match) as err:
        render_task(request_, inputs_by_url, out_path_or_file=tmp_path / "x.mp4")
    assert err.value.code == "InvalidParameter"


def test_default_size_is_1280x720(tmp_path: Path, inputs_by_url: dict[str, str]) -> None:
    request: dict[str, object] = {
        "function": "image_reference",
        "prompt": "A long prompt " * 40,
        "ref_images_url": ["https://x/img.png"],
    }
    info, video = render_and_decode(request, inputs_by_url, tmp_path / "big.mp4")
    assert not contract_problems(info, video, 1280, 720)
    x0, y0, x1, y1 = info.caption_box
    assert 0 < x0 < x1 < 1280
    assert 600 < y0 < y1 <= 720
