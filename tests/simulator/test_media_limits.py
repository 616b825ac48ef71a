"""Media the service trims (the task succeeds) and media that breaks a hard limit (the task fails
with ``InvalidParameter``), over real HTTP with the real renderer behind the simulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.helpers import ASYNC, owner_headers, sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.render.samples import decode_video
from vace_studio.simulator.samples import Samples, make_image, make_mask, make_video

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
INPUT = {
    "function", "prompt", "ref_images_url", "video_url", "mask_image_url", "mask_video_url",
    "mask_frame_id", "first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url",
}  # fmt: skip


@dataclass(frozen=True)
class Files:
    long_video: str  # 7 s, 16 fps, 320×240
    long_mask_video: str  # 7 s, a moving white square
    clip_4s: str
    clip_2s: str
    clip_24fps: str  # 1 s at 24 fps (the sample clip is 16 fps)
    slow_video: str  # 8 fps
    mov_video: str  # QuickTime, not MP4
    jpeg_mask: str  # 320×240 JPEG: near-white and near-black, not pure
    big_mask: str  # 640×480: not the video's resolution
    small_image: str  # 200×200
    gif_image: str
    heavy_image: str  # > 10 MB


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    root = tmp_path_factory.mktemp("limits")
    jpeg = root / "mask.jpg"
    Image.open(make_mask(root / "mask-src.png", 320, 240, extent=0.5)).save(jpeg, quality=60)
    return Files(
        long_video=str(make_video(root / "long.mp4", seconds=7.0)),
        long_mask_video=str(make_video(root / "long-mask.mp4", seconds=7.0, mask=True)),
        clip_4s=str(make_video(root / "clip4.mp4", seconds=4.0)),
        clip_2s=str(make_video(root / "clip2.mp4", seconds=2.0)),
        clip_24fps=str(make_video(root / "clip24.mp4", fps=24, seconds=1.0)),
        slow_video=str(make_video(root / "slow.mp4", fps=8, seconds=1.0)),
        mov_video=str(make_video(root / "clip.mov", container="mov")),
        jpeg_mask=str(jpeg),
        big_mask=str(make_mask(root / "big-mask.png", 640, 480)),
        small_image=str(make_image(root / "small.png", 200, 200)),
        gif_image=str(make_image(root / "ref.gif", 480, 400)),
        heavy_image=str(make_image(root / "heavy.png", 2000, 1900, noise=True)),
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.02, run_seconds=0.02, quotas={})) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sim.base_url, headers=owner_headers(sim, "limits", **ASYNC)
    ) as client:
        yield client


def run(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Submit a DashScope task and wait for its end; the final ``output``."""
    body = {
        "model": "wan2.1-vace-plus",
        "input": {k: v for k, v in fields.items() if k in INPUT},
        "parameters": {k: v for k, v in fields.items() if k not in INPUT},
    }
    submitted = http.post(SUBMIT, json=body)
    assert submitted.status_code == 200, submitted.text
    task_id = submitted.json()["output"]["task_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        output: dict[str, Any] = http.get(f"/api/v1/tasks/{task_id}").json()["output"]
        if output["task_status"] not in ("PENDING", "RUNNING"):
            return output
        time.sleep(0.05)
    raise AssertionError("the task did not finish")


def succeeded(output: dict[str, Any]) -> None:
    assert output["task_status"] == "SUCCEEDED", (output.get("code"), output.get("message"))


def failed(output: dict[str, Any], *words: str) -> None:
    assert output["task_status"] == "FAILED", output
    assert output["code"] == "InvalidParameter"
    for word in words:
        assert word in output["message"], output["message"]


# -- trimmed: the task succeeds -------------------------------------------------------------


def test_a_source_video_over_5_s_is_cut_to_its_first_5_s(http: httpx.Client, files: Files) -> None:
    output = run(http, function="video_outpainting", prompt="wide", video_url=files.long_video)
    succeeded(output)
    video = decode_video(http.get(output["video_url"]).content)
    assert len(video.frames) / video.fps <= 5.0


def test_long_source_and_mask_videos_are_accepted(http: httpx.Client, files: Files) -> None:
    output = run(
        http,
        function="video_edit",
        prompt="recolour",
        video_url=files.long_video,
        mask_video_url=files.long_mask_video,
    )
    succeeded(output)


def test_mask_frame_id_counts_the_first_5_s_of_a_longer_video(
    http: httpx.Client, files: Files
) -> None:
    # 16 fps × 5 s + 1 = 81 is the last frame the service reads; 82 is out of range.
    common = {"function": "video_edit", "prompt": "p", "video_url": files.long_video}
    mask = str(Path(files.jpeg_mask).with_name("mask-src.png"))
    succeeded(run(http, **common, mask_image_url=mask, mask_frame_id=81, mask_type="fixed"))
    failed(
        run(http, **common, mask_image_url=mask, mask_frame_id=82, mask_type="fixed"),
        "mask_frame_id",
    )


def test_a_jpeg_mask_with_impure_colours_is_accepted(
    http: httpx.Client, media: Samples, files: Files
) -> None:
    pixels = np.asarray(Image.open(files.jpeg_mask).convert("L"))
    assert set(np.unique(pixels)) - {0, 255}, "the JPEG should carry near-black/near-white greys"
    output = run(
        http,
        function="video_edit",
        prompt="p",
        video_url=str(media.video),
        mask_image_url=files.jpeg_mask,
    )
    succeeded(output)


def _square_left(rgb: np.ndarray[Any, Any]) -> int:
    """Left edge of the sample video's yellow square in an RGB frame."""
    yellow = (rgb[..., 0] > 180) & (rgb[..., 1] > 150) & (rgb[..., 2] < 110)
    columns = np.flatnonzero(yellow.sum(axis=0) > 20)
    assert columns.size, "no square in the frame"
    return int(columns[0])


def test_a_clip_over_3_s_is_cut_to_its_first_3_s(http: httpx.Client, files: Files) -> None:
    succeeded(run(http, function="video_extension", prompt="p", first_clip_url=files.clip_4s))
    output = run(http, function="video_extension", prompt="p", last_clip_url=files.clip_4s)
    succeeded(output)
    # The video ends where the clip's first 3 s end: the square has crossed 3/4 of its path
    # (left ≈ 0.75 × 240 px), not all of it as at the clip's own last frame (left = 240).
    video = decode_video(http.get(output["video_url"]).content)
    assert abs(_square_left(video.rgb(len(video.frames) - 1)) - 180) <= 12


def test_clips_of_different_fps_are_accepted(
    http: httpx.Client, media: Samples, files: Files
) -> None:
    output = run(
        http,
        function="video_extension",
        prompt="p",
        first_clip_url=str(media.clip),  # 16 fps
        last_clip_url=files.clip_24fps,
    )
    succeeded(output)


def test_a_long_motion_video_is_accepted(http: httpx.Client, media: Samples, files: Files) -> None:
    output = run(
        http,
        function="video_extension",
        prompt="p",
        first_frame_url=str(media.image),
        video_url=files.long_video,
        control_condition="depth",
    )
    succeeded(output)


# -- hard limits: the task fails ------------------------------------------------------------


def test_clips_over_3_s_together_fail(http: httpx.Client, files: Files) -> None:
    output = run(
        http,
        function="video_extension",
        prompt="p",
        first_clip_url=files.clip_2s,
        last_clip_url=files.clip_2s,
    )
    failed(output, "at most 3 s")


def test_a_video_under_16_fps_fails(http: httpx.Client, files: Files) -> None:
    output = run(http, function="video_outpainting", prompt="p", video_url=files.slow_video)
    failed(output, "video_url", "16")


def test_a_video_that_is_not_mp4_fails(http: httpx.Client, files: Files) -> None:
    output = run(http, function="video_outpainting", prompt="p", video_url=files.mov_video)
    failed(output, "video_url", "MP4")


def test_a_mask_of_another_resolution_fails(
    http: httpx.Client, media: Samples, files: Files
) -> None:
    output = run(
        http, function="video_edit", prompt="p", video_url=str(media.video),
        mask_image_url=files.big_mask,
    )  # fmt: skip
    failed(output, "mask_image_url", "resolution")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("small_image", ("360–2000",)),
        ("gif_image", ("GIF",)),
        ("heavy_image", ("10 MB",)),
    ],
)
def test_reference_images_outside_the_limits_fail(
    http: httpx.Client, files: Files, name: str, words: tuple[str, ...]
) -> None:
    output = run(
        http,
        function="image_reference",
        prompt="p",
        ref_images_url=[getattr(files, name)],
        size="960*960",
    )
    failed(output, "ref_images_url", *words)
