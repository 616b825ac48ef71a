"""What the simulator's providers make of a submit, over real HTTP: what they truncate, trim and
ignore as the documentation says, and what they refuse (400) in each provider's shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_headers, sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
MODELLIX = "/api/v1/alibaba/wan2.1-vace-plus/async"
MULE = "/vendors/alibaba/v1/wan2.1-vace-plus/generation"
INPUT = {
    "function", "prompt", "ref_images_url", "video_url", "mask_image_url", "mask_video_url",
    "mask_frame_id", "first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url",
}  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    # Tasks wait in the queue: these tests look at what was accepted, not at renders.
    with serve(sim_config(queue_seconds=60, run_seconds=1, quotas={})) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    sim.reset()
    with httpx.Client(
        base_url=sim.base_url, headers=owner_headers(sim, "intake", **ASYNC)
    ) as client:
        yield client


def dashscope(fields: dict[str, Any]) -> dict[str, Any]:
    """A DashScope body: each field in the object it belongs to."""
    return {
        "model": "wan2.1-vace-plus",
        "input": {k: v for k, v in fields.items() if k in INPUT},
        "parameters": {k: v for k, v in fields.items() if k not in INPUT},
    }


def used(sim: SimulatorHandle) -> dict[str, Any]:
    """The request the last task runs with, as the service read it."""
    request: dict[str, Any] = sim.tasks()[-1]["request"]
    return request


def edit(media: Samples, **extra: Any) -> dict[str, Any]:
    return {"function": "video_edit", "prompt": "p", "video_url": str(media.video), **extra}


def test_a_long_prompt_is_truncated_at_every_provider(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    fields = {"function": "video_outpainting", "prompt": "y" * 801 + "z" * 99}
    fields["video_url"] = str(media.video)
    assert http.post(SUBMIT, json=dashscope(fields)).status_code == 200
    assert used(sim)["prompt"] == "y" * 800
    assert http.post(MODELLIX, json=fields).status_code == 200
    assert used(sim)["prompt"] == "y" * 800
    assert http.post(MULE, json={"model": "wan2.1-vace-plus", **fields}).status_code == 202
    assert used(sim)["prompt"] == "y" * 800


def test_more_than_three_references_keep_the_first_three(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    refs = [f"https://example.com/{i}.png" for i in range(5)]
    fields = {
        "function": "image_reference",
        "prompt": "p",
        "ref_images_url": refs,
        "obj_or_bg": ["obj", "bg", "obj", "obj", "obj"],
    }
    assert http.post(SUBMIT, json=dashscope(fields)).status_code == 200
    assert used(sim)["ref_images_url"] == refs[:3]
    assert used(sim)["obj_or_bg"] == ["obj", "bg", "obj"]
    # The roles still have to match the images the service keeps.
    short = http.post(SUBMIT, json=dashscope({**fields, "obj_or_bg": ["obj"]}))
    assert short.status_code == 400
    assert "obj_or_bg" in short.json()["message"]
    missing = {k: v for k, v in fields.items() if k != "obj_or_bg"}
    assert http.post(SUBMIT, json=dashscope(missing)).status_code == 400
    two_bg = http.post(SUBMIT, json=dashscope({**fields, "obj_or_bg": ["bg", "bg", "obj"]}))
    assert two_bg.status_code == 400


def test_mask_knobs_for_a_mask_video_are_ignored(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    fields = edit(
        media,
        mask_video_url=str(media.video),
        mask_frame_id=5,
        mask_type="tracking",
        expand_ratio=0.3,
        expand_mode="bbox",
    )
    assert http.post(SUBMIT, json=dashscope(fields)).status_code == 200
    request = used(sim)
    assert request["mask_video_url"] == str(media.video)
    assert not {"mask_frame_id", "mask_type", "expand_ratio", "expand_mode"} & request.keys()
    assert sorted(sim.tasks()[-1]["ignored"]) == [
        "expand_mode", "expand_ratio", "mask_frame_id", "mask_type",
    ]  # fmt: skip


def test_expand_knobs_with_a_fixed_mask_are_ignored(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    # Even a value that would be out of range: a knob that does not apply is not read.
    fields = edit(media, mask_image_url=str(media.mask), mask_type="fixed", expand_ratio=1.5)
    fields["expand_mode"] = "bbox"
    assert http.post(SUBMIT, json=dashscope(fields)).status_code == 200
    request = used(sim)
    assert request["mask_type"] == "fixed"
    assert not {"expand_ratio", "expand_mode"} & request.keys()
    # When tracking, they apply, and their range is enforced.
    tracking = {**fields, "mask_type": "tracking"}
    refused = http.post(SUBMIT, json=dashscope(tracking))
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("expand_ratio:")
    ok = {**tracking, "expand_ratio": 0.2}
    assert http.post(SUBMIT, json=dashscope(ok)).status_code == 200
    assert (used(sim)["expand_ratio"], used(sim)["expand_mode"]) == (0.2, "bbox")


def test_exactly_one_mask_is_a_hard_rule(http: httpx.Client, media: Samples) -> None:
    both = edit(media, mask_image_url=str(media.mask), mask_video_url=str(media.video))
    neither = edit(media)
    for fields in (both, neither):
        answer = http.post(SUBMIT, json=dashscope(fields))
        assert answer.status_code == 400
        assert answer.json()["code"] == "InvalidParameter"


def test_unknown_parameters_are_ignored_by_dashscope_and_modellix(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    fields = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
    body = dashscope({**fields, "top_scale": 1.5})
    body["parameters"]["resolution"] = "720P"  # nobody documents it
    body["parameters"]["strength"] = 0.4  # another function's knob
    assert http.post(SUBMIT, json=body).status_code == 200
    assert used(sim) == {**fields, "top_scale": 1.5}
    extra = {**fields, "strength": 0.4, "model": "ignored", "callback_url": "https://x.test"}
    assert http.post(MODELLIX, json=extra).status_code == 200
    assert used(sim) == fields


def test_a_documented_field_in_the_wrong_object_is_refused(
    http: httpx.Client, media: Samples
) -> None:
    body = dashscope(edit(media, mask_image_url=str(media.mask)))
    body["parameters"]["mask_frame_id"] = 1
    answer = http.post(SUBMIT, json=body)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("mask_frame_id: belongs in input")


def test_mulerouter_takes_its_documented_extras_and_refuses_others(
    http: httpx.Client, media: Samples
) -> None:
    fields = {
        "model": "wan2.1-vace-plus",
        "function": "video_outpainting",
        "prompt": "p",
        "video_url": str(media.video),
    }
    extras = {"negative_prompt": "n" * 500, "safety_filter": False}
    assert http.post(MULE, json={**fields, **extras}).status_code == 202
    for wrong in (
        {"negative_prompt": "n" * 501},
        {"safety_filter": "no"},
        {"watermark": True},  # a DashScope knob MuleRouter does not document
    ):
        answer = http.post(MULE, json={**fields, **wrong})
        assert answer.status_code == 400, wrong
        assert set(answer.json()) == {"code", "title", "detail"}
        assert next(iter(wrong)) in answer.json()["detail"]


MEDIA_FIELDS = [
    ("video_outpainting", "video_url"),
    ("video_edit", "mask_video_url"),
    ("video_edit", "mask_image_url"),
    ("video_edit", "ref_images_url"),
    ("video_extension", "first_clip_url"),
    ("video_extension", "last_frame_url"),
]


@pytest.mark.parametrize(("function", "field"), MEDIA_FIELDS)
def test_urls_with_chinese_characters_are_refused(
    http: httpx.Client, media: Samples, function: str, field: str
) -> None:
    fields: dict[str, Any] = {"function": function, "prompt": "p"}
    if function != "video_extension":
        fields["video_url"] = str(media.video)
    if function == "video_edit" and field != "mask_image_url":
        fields["mask_image_url"] = str(media.mask)
    if function == "video_extension":
        fields["first_frame_url"] = str(media.image)
    url = "https://example.com/视频/clip.mp4"
    fields[field] = [url] if field == "ref_images_url" else url
    answer = http.post(SUBMIT, json=dashscope(fields))
    assert answer.status_code == 400
    assert answer.json()["code"] == "InvalidURL"
    assert field in answer.json()["message"]
    modellix = http.post(MODELLIX, json=fields)
    assert (modellix.status_code, modellix.json()["code"]) == (400, 400)
    mule = http.post(MULE, json={"model": "wan2.1-vace-plus", **fields})
    assert mule.status_code == 400
    assert field in mule.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": True}, "seed"),
        ({"top_scale": 2.5}, "top_scale"),
        ({"duration": 10}, "duration"),
        ({"prompt": "   "}, "prompt"),
        ({"function": "video_magic"}, "function"),
        ({"video_url": None}, "video_url"),
        ({"prompt_extend": "yes"}, "prompt_extend"),
    ],
)
def test_hard_field_rules_are_refused(
    http: httpx.Client, sim: SimulatorHandle, media: Samples, change: dict[str, Any], field: str
) -> None:
    fields = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
    answer = http.post(SUBMIT, json=dashscope({**fields, **change}))
    assert answer.status_code == 400
    assert answer.json()["message"].startswith(f"{field}:")
    assert sim.stats().tasks_created == {}
