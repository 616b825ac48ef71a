"""The official ``dashscope`` SDK, unchanged, against the simulator: each of the five functions
completes and its video downloads as a playable H.264, 30 fps MP4 (rendered for real)."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import httpx
import pytest

from tests.helpers import sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.render.samples import decode_video
from vace_studio.simulator.samples import FileServer, Samples

dashscope = pytest.importorskip("dashscope")
VideoSynthesis = dashscope.VideoSynthesis

MODEL = "wan2.1-vace-plus"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    # Quotas lifted so all five tasks run at once; quotas are tested on their own.
    with serve(sim_config(queue_seconds=0.1, run_seconds=0.2, quotas={})) as handle:
        yield handle


@pytest.fixture(autouse=True)
def sdk_base_url(sim: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashscope, "base_http_api_url", sim.base_url + "/api/v1")
    # The simulator answers its owner only: the tests pass this key as ``api_key`` explicitly.
    monkeypatch.setattr(dashscope, "api_key", sim.key("sdk"))


def calls(files: FileServer, media: Samples) -> dict[str, dict[str, Any]]:
    """One SDK call per function: VACE fields through ``extra_input`` and keyword parameters."""
    url = files.url
    return {
        "image_reference": {
            "extra_input": {"function": "image_reference", "ref_images_url": [url(media.image)]},
            "obj_or_bg": ["obj"],
            "size": "960*960",  # a smaller render than the 1280*720 default
        },
        "video_repainting": {
            "extra_input": {"function": "video_repainting", "video_url": url(media.video)},
            "control_condition": "depth",
            "strength": 0.7,
            "prompt_extend": False,
        },
        "video_edit": {
            "extra_input": {
                "function": "video_edit",
                "video_url": url(media.video),
                "mask_image_url": url(media.mask),
                "mask_frame_id": 1,
            },
            "mask_type": "tracking",
            "expand_ratio": 0.05,
        },
        "video_extension": {
            # A local path in the SDK's own first_frame_url: the SDK uploads it (getPolicy, OSS
            # form post) and adds X-DashScope-OssResourceResolve by itself.
            "first_frame_url": str(media.image),
            "extra_input": {"function": "video_extension", "first_clip_url": url(media.clip)},
        },
        "video_outpainting": {
            "extra_input": {"function": "video_outpainting", "video_url": url(media.video)},
            "top_scale": 1.5,
            "left_scale": 1.2,
            "seed": 42,
        },
    }


def test_the_sdk_completes_every_function(
    sim: SimulatorHandle, file_server: FileServer, media: Samples
) -> None:
    submitted = {}
    for function, kwargs in calls(file_server, media).items():
        response = VideoSynthesis.async_call(
            model=MODEL, prompt=f"simulated {function}", api_key=dashscope.api_key, **kwargs
        )
        assert response.status_code == HTTPStatus.OK, (function, response.code, response.message)
        assert response.output.task_status == "PENDING"
        submitted[function] = response
    assert sim.stats().uploads == 1  # the video_extension first frame

    for function, response in submitted.items():
        result = VideoSynthesis.wait(response, api_key=dashscope.api_key)
        assert result.status_code == HTTPStatus.OK
        assert result.output.task_status == "SUCCEEDED", (function, result.output)
        assert result.usage.video_count == 1
        assert result.usage.video_duration == 5
        video = httpx.get(result.output.video_url)
        assert video.status_code == 200
        assert video.headers["content-type"] == "video/mp4"
        decoded = decode_video(video.content)
        assert (decoded.codec, decoded.fps, len(decoded.frames)) == ("h264", 30, 150), function


def test_sdk_fetch_cancel_and_list(file_server: FileServer, media: Samples) -> None:
    with serve(sim_config(queue_seconds=30, run_seconds=1, list_lag_seconds=0)) as slow:
        base = slow.base_url + "/api/v1"
        key = slow.key("sdk")
        dashscope.base_http_api_url = base
        kwargs = calls(file_server, media)["video_outpainting"]
        task = VideoSynthesis.async_call(model=MODEL, prompt="to cancel", api_key=key, **kwargs)
        fetched = VideoSynthesis.fetch(task, api_key=key)
        assert fetched.output.task_status == "PENDING"
        assert VideoSynthesis.cancel(task, api_key=key).status_code == HTTPStatus.OK
        assert VideoSynthesis.fetch(task, api_key=key).output.task_status == "CANCELED"
        listed = VideoSynthesis.list(api_key=key, page_size=5)
        assert listed.status_code == HTTPStatus.OK
        assert [item["task_id"] for item in listed.output["data"]] == [task.output.task_id]
        refused = VideoSynthesis.cancel(task, api_key=key)
        assert refused.status_code == HTTPStatus.BAD_REQUEST
        assert refused.code == "UnsupportedOperation"


def test_sdk_sees_the_service_errors() -> None:
    # Without extra_input the SDK sends function "video-synthesis": not a VACE function.
    plain = VideoSynthesis.async_call(model=MODEL, prompt="p", api_key=dashscope.api_key)
    assert plain.status_code == HTTPStatus.BAD_REQUEST
    assert plain.code == "InvalidParameter"
    assert "function" in plain.message
    wrong = VideoSynthesis.async_call(model="wan2.5-t2v", prompt="p", api_key=dashscope.api_key)
    assert wrong.status_code == HTTPStatus.NOT_FOUND
    assert wrong.code == "ModelNotFound"
    unknown = VideoSynthesis.fetch(
        "00000000-0000-0000-0000-000000000000", api_key=dashscope.api_key
    )
    assert unknown.output.task_status == "UNKNOWN"


def test_sdk_fixed_mask_with_an_expand_ratio_succeeds(
    sim: SimulatorHandle, file_server: FileServer, media: Samples
) -> None:
    # ``expand_ratio`` only applies when tracking; with ``fixed`` the service ignores it, so this
    # ordinary SDK call must not be refused.
    response = VideoSynthesis.async_call(
        model=MODEL,
        prompt="a fixed edit",
        api_key=dashscope.api_key,
        extra_input={
            "function": "video_edit",
            "video_url": file_server.url(media.video),
            "mask_image_url": file_server.url(media.mask),
        },
        mask_type="fixed",
        expand_ratio=0.05,
    )
    assert response.status_code == HTTPStatus.OK, (response.code, response.message)
    result = VideoSynthesis.wait(response, api_key=dashscope.api_key)
    assert result.output.task_status == "SUCCEEDED", result.output
    [task] = [t for t in sim.tasks() if t["id"] == response.output.task_id]
    assert task["request"]["mask_type"] == "fixed"
    assert "expand_ratio" not in task["request"]
