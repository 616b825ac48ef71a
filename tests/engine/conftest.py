"""Engine fixtures beyond the shared ones in ``tests/conftest.py``: one small valid request per
function, built over whatever URLs a test serves its inputs from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vace_studio.simulator.samples import Samples


@pytest.fixture(name="requests_for")
def requests_for_fixture() -> Callable[..., dict[str, dict[str, Any]]]:
    return requests_for


def requests_for(media: Samples, urls: Callable[[str], str]) -> dict[str, dict[str, Any]]:
    """One small valid request per function over the sample set ``media``; ``urls(name)`` gives
    the reference of the sample file called ``name``."""
    image, video, mask, clip = (
        urls(path.name) for path in (media.image, media.video, media.mask, media.clip)
    )
    return {
        "image_reference": {
            "function": "image_reference",
            "prompt": "a white cube on a gradient",
            "ref_images_url": [image],
            "size": "960*960",
            "seed": 1,
        },
        "video_repainting": {
            "function": "video_repainting",
            "prompt": "a watercolour street",
            "video_url": video,
            "control_condition": "depth",
            "strength": 0.7,
        },
        "video_edit": {
            "function": "video_edit",
            "prompt": "a red ball",
            "video_url": video,
            "mask_image_url": mask,
            "expand_ratio": 0.1,
        },
        "video_extension": {
            "function": "video_extension",
            "prompt": "the scene continues",
            "first_clip_url": clip,
        },
        "video_outpainting": {
            "function": "video_outpainting",
            "prompt": "a wider view",
            "video_url": video,
            "left_scale": 1.5,
            "top_scale": 1.2,
        },
    }
