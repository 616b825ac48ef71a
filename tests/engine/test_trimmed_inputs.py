"""What the service trims or ignores is accepted with a warning and succeeds on the simulator
(which plays the same documented behaviour); what it refuses is refused before any request."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from vace_studio.engine import Client
from vace_studio.requests import InvalidRequest
from vace_studio.simulator import SimulatorConfig, serve
from vace_studio.simulator.samples import make_mask, make_video

FAST = SimulatorConfig(queue_seconds=0.05, run_seconds=0.1)


@pytest.fixture(scope="module")
def odd_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("trimmed")
    png = make_mask(root / "mask.png", 320, 240, extent=0.25)
    jpeg = root / "mask.jpg"
    Image.open(png).convert("RGB").save(jpeg, quality=70)  # near-white edges, as JPEG makes them
    return {
        "long_video": make_video(root / "six.mp4", seconds=6.0),
        "long_clip": make_video(root / "four.mp4", seconds=4.0),
        "clip_24fps": make_video(root / "c24.mp4", fps=24, seconds=1.0),
        "clip_16fps": make_video(root / "c16.mp4", fps=16, seconds=1.0),
        "jpeg_mask": jpeg,
        "video": make_video(root / "one.mp4", seconds=1.0),
    }


def _cases(m: dict[str, Path]) -> dict[str, tuple[dict[str, Any], str]]:
    """Each case: a request, and the field its warning must name."""
    return {
        "6 s source video": (
            {"function": "video_outpainting", "prompt": "wider", "video_url": str(m["long_video"]),
             "left_scale": 1.5},
            "video_url",
        ),
        "4 s clip": (
            {"function": "video_extension", "prompt": "on", "first_clip_url": str(m["long_clip"])},
            "first_clip_url",
        ),
        "clips of different fps": (
            {"function": "video_extension", "prompt": "on", "first_clip_url": str(m["clip_24fps"]),
             "last_clip_url": str(m["clip_16fps"])},
            "last_clip_url",
        ),
        "JPEG mask": (
            {"function": "video_edit", "prompt": "a ball", "video_url": str(m["video"]),
             "mask_image_url": str(m["jpeg_mask"])},
            "mask_image_url",
        ),
        "expand_ratio with a fixed mask": (
            {"function": "video_edit", "prompt": "a ball", "video_url": str(m["video"]),
             "mask_image_url": str(m["jpeg_mask"]).replace(".jpg", ".png"),
             "mask_type": "fixed", "expand_ratio": 0.05},
            "expand_ratio",
        ),
    }  # fmt: skip


async def test_trimmed_and_ignored_inputs_warn_and_succeed(
    make_client: Any, odd_media: dict[str, Path]
) -> None:
    with serve(FAST) as sim:
        client: Client = make_client(sim)
        cases = _cases(odd_media)
        tasks = {}
        for name, (request, field) in cases.items():
            _, warnings = client.inspect(request)
            assert any(w.field.startswith(field) for w in warnings), (name, warnings)
            assert all(not w.is_error for w in warnings), name
            tasks[name] = client.enqueue(request)
            # The warning travels with the task, for the card and the result.
            assert any(w["field"].startswith(field) for w in tasks[name].record.warnings), name
        results = await asyncio.wait_for(asyncio.gather(*(t.wait() for t in tasks.values())), 120)
        for name, result in zip(tasks, results, strict=True):
            assert result.ok, (name, result.error_code, result.error_message)
            assert result.warnings, name
        await client.aclose()


@pytest.mark.parametrize(
    "field", ["video_url", "mask_video_url", "first_clip_url", "ref_images_url", "first_frame_url"]
)
async def test_a_url_with_chinese_characters_is_refused_before_any_request(
    make_client: Any, field: str
) -> None:
    with serve(FAST) as sim:
        client: Client = make_client(sim)
        url = "https://example.invalid/视频/源.mp4"
        by_field: dict[str, dict[str, Any]] = {
            "video_url": {"function": "video_outpainting", "prompt": "p", "video_url": url},
            "mask_video_url": {
                "function": "video_edit",
                "prompt": "p",
                "video_url": "https://example.invalid/v.mp4",
                "mask_video_url": url,
            },
            "first_clip_url": {"function": "video_extension", "prompt": "p", "first_clip_url": url},
            "ref_images_url": {
                "function": "image_reference",
                "prompt": "p",
                "ref_images_url": [url],
            },
            "first_frame_url": {
                "function": "video_extension",
                "prompt": "p",
                "first_frame_url": url,
            },
        }
        request = by_field[field]
        with pytest.raises(InvalidRequest) as caught:
            client.enqueue(request)
        assert field in str(caught.value)
        assert client.records() == []
        assert sum(sim.stats().requests.values()) == 0
        await client.aclose()
